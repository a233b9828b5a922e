// Finding knowledge by words, accent-folded ("ao khoac" finds "Áo khoác") and typo-tolerant
// ("lether jackt" finds the leather jacket). A term is first matched against the merchant's
// lexicon (ai_knowledge_words: the distinct words of its entries, with how many entries hold each;
// see the migration 20261206050000_ai_knowledge_lexicon): the words it begins and the words within
// trigram word similarity TYPO_SIMILARITY of it. The entries holding those words are then found
// and ranked through the stored tsvector's index. Every query is scoped to the merchant in its SQL.
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
const SOURCE: Record<KnowledgeTable, TermWord["source"]> = { ai_products: "product", ai_faq_entries: "faq" };

/** A word of the merchant's entries that a search term may mean. */
export interface TermWord {
  source: "product" | "faq";
  /** the term's index in the search terms */
  term: number;
  word: string;
  /** word_similarity(term, word): 1 when equal, at least TYPO_SIMILARITY */
  similarity: number;
  /** how many of the merchant's entries (of that source) hold the word */
  ndoc: number;
}

/** The words of the merchant's products and FAQ entries its search terms may mean: one query for both. */
export async function knowledgeWords(db: ScopedDb, opts: { merchantId: string; terms: string[] }): Promise<TermWord[]> {
  if (opts.terms.length === 0) return [];
  const rows = await db.$queryRaw<Array<{ source: TermWord["source"]; term: number; word: string; similarity: number; ndoc: number }>>`
    SELECT source, term, word, similarity::float AS similarity, ndoc FROM mktx_knowledge_words(${opts.merchantId}, ${opts.terms}::text[])`;
  return rows.map((r) => ({ ...r, term: r.term - 1 }));
}

/** A lexeme as a tsquery operand: quoted, so any character of it is taken literally. */
const lexeme = (word: string) => `'${word.replace(/\\/g, "\\\\").replace(/'/g, "''")}'`;
const anyOf = (words: string[]) => `(${words.map(lexeme).join(" | ")})`;

export interface CandidateQuery {
  /** a tsquery over exact lexemes (cast, not parsed) */
  query: string;
  /** at most this many of its entries; null: all of them */
  limit: number | null;
}

/**
 * Which entries are scored. Without a budget, or when the words' entries together are at most
 * `budget` (counted from the lexicon, before any entry is read), every entry holding a word: the
 * ranking is exact. Above it the terms are split by how many entries they bring: the rarest ones
 * that fit in the budget bring all their entries; the common rest bring at most `budget` entries
 * holding all of them, and at most `budget` holding the rarest of them (when they never meet).
 * So a message of common words ("made", "shirt") scores a few hundred entries, not the catalog:
 * among more than `budget` entries that match the same common words equally, those scored are
 * the first the index gives, not necessarily the newest.
 */
export function candidateQueries(words: TermWord[], budget?: number): CandidateQuery[] {
  const byTerm = new Map<number, { words: string[]; entries: number }>();
  for (const w of words) {
    const t = byTerm.get(w.term) ?? { words: [], entries: 0 };
    t.words.push(w.word);
    t.entries += w.ndoc;
    byTerm.set(w.term, t);
  }
  const terms = [...byTerm.values()].sort((a, b) => a.entries - b.entries);
  if (terms.length === 0) return [];
  const entries = terms.reduce((n, t) => n + t.entries, 0);
  if (budget === undefined || entries <= budget) return [{ query: anyOf(terms.flatMap((t) => t.words)), limit: null }];
  const rare: typeof terms = [];
  let taken = 0;
  for (const t of terms) {
    if (taken + t.entries > budget) break;
    rare.push(t);
    taken += t.entries;
  }
  const common = terms.slice(rare.length);
  const queries: CandidateQuery[] = [];
  if (rare.length > 0) queries.push({ query: anyOf(rare.flatMap((t) => t.words)), limit: null });
  const [rarest] = common;
  if (rarest) {
    queries.push({ query: common.map((t) => anyOf(t.words)).join(" & "), limit: budget });
    if (common.length > 1) queries.push({ query: anyOf(rarest.words), limit: budget });
  }
  return queries;
}

export interface RankedId {
  id: string;
  score: number;
}

