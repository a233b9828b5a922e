// Streamed, bounded CSV reading shared by every import (contacts, products): the upload is parsed
// as it arrives, never held whole; a byte bound, a record-size bound and row numbering that keeps
// skipped records in place; after an early stop the rest of a small upload is drained.
import { Transform, type Readable } from "node:stream";
import { parse, CsvError } from "csv-parse";
import { AppError } from "../../errors.ts";

/** an upload larger than this is refused (413): early by its Content-Length, else when it gets there */
export const MAX_IMPORT_BYTES = 512 * 1024 * 1024;
/** data rows one import takes; the rest of a longer file is refused (413) */
export const MAX_IMPORT_ROWS = 1_000_000;
/** a record bigger than this (an unclosed quote swallowing the file) stops the import */
export const MAX_RECORD_BYTES = 64 * 1024;
export const MAX_REPORTED_ERRORS = 1_000;
/** after an early stop, how much more of the upload is read and dropped before reading stops */
const DRAIN_BYTES = 1024 * 1024;

export const tooLarge = (message: string, details: Record<string, unknown>) => new AppError("VALIDATION_ERROR", message, details, 413);

/** Passes bytes through and fails the stream once more than `limit` have come. */
function byteLimit(limit: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      if (seen > limit) done(tooLarge(`The CSV is larger than ${limit} bytes`, { field: "body", reason: `more than ${limit} bytes` }));
      else done(null, chunk);
    },
  });
}

export interface CsvRecord {
  /** the record's position in the file, the header being 1 (blank lines not counted) */
  row: number;
  cells: string[];
}

export interface CsvRecordReader {
  records: AsyncIterable<CsvRecord>;
  /** how many records were met so far (read or skipped) */
  counted: () => number;
  /** reads and drops what is left of a small upload (call in `finally`) */
  release: () => void;
}

/**
 * Opens a CSV stream for reading record by record. A record the parser cannot read (broken
 * quoting) is handed to `onSkip` with its row number and is not yielded; a record past
 * MAX_RECORD_BYTES ends the reading with a CsvError.
 */
export function readCsvRecords(csv: Readable, opts: { maxBytes?: number | undefined; onSkip: (row: number, reason: string) => void }): CsvRecordReader {
  let counted = 0;
  // the numbers of the records parsed but not yet consumed, in order (as many as the parser buffers)
  const rowNumbers: number[] = [];
  const parser = parse({
    bom: true,
    skip_empty_lines: true,
    relax_column_count: true,
    skip_records_with_error: true,
    max_record_size: MAX_RECORD_BYTES,
    on_record: (cells: string[]) => {
      rowNumbers.push(++counted);
      return cells;
    },
    on_skip: (err: CsvError | undefined) => {
      // a record past the size bound (an unclosed quote swallowing the file) ends the import:
      // skipping it would read the rest of the file as that record
      if (err?.code === "CSV_MAX_RECORD_SIZE") {
        parser.destroy(err);
        return undefined;
      }
      opts.onSkip(++counted, `malformed CSV: ${err?.message ?? "unreadable record"}`);
      return undefined;
    },
  });
  const limited = byteLimit(Math.min(opts.maxBytes ?? MAX_IMPORT_BYTES, MAX_IMPORT_BYTES));
  csv.on("error", (e) => limited.destroy(e));
  limited.on("error", (e) => parser.destroy(e));
  csv.pipe(limited).pipe(parser);

  async function* records(): AsyncGenerator<CsvRecord> {
    for await (const cells of parser as AsyncIterable<string[]>) yield { row: rowNumbers.shift() ?? counted, cells };
  }

  return {
    records: records(),
    counted: () => counted,
    release: () => {
      // An early stop must not leave a small upload hanging: read and drop the rest, up to
      // DRAIN_BYTES; beyond that stop reading (the route answers with Connection: close).
      if (csv.readableEnded) return;
      csv.unpipe(limited);
      let drained = 0;
      const drop = (chunk: Buffer) => {
        drained += chunk.length;
        if (drained > DRAIN_BYTES) {
          csv.off("data", drop);
          csv.pause();
        }
      };
      csv.on("data", drop);
      csv.resume();
    },
  };
}

/** A CsvError met while reading, as the 400 the imports answer (with what was imported so far). */
export function malformedCsv(e: CsvError, afterRow: number, imported: Record<string, number>): AppError {
  return new AppError("VALIDATION_ERROR", `Malformed CSV after row ${afterRow}: ${e.message}`, { row: afterRow, reason: e.code, imported });
}

export { CsvError };
