import { stringify } from "csv-stringify/sync";
import { AppError } from "../../../errors.ts";
import { toAttributes } from "../../../domain/contact-fields.ts";
import { csvHeader, csvRecord } from "../../../domain/contacts-csv.ts";
import type { ScopedDb } from "../../scoped-db.ts";
import { requireAccount } from "./require-account.ts";

export const EXPORT_PAGE = 5_000;

interface ExportedContact {
  twitterUserId: string;
  username: string | null;
  displayName: string | null;
  tags: string[];
  attributes: unknown;
}

export interface ContactsCsvExportStream {
  accountId: string;
  /** the CSV text in chunks: the header, then one chunk per page of contacts */
  chunks: AsyncIterable<string>;
}

/**
 * The account's contacts as CSV in the import's shape (an export imports back unchanged), read a
 * page at a time in twitterUserId order (keyset on the (account, twitterUserId) unique index), so
 * memory holds one page whatever the account's size. The account is checked before anything is
 * streamed, so a 404 can still be answered as JSON.
 */
export async function exportContactsCsv(db: ScopedDb, opts: { merchantId: string; accountId: string; pageSize?: number }): Promise<ContactsCsvExportStream> {
  const { id: accountId } = await requireAccount(db, opts.accountId);
  // the attribute columns: every key any contact of the account has
  const keys = await db.$queryRaw<{ key: string }[]>`
    SELECT DISTINCT k.key FROM contacts c, jsonb_object_keys(c.attributes) AS k(key)
    WHERE c.merchant_id = ${opts.merchantId} AND c.account_id = ${accountId}::uuid
    ORDER BY 1`;
  const attributeKeys = keys.map((k) => k.key);
  const pageSize = opts.pageSize ?? EXPORT_PAGE;

  async function* chunks(): AsyncGenerator<string> {
    yield stringify([csvHeader(attributeKeys)]);
    let after: string | null = null;
    for (;;) {
      const page: ExportedContact[] = await db.contact.findMany({
        where: { accountId, ...(after !== null ? { twitterUserId: { gt: after } } : {}) },
        select: { twitterUserId: true, username: true, displayName: true, tags: true, attributes: true },
        orderBy: { twitterUserId: "asc" },
        take: pageSize,
      });
      if (page.length === 0) return;
      yield stringify(page.map((c) => csvRecord({ ...c, attributes: toAttributes(c.attributes) }, attributeKeys)));
      if (page.length < pageSize) return;
      after = page[page.length - 1]?.twitterUserId ?? null;
      if (after === null) return;
    }
  }
  return { accountId, chunks: chunks() };
}

/** The export as one string, for the tRPC procedure: refused past `maxRows` (stream it instead). */
export async function exportContactsCsvText(db: ScopedDb, opts: { merchantId: string; accountId: string; maxRows: number }): Promise<{ csv: string; rows: number }> {
  const account = await requireAccount(db, opts.accountId);
  const rows = await db.contact.count({ where: { accountId: account.id } });
  if (rows > opts.maxRows) {
    throw new AppError("VALIDATION_ERROR", `The account has ${rows} contacts, more than ${opts.maxRows}: download GET /contacts/export?accountId=… instead`, [{ field: "accountId", message: "too many contacts for one response" }]);
  }
  const { chunks } = await exportContactsCsv(db, opts);
  let csv = "";
  for await (const chunk of chunks) csv += chunk;
  return { csv, rows };
}