export interface RankOptions {
  merchantId: string;
  table: KnowledgeTable;
  terms: string[];
  skip?: number;
  take: number;
  /** the terms' lexicon words, when the caller already has them */
  words?: TermWord[];
  /** bounds the entries scored (see candidateQueries); `total` then counts those scored */
  budget?: number;
}

/**
 * The merchant's entries matching any term, best first, as `columns` (SQL over the entry `k`)
 * plus `score` and `total`: full-text rank (terms as prefixes) plus the mean over terms of the
 * similarity of the term's closest word in the entry (a term counts when at least
 * TYPO_SIMILARITY alike).
 */
async function rankEntries<Row>(db: ScopedDb, opts: RankOptions, columns: Prisma.Sql): Promise<Array<Row & { score: number; total: number }>> {
  if (opts.terms.length === 0) return [];
  const source = SOURCE[opts.table];
  const words = (opts.words ?? (await knowledgeWords(db, { merchantId: opts.merchantId, terms: opts.terms }))).filter((w) => w.source === source);
  const candidates = candidateQueries(words, opts.budget);
  if (candidates.length === 0) return [];
  const table = Prisma.raw(opts.table === "ai_faq_entries" ? "ai_faq_entries" : "ai_products");
  return db.$queryRaw<Array<Row & { score: number; total: number }>>`
    WITH m AS (
      SELECT * FROM unnest(${words.map((w) => w.word)}::text[], ${words.map((w) => w.term)}::int[], ${words.map((w) => w.similarity)}::float8[]) AS m(word, term, similarity)
    ), candidates AS (
      SELECT DISTINCT c.id FROM unnest(${candidates.map((c) => c.query)}::tsquery[], ${candidates.map((c) => c.limit)}::int[]) AS q(query, lim)
      CROSS JOIN LATERAL (SELECT k.id FROM ${table} k WHERE k.merchant_id = ${opts.merchantId} AND k.search_vector @@ q.query LIMIT q.lim) c
    ), scored AS (
      SELECT k.id,
             ts_rank(k.search_vector, to_tsquery('simple', ${orQuery(opts.terms)}))
             + (SELECT coalesce(sum(best), 0) FROM (
                  SELECT max(m.similarity) AS best FROM unnest(k.search_vector) AS v JOIN m ON m.word = v.lexeme GROUP BY m.term
               ) b) / ${opts.terms.length}::float AS score
      FROM ${table} k JOIN candidates c ON c.id = k.id
      WHERE k.merchant_id = ${opts.merchantId}
    )
    SELECT ${columns}, s.score::float AS score, count(*) OVER ()::int AS total
    FROM scored s JOIN ${table} k ON k.id = s.id
    ORDER BY s.score DESC, k.created_at DESC, k.id
    OFFSET ${opts.skip ?? 0} LIMIT ${opts.take}`;
}

export interface RankedId {
  id: string;
  score: number;
}

/** The ids of the merchant's entries matching any term, best first (see rankEntries), and how many match. */
export async function rankKnowledge(db: ScopedDb, opts: RankOptions): Promise<{ ranked: RankedId[]; total: number }> {
  const rows = await rankEntries<{ id: string }>(db, opts, Prisma.sql`k.id::text AS id`);
  return { ranked: rows.map((r) => ({ id: r.id, score: r.score })), total: rows[0]?.total ?? 0 };
}

/** The best products for the terms, with what the bot quotes of them (read now: stock and price as stored). */
export const rankProducts = (db: ScopedDb, opts: Omit<RankOptions, "table">) =>
  rankEntries<{ id: string; sku: string; name: string; description: string | null; price: Prisma.Decimal; currency: string; variants: unknown; stock: number | null; url: string | null }>(
    db,
    { ...opts, table: "ai_products" },
    Prisma.sql`k.id::text AS id, k.sku, k.name, k.description, k.price, k.currency, k.variants, k.stock, k.url`,
  );

/** The best FAQ entries for the terms, with their question and answer. */
export const rankFaqs = (db: ScopedDb, opts: Omit<RankOptions, "table">) =>
  rankEntries<{ id: string; question: string; answer: string }>(db, { ...opts, table: "ai_faq_entries" }, Prisma.sql`k.id::text AS id, k.question, k.answer`);
