import type { Readable } from "node:stream";
import { AppError } from "../../../errors.ts";
import type { ContactsCsvImportResult } from "../../../contract/contacts.ts";
import {
  MAX_ATTRIBUTE_KEYS_PER_ACCOUNT,
  MAX_ATTRIBUTES_PER_CONTACT,
  tooManyAccountAttributeKeys,
  MAX_TAGS_PER_CONTACT,
  mergeAttributes,
  mergeTags,
  toAttributes,
  tooManyAttributes,
  tooManyTags,
  type ContactAttributes,
} from "../../../domain/contact-fields.ts";
import { CSV_TAG_SEPARATOR, readCsvHeader, readCsvRow, type CsvColumn, type CsvContactRow } from "../../../domain/contacts-csv.ts";
import type { ScopedDb } from "../../scoped-db.ts";
import { CsvError, malformedCsv, MAX_IMPORT_BYTES, MAX_IMPORT_ROWS, MAX_RECORD_BYTES, MAX_REPORTED_ERRORS, readCsvRecords, tooLarge } from "../../csv/read-csv-records.ts";
import { requireAccount } from "./require-account.ts";

export const DEFAULT_IMPORT_BATCH = 5_000;
export { MAX_IMPORT_BYTES, MAX_IMPORT_ROWS, MAX_RECORD_BYTES, MAX_REPORTED_ERRORS };
/** a batch is written once it holds this much text, however few rows: memory stays flat */
const MAX_BATCH_BYTES = 4 * 1024 * 1024;

export interface ImportContactsCsvOptions {
  merchantId: string;
  accountId: string;
  /** the CSV bytes (UTF-8): the request stream itself, never buffered whole */
  csv: Readable;
  /** rows per upsert statement */
  batchSize?: number;
  /** lower bounds than MAX_IMPORT_BYTES / MAX_IMPORT_ROWS (the tRPC procedure, tests) */
  maxBytes?: number;
  maxRows?: number;
}

/** One contact of a batch: the rows of the file that name it, folded in file order. */
interface Pending {
  rows: number[];
  username: string | null;
  displayName: string | null;
  tags: string[];
  attributes: ContactAttributes;
}

/**
 * Upserts the contacts of a CSV (see domain/contacts-csv.ts for the shape) into an account, keyed
 * by (account, twitterUserId): new ones are created with source `import`, existing ones get the
 * given name and username, the tags added and the attributes merged.
 *
 * It streams: records are parsed as the bytes arrive and written a batch at a time, one
 * `INSERT … SELECT FROM jsonb_to_recordset(…) ON CONFLICT DO UPDATE` per batch, while the next
 * batch is being parsed; memory holds two batches whatever the file's size. Batches are written
 * one after another (never two at once) so a contact named twice ends as the later row says. Each
 * batch commits on its own: an upload cut short keeps the batches written, and importing the file
 * again is harmless (the upsert is idempotent). Bad rows are reported with their row number and
 * skipped.
 */
