import { describe, expect, it } from "vitest";
import { composeDm, matchQuickReply, MAX_DM_CHARS } from "../src/domain/compose-dm.ts";

const sizes = [{ label: "Small", metadata: "size:s" }, { label: "Medium", description: "fits most", metadata: "size:m" }, { label: "Large" }];

describe("composeDm", () => {
  it("sends plain text as it is", () => {
    expect(composeDm({ type: "text", text: "Hi Ann" })).toEqual({ ok: true, text: "Hi Ann", metadata: null });
  });

  it("lists quick-reply options numbered under the text and keeps them", () => {
    const dm = composeDm({ type: "quick_reply", text: "Which size?", quickReplies: sizes });
    expect(dm).toEqual({ ok: true, text: "Which size?\n\n1. Small\n2. Medium – fits most\n3. Large", metadata: { quickReplies: sizes } });
  });

  it("puts each card button on its own line with its URL", () => {
    const buttons = [{ label: "Shop now", url: "https://shop.example/sale" }, { label: "Track", url: "https://shop.example/track?id=1" }];
    const dm = composeDm({ type: "card", text: "Sale!", buttons });
    expect(dm).toEqual({ ok: true, text: "Sale!\n\nShop now: https://shop.example/sale\nTrack: https://shop.example/track?id=1", metadata: { buttons } });
  });

  it("refuses a message that grows past X's limit with its options", () => {
    const dm = composeDm({ type: "quick_reply", text: "x".repeat(MAX_DM_CHARS - 5), quickReplies: sizes });
    expect(dm.ok).toBe(false);
    if (!dm.ok) expect(dm.error).toMatch(/10000 characters/);
    expect(composeDm({ type: "text", text: "x".repeat(MAX_DM_CHARS) }).ok).toBe(true);
  });
});

describe("matchQuickReply", () => {
  it("reads the option's number", () => {
    expect(matchQuickReply("2", sizes)).toEqual({ index: 2, label: "Medium", metadata: "size:m" });
    expect(matchQuickReply(" 1. ", sizes)).toEqual({ index: 1, label: "Small", metadata: "size:s" });
    expect(matchQuickReply("#3", sizes)).toEqual({ index: 3, label: "Large" });
  });

  it("reads the label, case, spacing and full-width forms aside", () => {
    expect(matchQuickReply("  MEDIUM ", sizes)?.index).toBe(2);
    expect(matchQuickReply("ｌａｒｇｅ", sizes)?.index).toBe(3);
    expect(matchQuickReply("2. medium", sizes)?.index).toBe(2);
  });

  it("prefers X's quick-reply metadata when the client sent one", () => {
    expect(matchQuickReply("whatever the text", sizes, "size:s")?.label).toBe("Small");
    expect(matchQuickReply("Large", sizes, "unknown")?.label).toBe("Large");
  });

  it("answers null for anything else", () => {
    expect(matchQuickReply("4", sizes)).toBeNull();
    expect(matchQuickReply("0", sizes)).toBeNull();
    expect(matchQuickReply("I want a medium one", sizes)).toBeNull();
    expect(matchQuickReply("3. small", sizes)).toBeNull();
    expect(matchQuickReply("", sizes)).toBeNull();
  });
});
