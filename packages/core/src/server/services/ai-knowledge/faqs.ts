// A merchant's FAQ entries: create, list (paged, searched), get, change, delete.
import { notFound } from "../../../errors.ts";
import { isUuid, pagination, type Pagination } from "../../../contract/common.ts";
import type { CreateFaqInput, FaqEntry, KnowledgeSearchInput, UpdateFaqInput } from "../../../contract/ai-knowledge.ts";
import type { ScopedDb } from "../../scoped-db.ts";
import { rankKnowledge, searchTerms } from "./search-knowledge.ts";

interface FaqRow {
  id: string;
  question: string;
  answer: string;
  tags: string[];
  language: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export const toFaqDto = (r: FaqRow): FaqEntry => ({
  id: r.id,
  question: r.question,
  answer: r.answer,
  tags: r.tags,
  language: r.language,
  createdAt: r.createdAt.toISOString(),
  updatedAt: r.updatedAt.toISOString(),
});

const uniqueTags = (tags: string[] | undefined) => (tags === undefined ? undefined : [...new Set(tags)]);

export async function createFaq(db: ScopedDb, opts: { merchantId: string; input: CreateFaqInput }): Promise<FaqEntry> {
  const i = opts.input;
  const row = await db.aiFaqEntry.create({ data: { merchantId: opts.merchantId, question: i.question, answer: i.answer, tags: uniqueTags(i.tags) ?? [], language: i.language ?? null } });
  return toFaqDto(row);
}

async function findFaq(db: ScopedDb, faqId: string): Promise<FaqRow> {
  const row = isUuid(faqId) ? await db.aiFaqEntry.findFirst({ where: { id: faqId } }) : null;
  if (!row) throw notFound("FAQ entry", faqId);
  return row;
}

export const getFaq = async (db: ScopedDb, opts: { faqId: string }): Promise<FaqEntry> => toFaqDto(await findFaq(db, opts.faqId));

export async function updateFaq(db: ScopedDb, opts: { input: UpdateFaqInput }): Promise<FaqEntry> {
  const { faqId, ...c } = opts.input;
  await findFaq(db, faqId);
  const data = {
    ...(c.question !== undefined && { question: c.question }),
    ...(c.answer !== undefined && { answer: c.answer }),
    ...(c.tags !== undefined && { tags: uniqueTags(c.tags) }),
    ...(c.language !== undefined && { language: c.language }),
  };
  const [row] = await db.aiFaqEntry.updateManyAndReturn({ where: { id: faqId }, data });
  if (!row) throw notFound("FAQ entry", faqId);
  return toFaqDto(row);
}

export async function deleteFaq(db: ScopedDb, opts: { faqId: string }): Promise<null> {
  if (!isUuid(opts.faqId)) throw notFound("FAQ entry", opts.faqId);
  const { count } = await db.aiFaqEntry.deleteMany({ where: { id: opts.faqId } });
  if (count === 0) throw notFound("FAQ entry", opts.faqId);
  return null;
}

/** Newest first; with `search`, the best matches first (accents and small typos forgiven). */
export async function listFaqs(db: ScopedDb, opts: { merchantId: string; input: KnowledgeSearchInput }): Promise<{ data: FaqEntry[]; pagination: Pagination }> {
  const { input } = opts;
  if (input.search) {
    const { ranked, total } = await rankKnowledge(db, { merchantId: opts.merchantId, table: "ai_faq_entries", terms: searchTerms(input.search), skip: input.skip, take: input.take });
    const rows = await db.aiFaqEntry.findMany({ where: { id: { in: ranked.map((r) => r.id) } } });
    const byId = new Map(rows.map((r) => [r.id, r]));
    const data = ranked.flatMap((r) => {
      const row = byId.get(r.id);
      return row ? [toFaqDto(row)] : [];
    });
    return { data, pagination: pagination(input, total) };
  }
  const [rows, total] = await Promise.all([
    db.aiFaqEntry.findMany({ orderBy: [{ createdAt: "desc" }, { id: "asc" }], skip: input.skip, take: input.take }),
    db.aiFaqEntry.count(),
  ]);
  return { data: rows.map(toFaqDto), pagination: pagination(input, total) };
}