export async function importContactsCsv(db: ScopedDb, opts: ImportContactsCsvOptions): Promise<ContactsCsvImportResult> {
  const { merchantId, csv } = opts;
  const { id: accountId } = await requireAccount(db, opts.accountId);
  const batchSize = opts.batchSize ?? DEFAULT_IMPORT_BATCH;
  const result: ContactsCsvImportResult = { accountId, rows: 0, inserted: 0, updated: 0, failed: 0, errors: [], errorsTruncated: false };
  const fail = (row: number, field: string | null, reason: string) => {
    result.failed++;
    if (result.errors.length < MAX_REPORTED_ERRORS) result.errors.push({ row, field, reason });
    else result.errorsTruncated = true;
  };

  let headerBroken: string | null = null;
  const reader = readCsvRecords(csv, {
    maxBytes: opts.maxBytes,
    onSkip: (row, reason) => {
      if (row === 1) headerBroken = reason;
      else {
        result.rows++;
        fail(row, null, reason);
      }
    },
  });
  const maxRows = Math.min(opts.maxRows ?? MAX_IMPORT_ROWS, MAX_IMPORT_ROWS);

  let columns: CsvColumn[] | null = null;
  let batch: Array<{ row: number; data: CsvContactRow }> = [];
  let batchBytes = 0;
  let writing: Promise<void> = Promise.resolve();
  let writeFailure: unknown = null;
  const write = (rows: Array<{ row: number; data: CsvContactRow }>) => {
    // chained, so batches land in file order; a failure is kept and rethrown by the loop
    writing = writing.then(() => (writeFailure ? undefined : writeBatch(db, { merchantId, accountId }, rows, result, fail))).catch((e: unknown) => {
      writeFailure ??= e;
    });
  };
  const settle = async () => {
    await writing;
    if (writeFailure) throw writeFailure instanceof Error ? writeFailure : new Error("the import could not be written");
  };

  try {
    for await (const record of reader.records) {
      if (!columns) {
        if (headerBroken !== null || record.row !== 1) throw new AppError("VALIDATION_ERROR", "Invalid CSV header", [{ field: "header", message: headerBroken ?? "unreadable header row" }]);
        const header = readCsvHeader(record.cells);
        if ("problems" in header) throw new AppError("VALIDATION_ERROR", "Invalid CSV header", header.problems.map((p) => ({ ...p })));
        columns = header.columns;
        await checkAttributeKeys(db, accountId, columns);
        continue;
      }
      if (result.rows >= maxRows) {
        await settle();
        if (batch.length > 0) write(batch);
        batch = [];
        await settle();
        throw tooLarge(`A CSV import takes at most ${maxRows} rows: the first ${maxRows} were imported, split the rest into another file`, {
          field: "body",
          reason: `more than ${maxRows} rows`,
          imported: { inserted: result.inserted, updated: result.updated, failed: result.failed },
        });
      }
      result.rows++;
      const read = readCsvRow(columns, record.cells);
      if (!read.ok) {
        fail(record.row, read.field, read.reason);
        continue;
      }
      batch.push({ row: record.row, data: read.row });
      for (const cell of record.cells) batchBytes += cell.length;
      if (batch.length >= batchSize || batchBytes >= MAX_BATCH_BYTES) {
        // at most one batch waits while another is written: that is the backpressure on the upload
        await settle();
        write(batch);
        batch = [];
        batchBytes = 0;
      }
    }
    if (!columns) {
      if (headerBroken !== null) throw new AppError("VALIDATION_ERROR", "Invalid CSV header", [{ field: "header", message: headerBroken }]);
      throw new AppError("VALIDATION_ERROR", "The CSV is empty: a header row is expected", [{ field: "header", message: "missing" }]);
    }
    if (batch.length > 0) write(batch);
    await settle();
  } catch (e) {
    await writing;
    if (e instanceof AppError) throw e;
    if (e instanceof CsvError) throw malformedCsv(e, reader.counted(), { inserted: result.inserted, updated: result.updated, failed: result.failed });
    throw e;
  } finally {
    reader.release();
  }
  result.errors.sort((a, b) => a.row - b.row);
  return result;
}

/**
 * Every attribute of an imported row comes from a column of the header, so the account's key bound
 * is checked once, before any row: the keys it has used and the header's together.
 */
async function checkAttributeKeys(db: ScopedDb, accountId: string, columns: CsvColumn[]): Promise<void> {
  const keys = columns.flatMap((c) => (c.kind === "attribute" ? [c.key] : []));
  if (keys.length === 0) return;
  const [known] = await db.$queryRaw<{ total: number }[]>`
    SELECT count(*)::int AS total FROM (
      SELECT key FROM account_attribute_keys WHERE account_id = ${accountId}::uuid
      UNION SELECT unnest(${keys}::text[])
    ) k`;
  const total = known?.total ?? 0;
  if (total > MAX_ATTRIBUTE_KEYS_PER_ACCOUNT) {
    throw new AppError("VALIDATION_ERROR", "Invalid CSV header", [{ field: "header", message: tooManyAccountAttributeKeys(total) }]);
  }
}

