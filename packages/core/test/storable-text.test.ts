import { describe, expect, it } from "vitest";
import { findUnstorableText, isStorableText, toStorableJson, toStorableText } from "../src/domain/storable-text.ts";

describe("text PostgreSQL can store", () => {
  it("accepts any well-formed Unicode, emoji and right-to-left text included", () => {
    for (const s of ["", "hello", "Xin chào 👋🏽", "مرحبا", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "tab\tnewline\n"]) expect(isStorableText(s)).toBe(true);
  });

  it("refuses NUL and unpaired surrogates", () => {
    for (const s of ["nul\u0000byte", "\uD83D", "a\uDC00b", "\uDC00\uD83D"]) expect(isStorableText(s)).toBe(false);
  });

  it("names the first unstorable field, keys included", () => {
    expect(findUnstorableText({ content: "fine", attributes: { note: ["ok", "bad\u0000"] } })).toBe("attributes.note.1");
    expect(findUnstorableText({ ["k\u0000"]: 1 })).toBe("k\uFFFD");
    expect(findUnstorableText("x\uD800")).toBe("(value)");
    expect(findUnstorableText({ a: 1, b: [true, null, "ok"] })).toBeNull();
    // only JSON's shapes are walked: not a stream or any other object with a graph behind it
    class Node {
      name = "bad\u0000";
    }
    expect(findUnstorableText(new Node())).toBeNull();
    expect(findUnstorableText(Object.assign(Object.create(null) as object, { k: "\u0000" }))).toBe("k");
  });

  it("replaces what cannot be stored with U+FFFD, keeping the rest", () => {
    expect(toStorableText("a\u0000b\uD83Dc👋")).toBe("a\uFFFDb\uFFFDc👋");
    expect(toStorableJson({ text: "x\u0000", list: ["\uDC00"], ["k\u0000"]: 1, n: 2 })).toEqual({ text: "x\uFFFD", list: ["\uFFFD"], ["k\uFFFD"]: 1, n: 2 });
  });
});
