// Every regular expression the embedded NLU runs on a customer's message, timed on 10,000
// adversarial characters (the longest DM): each extractor must stay linear (≤ 20 ms).
import { describe, expect, it } from "vitest";
import { classify, detectLanguage, extractSlots, foldText, leaksInstructions, normalizeForIntent, nluPatterns, understandOffline } from "../src/server.ts";
import { searchTerms } from "../src/server/services/ai-knowledge/search-knowledge.ts";

const N = 10_000;
const repeat = (unit: string) => unit.repeat(Math.ceil(N / unit.length)).slice(0, N);
const ADVERSARIAL: Record<string, string> = {
  "email local part without @ end": repeat("a."),
  "email with @ and no TLD": `${repeat("a").slice(0, N / 2)}@${repeat("a-").slice(0, N / 2 - 1)}`,
  "many @": repeat("a@"),
  "hashes": repeat("#a"),
  "order words": repeat("order "),
  "order digits": `order ${repeat("1")}`,
  "vietnamese order words": repeat("đơn hàng mã "),
  "sizes": repeat("size "),
  "colours": repeat("mau xanh "),
  "spaces": repeat(" "),
  "digits": repeat("9"),
  "emoji": repeat("😀"),
  "combining marks": repeat("a\u0301\u0323"),
  "mixed scripts": repeat("áо中д١ "),
  "no spaces vietnamese": repeat("khongcohang"),
  // the shapes of the rules added with the evaluation set: "còn … không", respellings, "number is"
  "con words": repeat("còn áo "),
  "hyphens": repeat("a-"),
  "apostrophes": repeat("don't "),
  "shorthand": repeat("u ur hok "),
  "do you have it in": repeat("do you have it in "),
  "order number is": repeat("order number is "),
  "percent": repeat("12 % off "),
  "heights": repeat("cao 1m6"),
  "colour words": repeat("trắng tình trạng black friday "),
  "is the x made": repeat("is the x "),
  "fabric or fabric": repeat("cotton hay "),
};

function timed(fn: () => unknown): number {
  fn(); // warm the JIT and the regex caches
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    fn();
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

describe("extractors on 10,000 adversarial characters", () => {
  const extractors: Record<string, (text: string) => unknown> = {
    foldText,
    extractSlots,
    classify,
    detectLanguage,
    normalizeForIntent,
    leaksInstructions: (t) => leaksInstructions(t, [t.slice(0, 4000), "You are a helpful customer service assistant for an online shop."]),
    searchTerms: (t) => searchTerms(t),
    understandOffline: (t) => understandOffline({ messages: [{ role: "user", content: t }], knownSlots: {} }),
  };
  for (const [name, text] of Object.entries(ADVERSARIAL)) {
    for (const [extractor, fn] of Object.entries(extractors)) {
      it(`${extractor}: ${name}`, () => {
        expect(text.length).toBeGreaterThanOrEqual(N - 1);
        expect(timed(() => fn(text))).toBeLessThanOrEqual(20);
      });
    }
  }
});

describe("every NLU regular expression alone on 10,000 adversarial characters", () => {
  // as the NLU runs them: on folded, respelled text; a global pattern from a fresh copy
  const patterns = nluPatterns().map(({ name, re }) => ({ name, re: new RegExp(re.source, re.flags.replace("g", "")) }));
  it("knows them all (rules, respellings, slot extractors, language markers)", () => {
    expect(patterns.length).toBeGreaterThan(250);
    for (const slot of ["orderId[0]", "orderId[1]", "email", "size", "color", "quantity"]) expect(patterns.map((p) => p.name)).toContain(slot);
  });
  for (const [name, text] of Object.entries(ADVERSARIAL)) {
    it(`each pattern: ${name}`, () => {
      const inputs = [...new Set([text, foldText(text), normalizeForIntent(text)])];
      const slow: string[] = [];
      for (const { name: pattern, re } of patterns) {
        for (const input of inputs) {
          const ms = timed(() => re.exec(input));
          if (ms > 20) slow.push(`${pattern}: ${ms.toFixed(1)} ms`);
        }
      }
      expect(slow).toEqual([]);
    });
  }
});