/** Writes one batch: resolves username-only rows, folds repeated contacts, then one upsert. */
async function writeBatch(
  db: ScopedDb,
  scope: { merchantId: string; accountId: string },
  rows: Array<{ row: number; data: CsvContactRow }>,
  result: ContactsCsvImportResult,
  fail: (row: number, field: string | null, reason: string) => void,
): Promise<void> {
  const byUsername = await resolveUsernames(db, scope, rows);
  const pending = new Map<string, Pending>();
  for (const { row, data } of rows) {
    let key = data.twitterUserId;
    if (key === null) {
      const found = byUsername.get((data.username ?? "").toLowerCase()) ?? [];
      if (found.length !== 1) {
        fail(row, "username", found.length === 0
          ? `no contact @${data.username} in this account: a new contact needs its twitterUserId`
          : `@${data.username} names ${found.length} contacts of this account: give the twitterUserId`);
        continue;
      }
      key = found[0] ?? "";
    }
    const before = pending.get(key);
    pending.set(key, before
      ? {
          rows: [...before.rows, row],
          username: (data.twitterUserId === null ? null : data.username) ?? before.username,
          displayName: data.displayName ?? before.displayName,
          tags: mergeTags(before.tags, data.tags),
          attributes: mergeAttributes(before.attributes, data.attributes),
        }
      : { rows: [row], username: data.twitterUserId === null ? null : data.username, displayName: data.displayName, tags: data.tags, attributes: data.attributes });
  }

  // the rows of a contact named several times must fit the limits together
  for (const [key, p] of pending) {
    const problem = p.tags.length > MAX_TAGS_PER_CONTACT ? ["tags", tooManyTags(p.tags.length)] : Object.keys(p.attributes).length > MAX_ATTRIBUTES_PER_CONTACT ? ["attributes", tooManyAttributes(Object.keys(p.attributes).length)] : null;
    if (!problem) continue;
    for (const row of p.rows) fail(row, problem[0] ?? null, problem[1] ?? "");
    pending.delete(key);
  }
  if (pending.size === 0) return;

  // One JSON document per batch, unpacked by jsonb_to_recordset: PostgreSQL parses it in one go,
  // far cheaper for the driver than five arrays of thousands of parameters. Short keys keep it small.
  const input = JSON.stringify(
    [...pending].map(([key, p]) => ({ id: key, u: p.username, n: p.displayName, t: p.tags.length > 0 ? p.tags.join(CSV_TAG_SEPARATOR) : null, a: p.attributes })),
  );
  // Tags travel joined by | (no tag can hold one). Merged limits are checked in the conflict's
  // WHERE: a contact they would break is left as it is and comes back in `rejected`.
  const [outcome] = await db.$queryRaw<{ inserted: number; rejected: string[] }[]>`
    WITH input AS (
      SELECT * FROM jsonb_to_recordset(${input}::jsonb) AS r(id text, u text, n text, t text, a jsonb)
    ), keys AS (
      INSERT INTO account_attribute_keys (account_id, key)
      SELECT DISTINCT ${scope.accountId}::uuid, k FROM input i, jsonb_object_keys(coalesce(i.a, '{}')) AS k
      ON CONFLICT DO NOTHING
    ), upserted AS (
      INSERT INTO contacts AS c (merchant_id, account_id, twitter_user_id, username, display_name, tags, attributes, source, updated_at)
      SELECT ${scope.merchantId}, ${scope.accountId}::uuid, i.id, i.u, i.n, coalesce(string_to_array(i.t, ${CSV_TAG_SEPARATOR}), '{}'), coalesce(i.a, '{}'), 'import', now()
      FROM input i
      ORDER BY i.id
      ON CONFLICT (account_id, twitter_user_id) DO UPDATE SET
        username = coalesce(excluded.username, c.username),
        display_name = coalesce(excluded.display_name, c.display_name),
        tags = CASE WHEN cardinality(excluded.tags) = 0 THEN c.tags
                    ELSE ARRAY(SELECT tag FROM unnest(c.tags || excluded.tags) WITH ORDINALITY AS x(tag, pos) GROUP BY tag ORDER BY min(pos)) END,
        attributes = c.attributes || excluded.attributes,
        updated_at = now()
      WHERE c.merchant_id = ${scope.merchantId}
        AND (cardinality(excluded.tags) = 0 OR (SELECT count(DISTINCT tag) FROM unnest(c.tags || excluded.tags) AS tag) <= ${MAX_TAGS_PER_CONTACT})
        AND (excluded.attributes = '{}'::jsonb OR (SELECT count(*) FROM jsonb_object_keys(c.attributes || excluded.attributes)) <= ${MAX_ATTRIBUTES_PER_CONTACT})
      RETURNING c.twitter_user_id, (c.xmax::text = '0') AS inserted
    )
    SELECT (SELECT count(*) FROM upserted WHERE inserted)::int AS inserted,
           ARRAY(SELECT i.id FROM input i WHERE NOT EXISTS (SELECT 1 FROM upserted u WHERE u.twitter_user_id = i.id)) AS rejected`;
  const inserted = outcome?.inserted ?? 0;
  const rejected = new Set(outcome?.rejected ?? []);
  let accepted = 0;
  for (const [key, p] of pending) if (!rejected.has(key)) accepted += p.rows.length;
  // a contact named k times and created counts once as inserted and k-1 times as updated
  result.inserted += inserted;
  result.updated += accepted - inserted;
  if (rejected.size > 0) await explainRejected(db, scope, pending, rejected, fail);
}

