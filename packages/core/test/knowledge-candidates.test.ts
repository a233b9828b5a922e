// Which catalog entries a search scores: all of those holding a word of the message while they are
// few, else the rare terms' entries, a bounded few holding every common term, and a bounded few of
// the rarest common term.
import { describe, expect, it } from "vitest";
import { candidateQueries, type TermWord } from "../src/server.ts";

const word = (term: number, w: string, ndoc: number): TermWord => ({ source: "product", term, word: w, similarity: 1, ndoc });

describe("candidateQueries", () => {
  it("asks for nothing when no term has a word", () => {
    expect(candidateQueries([], 100)).toEqual([]);
  });

  it("scores every entry holding a word without a budget, or while they fit in it", () => {
    const words = [word(0, "linen", 60), word(0, "line", 10), word(1, "shirt", 30)];
    const all = [{ query: "('shirt' | 'linen' | 'line')", limit: null }];
    expect(candidateQueries(words)).toEqual(all);
    expect(candidateQueries(words, 100)).toEqual(all);
    expect(candidateQueries([word(0, "made", 10_000)])).toEqual([{ query: "('made')", limit: null }]);
  });

  it("beyond the budget takes the rare terms whole and bounds the common ones", () => {
    const words = [word(0, "made", 10_000), word(1, "wedding", 3), word(2, "linen", 1_000), word(3, "shirt", 669), word(4, "silk", 40)];
    expect(candidateQueries(words, 100)).toEqual([
      { query: "('wedding' | 'silk')", limit: null },
      { query: "('shirt') & ('linen') & ('made')", limit: 100 },
      { query: "('shirt')", limit: 100 },
    ]);
  });

  it("with one common term only, asks for it once", () => {
    expect(candidateQueries([word(0, "made", 10_000), word(1, "silk", 40)], 100)).toEqual([
      { query: "('silk')", limit: null },
      { query: "('made')", limit: 100 },
    ]);
  });

  it("quotes words so that nothing in them is tsquery syntax", () => {
    expect(candidateQueries([word(0, "it's", 1), word(1, "a\\b", 1), word(2, "-1", 1)])).toEqual([{ query: "('it''s' | 'a\\\\b' | '-1')", limit: null }]);
  });
});
