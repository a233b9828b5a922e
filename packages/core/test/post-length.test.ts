// X's weighted count of a post: what the public-reply check refuses and lets through.
import { describe, expect, it } from "vitest";
import { MAX_POST_WEIGHT, postWeight } from "../src/domain/post-length.ts";

describe("postWeight", () => {
  it("Latin text counts one per character", () => {
    expect(postWeight("hello")).toBe(5);
    expect(postWeight("Cà phê")).toBe(6);
    // Vietnamese letters of Latin Extended Additional (ữ, U+1EEF) are outside X's light ranges
    expect(postWeight("sữa")).toBe(4);
    expect(postWeight("a".repeat(MAX_POST_WEIGHT))).toBe(280);
  });
  it("CJK characters and emoji count two; an emoji sequence counts two as a whole", () => {
    expect(postWeight("注文")).toBe(4);
    expect(postWeight("ok 👍")).toBe(5);
    expect(postWeight("👨‍👩‍👧‍👦")).toBe(2);
    expect(postWeight("🇻🇳")).toBe(2);
    expect(postWeight("中".repeat(140))).toBe(280);
    expect(postWeight("中".repeat(141))).toBe(282);
  });
  it("every URL counts 23, however long", () => {
    expect(postWeight("https://x.co")).toBe(23);
    expect(postWeight(`see https://x.com/messages/compose?recipient_id=1&text=${"a".repeat(300)} now`)).toBe(4 + 23 + 4);
  });
});
