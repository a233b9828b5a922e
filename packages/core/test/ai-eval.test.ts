// The embedded NLU on the labelled evaluation set (packages/core/eval/ai-eval.jsonl): the targets
// `pnpm eval:ai --check` holds it to, on the tuning (dev) part, the held-out (test) part and all.
import { describe, expect, it } from "vitest";
import { AI_INTENTS } from "../src/index.ts";
import { checkTargets, EVAL_TARGETS, evaluateNlu, formatReport, loadEvalSet } from "../src/server.ts";

const set = loadEvalSet();

describe("AI evaluation set", () => {
  it("has at least 300 messages covering every intent, in both splits", () => {
    expect(set.length).toBeGreaterThanOrEqual(300);
    for (const intent of AI_INTENTS) {
      expect(set.filter((c) => c.intent === intent && c.split === "dev").length, intent).toBeGreaterThanOrEqual(10);
      expect(set.filter((c) => c.intent === intent && c.split === "test").length, intent).toBeGreaterThanOrEqual(5);
    }
    // Vietnamese with and without diacritics, emoji, long messages: the set is not only tidy English
    expect(set.filter((c) => /[ăâđêôơư]/i.test(c.text)).length).toBeGreaterThanOrEqual(40);
    expect(set.filter((c) => /\p{Extended_Pictographic}/u.test(c.text)).length).toBeGreaterThanOrEqual(20);
    expect(set.filter((c) => c.text.length > 120).length).toBeGreaterThanOrEqual(4);
    expect(set.filter((c) => c.slots.orderId).length).toBeGreaterThanOrEqual(20);
  });

  it.each(["dev", "test", "all"] as const)("meets the targets on %s (≥ 92 %% intents, ≥ 95 %% order ids)", (split) => {
    const result = evaluateNlu(set, split);
    // the report names the misses when a figure falls short
    expect(checkTargets(result), formatReport(result, { misses: true })).toEqual([]);
    expect(result.intent.accuracy).toBeGreaterThanOrEqual(EVAL_TARGETS.intentAccuracy);
    expect(result.orderId.accuracy).toBeGreaterThanOrEqual(EVAL_TARGETS.orderIdAccuracy);
    expect(result.orderId.total).toBeGreaterThan(0);
  });

  it("counts a made-up slot as wrong, and reports it", () => {
    const result = evaluateNlu([{ id: "x", split: "dev", text: "I saw a 20% off ad, order 5555", intent: "promotion_query", slots: {} }]);
    expect(result.orderId).toEqual({ correct: 0, total: 1, accuracy: 0 });
    expect(result.misses).toHaveLength(1);
    expect(checkTargets(result)).toEqual([expect.stringContaining("order-id slot accuracy 0.0 %")]);
    expect(formatReport(result)).toContain("confusion matrix");
  });
});
