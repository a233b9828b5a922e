// Every regular expression the embedded NLU runs on a customer's message, timed on 10,000
// adversarial characters (the longest DM): each extractor must stay linear (≤ 20 ms).
import { describe, expect, it } from "vitest";
import { classify, detectLanguage, extractSlots, foldText, understandOffline } from "../src/server.ts";
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