/** Username-only rows → the X ids of the account's contacts with that username (case-insensitive). */
async function resolveUsernames(db: ScopedDb, scope: { merchantId: string; accountId: string }, rows: Array<{ data: CsvContactRow }>): Promise<Map<string, string[]>> {
  const names = [...new Set(rows.filter((r) => r.data.twitterUserId === null && r.data.username !== null).map((r) => (r.data.username ?? "").toLowerCase()))];
  if (names.length === 0) return new Map();
  const found = await db.$queryRaw<{ name: string; ids: string[] }[]>`
    SELECT lower(username) AS name, array_agg(twitter_user_id ORDER BY twitter_user_id) AS ids
    FROM contacts
    WHERE merchant_id = ${scope.merchantId} AND account_id = ${scope.accountId}::uuid AND lower(username) = ANY(${names}::text[])
    GROUP BY 1`;
  return new Map(found.map((f) => [f.name, f.ids]));
}

/** Says which limit each contact left unchanged by the upsert would have broken. */
async function explainRejected(
  db: ScopedDb,
  scope: { accountId: string },
  pending: Map<string, Pending>,
  rejected: Set<string>,
  fail: (row: number, field: string | null, reason: string) => void,
): Promise<void> {
  const current = await db.contact.findMany({ where: { accountId: scope.accountId, twitterUserId: { in: [...rejected] } }, select: { twitterUserId: true, tags: true, attributes: true } });
  const byId = new Map(current.map((c) => [c.twitterUserId, c]));
  for (const key of rejected) {
    const p = pending.get(key);
    if (!p) continue;
    const stored = byId.get(key);
    const tagCount = mergeTags(stored?.tags ?? [], p.tags).length;
    const attributeCount = Object.keys(mergeAttributes(toAttributes(stored?.attributes), p.attributes)).length;
    const [field, reason] = tagCount > MAX_TAGS_PER_CONTACT ? ["tags", tooManyTags(tagCount)] : attributeCount > MAX_ATTRIBUTES_PER_CONTACT ? ["attributes", tooManyAttributes(attributeCount)] : [null, "the contact could not be updated"];
    for (const row of p.rows) fail(row, field, reason);
  }
}
