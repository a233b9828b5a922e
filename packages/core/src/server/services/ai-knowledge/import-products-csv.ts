// Products from CSV, upserted by SKU. Header (any order, case-insensitive): sku, name, price,
// currency required; description, stock, url, image_url, tags (separated by |), variants
// ("size:color:stock" items separated by |, e.g. "M:Red:5|L::0"). Streamed and bounded like the
// contacts import (server/csv); each row is checked with the API's own product schema.
import type { Readable } from "node:stream";
import { AppError } from "../../../errors.ts";
import { CreateProductInput, type ProductsCsvImportResult } from "../../../contract/ai-knowledge.ts";
import type { ScopedDb } from "../../scoped-db.ts";
import { CsvError, malformedCsv, MAX_IMPORT_ROWS, MAX_REPORTED_ERRORS, readCsvRecords, tooLarge } from "../../csv/read-csv-records.ts";
import { productStock } from "./products.ts";

const COLUMNS = ["sku", "name", "description", "price", "currency", "stock", "url", "image_url", "tags", "variants"] as const;
type Column = (typeof COLUMNS)[number];
const REQUIRED: Column[] = ["sku", "name", "price", "currency"];
const BATCH = 500;

function readHeader(cells: string[]): Map<Column, number> {
  const at = new Map<Column, number>();
  const problems: Array<{ field: string; message: string }> = [];
  cells.forEach((raw, i) => {
    const name = raw.trim().toLowerCase().replace(/^imageurl$/, "image_url") as Column;
    if (!(COLUMNS as readonly string[]).includes(name)) problems.push({ field: "header", message: `unknown column ${JSON.stringify(raw.slice(0, 50))}: expected ${COLUMNS.join(", ")}` });
    else if (at.has(name)) problems.push({ field: "header", message: `column ${name} given twice` });
    else at.set(name, i);
  });
  for (const c of REQUIRED) if (!at.has(c)) problems.push({ field: "header", message: `column ${c} is required` });
  if (problems.length > 0) throw new AppError("VALIDATION_ERROR", "Invalid CSV header", problems);
  return at;
}

type RowResult = { ok: true; product: CreateProductInput } | { ok: false; field: string | null; reason: string };

function readRow(at: Map<Column, number>, cells: string[]): RowResult {
  const cell = (c: Column) => {
    const i = at.get(c);
    const v = i === undefined ? "" : (cells[i] ?? "").trim();
    return v === "" ? undefined : v;
  };
  const num = (c: Column) => {
    const v = cell(c);
    return v === undefined ? undefined : /^-?\d+(?:\.\d+)?$/.test(v) ? Number(v) : Number.NaN;
  };
  const variants = cell("variants")?.split("|").map((item) => {
    const [size, color, stock] = item.split(":").map((p) => p.trim());
    return { ...(size ? { size } : {}), ...(color ? { color } : {}), stock: stock !== undefined && /^\d+$/.test(stock) ? Number(stock) : Number.NaN };
  });
  const parsed = CreateProductInput.safeParse({
    sku: cell("sku") ?? "",
    name: cell("name") ?? "",
    description: cell("description"),
    price: num("price"),
    currency: cell("currency") ?? "",
    stock: num("stock"),
    url: cell("url"),
    imageUrl: cell("image_url"),
    tags: cell("tags")?.split("|").map((t) => t.trim()).filter((t) => t !== ""),
    variants,
  });
  if (parsed.success) return { ok: true, product: parsed.data };
  const issue = parsed.error.issues[0];
  const field = issue?.path[0];
  return { ok: false, field: typeof field === "string" ? (field === "imageUrl" ? "image_url" : field) : null, reason: issue?.message ?? "invalid row" };
}

