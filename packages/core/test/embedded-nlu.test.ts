// The embedded NLU: deterministic intents, slots and confidence, in English and basic Vietnamese.
import { describe, expect, it } from "vitest";
import { classify, createEmbeddedAiProvider, detectLanguage, extractSlots, foldText, understandOffline } from "../src/server.ts";
import type { AiTurn } from "../src/index.ts";

const user = (content: string): AiTurn => ({ role: "user", content });
const understand = (text: string, knownSlots: Record<string, string> = {}, earlier: AiTurn[] = []) => understandOffline({ messages: [...earlier, user(text)], knownSlots });

describe("embedded NLU", () => {
  it("answers the seed example", () => {
    const r = understand("What's the status of my order #12345?");
    expect(r).toMatchObject({ intent: "order_status_query", slots: { orderId: "12345" } });
    expect(r.confidence).toBeGreaterThanOrEqual(0.9);
    expect(r.response).toContain("#12345");
  });

  it.each([
    ["What's the status of my order #12345?", "12345"],
    ["order 98765 please", "98765"],
    ["my order number: 4242", "4242"],
    ["Đơn hàng 55555 của tôi đâu rồi?", "55555"],
    ["#ab-123 where is it", "AB-123"],
    ["my order number is 123987", "123987"],
    ["order status 55555?", "55555"],
    ["mã đơn là 909090", "909090"],
  ])("extracts orderId from %j", (text, orderId) => {
    expect(extractSlots(text).orderId).toBe(orderId);
  });

  it("extracts an email", () => {
    expect(extractSlots("reach me at Ann.Lee@Example.com")).toEqual({ email: "ann.lee@example.com" });
  });

  it.each([
    ["Hello!", "greeting"],
    ["Xin chào shop", "greeting"],
    ["How much is the blue hoodie?", "pricing_query"],
    ["Giá bao nhiêu vậy?", "pricing_query"],
    ["How long does shipping take to Hanoi?", "shipping_query"],
    ["Phí vận chuyển là bao nhiêu?", "shipping_query"],
    ["I want to return this and get a refund", "return_refund"],
    ["Tôi muốn đổi trả sản phẩm", "return_refund"],
    ["The item arrived broken, I'm very disappointed", "complaint"],
    ["Can I talk to a human agent?", "human_request"],
    ["Cho tôi gặp người thật", "human_request"],
    ["cho toi gap nguoi that", "human_request"],
    ["Please unsubscribe me", "opt_out"],
    ["Hủy đăng ký", "opt_out"],
    ["Thank you so much", "thanks"],
    ["Where is my package?", "order_status_query"],
    ["Kiểm tra đơn hàng giúp mình", "order_status_query"],
  ])("classifies %j as %s", (text, intent) => {
    const r = classify(text);
    expect(r.intent).toBe(intent);
    expect(r.confidence).toBeGreaterThanOrEqual(0.7);
  });

  it("answers unknown with low confidence", () => {
    const r = understand("blorp zzzt qwerty");
    expect(r).toMatchObject({ intent: "unknown", slots: {} });
    expect(r.confidence).toBeLessThan(0.5);
  });

  it("scores an explicit phrase above a lone keyword", () => {
    expect(classify("What is the price of the mug?").confidence).toBeGreaterThan(classify("price").confidence);
  });

  it("asks for the order number, then takes a bare number as the answer", () => {
    const first = understand("What's the status of my order?");
    expect(first).toMatchObject({ intent: "order_status_query", slots: {} });
    expect(first.response).toMatch(/order number/);
    const second = understand("12345", {}, [user("What's the status of my order?"), { role: "assistant", content: first.response }]);
    expect(second).toMatchObject({ intent: "order_status_query", slots: { orderId: "12345" } });
  });

  it("uses known slots in its response", () => {
    expect(understand("I'd like a refund", { orderId: "777" }).response).toContain("#777");
  });

  it("answers in Vietnamese to Vietnamese", () => {
    expect(detectLanguage("Đơn hàng của tôi đâu?")).toBe("vi");
    expect(detectLanguage("don hang cua toi dau")).toBe("vi");
    expect(detectLanguage("Where is my order?")).toBe("en");
    expect(understand("Xin chào").response).toMatch(/Xin chào/);
  });

  it("folds accents and case", () => {
    expect(foldText("  Người  THẬT Đơn ")).toBe("nguoi that don");
  });

  it("reads sizes and colours only where they are meant", () => {
    expect(extractSlots("I saw a 20% off ad")).toEqual({});
    expect(extractSlots("tình trạng đơn hàng 4321")).toEqual({ orderId: "4321" });
    expect(extractSlots("black friday deals?")).toEqual({});
    expect(extractSlots("do you have it in purple")).toEqual({ color: "purple" });
    expect(extractSlots("áo thun trắng size M")).toEqual({ color: "white", size: "M" });
  });

  it.each([
    ["I don't want these promos anymore, opt me out", "opt_out"],
    ["where is my oder", "order_status_query"],
    ["price for the size L black tee?", "pricing_query"],
    ["the shoes pinch, can i swap them for size 41", "return_refund"],
    ["mẫu này còn không shop", "product_availability"],
    ["chân mình 24cm đi size mấy", "product_size"],
  ])("classifies %j as %s (respellings and precedence)", (text, intent) => {
    expect(classify(text).intent).toBe(intent);
  });

  it("does not take 'đúng' (right) for an opt-out", () => {
    expect(classify("đúng rồi").intent).not.toBe("opt_out");
  });

  it("is deterministic and offline", async () => {
    const ai = createEmbeddedAiProvider();
    const input = { messages: [user("Where is my order #31337?")], settings: { model: "x", temperature: 2, maxTokens: 1, systemPrompt: null }, knownSlots: {} };
    const a = await ai.understand(input);
    const b = await ai.understand(input);
    expect(a).toEqual(b);
    expect(a.slots).toEqual({ orderId: "31337" });
  });
});
