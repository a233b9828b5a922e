// Finding knowledge by words: full text over the accent-folded `search_text` (prefix matches, any
// word) plus trigram word similarity per word, so "ao khoac", "áo khoác" and "jackt" all find
// their entry. The best matches first; every query is scoped to the merchant in its SQL.
import { Prisma } from "@mkt-x/db";
import { foldText } from "../ai/embedded-nlu.ts";
import type { ScopedDb } from "../../scoped-db.ts";

const MAX_TERMS = 12;
/** a word this similar (pg_trgm word_similarity, 0..1) to a part of the text counts as a typo of it */
export const TYPO_SIMILARITY = 0.5;

/** The search words: folded, split on anything but letters and digits, unique, at most 12. */
export function searchTerms(text: string, stopwords?: ReadonlySet<string>): string[] {
  const words = foldText(text.slice(0, 2_000)).split(/[^a-z0-9]+/);
  const terms: string[] = [];
  for (const w of words) {
    if (w.length < 2 || terms.includes(w) || stopwords?.has(w)) continue;
    terms.push(w);
    if (terms.length >= MAX_TERMS) break;
  }
  return terms;
}

/** `a:* | b:*`: terms are [a-z0-9]+ only, so nothing in them is tsquery syntax. */
const orQuery = (terms: string[]) => terms.map((t) => `${t}:*`).join(" | ");

export type KnowledgeTable = "ai_faq_entries" | "ai_products";

export interface RankedId {
  id: string;
  score: number;
}

/**
 * The ids of the merchant's entries matching any term, best first: full-text rank plus the mean
 * trigram similarity of the terms (a term counts when at least TYPO_SIMILARITY alike). Only the
 * entries the indexes find (a full-text match, or a term's trigram match at TYPO_SIMILARITY, the
 * threshold `<%` is given for this transaction) are scored: the cost follows the matches, not the
 * size of the catalog.
 */
export async function rankKnowledge(db: ScopedDb, opts: { merchantId: string; table: KnowledgeTable; terms: string[]; skip?: number; take: number }): Promise<{ ranked: RankedId[]; total: number }> {
  if (opts.terms.length === 0) return { ranked: [], total: 0 };
  const table = Prisma.raw(opts.table === "ai_faq_entries" ? "ai_faq_entries" : "ai_products");
  const query = orQuery(opts.terms);
  const [, rows] = await db.$transaction([
    db.$queryRaw`SELECT set_config('pg_trgm.word_similarity_threshold', ${String(TYPO_SIMILARITY)}, true)`,
    db.$queryRaw<Array<{ id: string; score: number; total: number }>>`
    WITH candidates AS (
      SELECT k.id FROM ${table} k
      WHERE k.merchant_id = ${opts.merchantId} AND to_tsvector('simple', k.search_text) @@ to_tsquery('simple', ${query})
      UNION
      SELECT k.id FROM ${table} k, unnest(${opts.terms}::text[]) AS t
      WHERE k.merchant_id = ${opts.merchantId} AND t <% k.search_text
    ), scored AS (
      SELECT k.id, k.created_at,
             ts_rank(to_tsvector('simple', k.search_text), to_tsquery('simple', ${query})) AS fts,
             (SELECT coalesce(sum(s), 0) / ${opts.terms.length}::float FROM (
                SELECT word_similarity(t, k.search_text) AS s FROM unnest(${opts.terms}::text[]) AS t
             ) x WHERE s >= ${TYPO_SIMILARITY}) AS trgm
      FROM ${table} k JOIN candidates c ON c.id = k.id
      WHERE k.merchant_id = ${opts.merchantId}
    )
    SELECT id::text, (fts + trgm)::float AS score, count(*) OVER ()::int AS total
    FROM scored
    WHERE fts > 0 OR trgm > 0
    ORDER BY score DESC, created_at DESC, id
    OFFSET ${opts.skip ?? 0} LIMIT ${opts.take}`,
  ]);
  return { ranked: rows.map((r) => ({ id: r.id, score: r.score })), total: rows[0]?.total ?? 0 };
}