export async function importProductsCsv(db: ScopedDb, opts: { merchantId: string; csv: Readable; maxBytes?: number; maxRows?: number }): Promise<ProductsCsvImportResult> {
  const result: ProductsCsvImportResult = { rows: 0, inserted: 0, updated: 0, failed: 0, errors: [], errorsTruncated: false };
  const fail = (row: number, field: string | null, reason: string) => {
    result.failed++;
    if (result.errors.length < MAX_REPORTED_ERRORS) result.errors.push({ row, field, reason });
    else result.errorsTruncated = true;
  };
  let headerBroken: string | null = null;
  const reader = readCsvRecords(opts.csv, {
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
  let header: Map<Column, number> | null = null;
  let batch = new Map<string, CreateProductInput>();
  const flush = async () => {
    if (batch.size > 0) await writeBatch(db, opts.merchantId, [...batch.values()], result);
    batch = new Map();
  };
  try {
    for await (const record of reader.records) {
      if (!header) {
        if (headerBroken !== null || record.row !== 1) throw new AppError("VALIDATION_ERROR", "Invalid CSV header", [{ field: "header", message: headerBroken ?? "unreadable header row" }]);
        header = readHeader(record.cells);
        continue;
      }
      if (result.rows >= maxRows) {
        await flush();
        throw tooLarge(`A CSV import takes at most ${maxRows} rows: the first ${maxRows} were imported, split the rest into another file`, { field: "body", reason: `more than ${maxRows} rows` });
      }
      result.rows++;
      const read = readRow(header, record.cells);
      if (!read.ok) {
        fail(record.row, read.field, read.reason);
        continue;
      }
      // a SKU named twice in a batch: the later row wins (one upsert cannot touch a row twice)
      if (batch.has(read.product.sku)) result.updated++;
      batch.set(read.product.sku, read.product);
      if (batch.size >= BATCH) await flush();
    }
    if (!header) throw new AppError("VALIDATION_ERROR", "The CSV is empty: a header row is expected", [{ field: "header", message: headerBroken ?? "missing" }]);
    await flush();
  } catch (e) {
    if (e instanceof CsvError) throw malformedCsv(e, reader.counted(), { inserted: result.inserted, updated: result.updated, failed: result.failed });
    throw e;
  } finally {
    reader.release();
  }
  result.errors.sort((a, b) => a.row - b.row);
  return result;
}

async function writeBatch(db: ScopedDb, merchantId: string, products: CreateProductInput[], result: ProductsCsvImportResult): Promise<void> {
  const input = JSON.stringify(
    products.map((p) => ({
      sku: p.sku, name: p.name, description: p.description ?? null, price: p.price, currency: p.currency, variants: p.variants ?? [],
      stock: productStock(p.stock, p.variants), url: p.url ?? null, image_url: p.imageUrl ?? null, tags: [...new Set(p.tags ?? [])],
    })),
  );
  const [outcome] = await db.$queryRaw<Array<{ inserted: number; total: number }>>`
    WITH input AS (
      SELECT * FROM jsonb_to_recordset(${input}::jsonb)
        AS r(sku text, name text, description text, price numeric, currency text, variants jsonb, stock int, url text, image_url text, tags text[])
    ), upserted AS (
      INSERT INTO ai_products AS p (merchant_id, sku, name, description, price, currency, variants, stock, url, image_url, tags, updated_at)
      SELECT ${merchantId}, i.sku, i.name, i.description, i.price, i.currency, i.variants, i.stock, i.url, i.image_url, coalesce(i.tags, '{}'), now()
      FROM input i
      ON CONFLICT (merchant_id, sku) DO UPDATE SET
        name = excluded.name, description = excluded.description, price = excluded.price, currency = excluded.currency,
        variants = excluded.variants, stock = excluded.stock, url = excluded.url, image_url = excluded.image_url, tags = excluded.tags, updated_at = now()
      WHERE p.merchant_id = ${merchantId}
      RETURNING (p.xmax::text = '0') AS inserted
    )
    SELECT (SELECT count(*) FROM upserted WHERE inserted)::int AS inserted, (SELECT count(*) FROM upserted)::int AS total`;
  result.inserted += outcome?.inserted ?? 0;
  result.updated += (outcome?.total ?? 0) - (outcome?.inserted ?? 0);
}
