// The CSV shape of contacts, both ways. One header row, then one contact per row:
//
//   twitterUserId  X's numeric user id: the key of the upsert (account, twitterUserId)
//   username       the @handle (leading @ optional); alone, without twitterUserId, it finds an
//                  existing contact of the account by username (case-insensitive) and updates it
//   displayName    the name shown
//   tags           tags separated by | or ;  — added to the contact's tags (normalized)
//   attr.<key>     one column per custom attribute, <key> as in the attribute rules
//
// Column names are case-insensitive except the <key> of attr. columns; any other column is refused.
// An empty cell leaves the stored value as it is. Attribute cells are typed: true/false (any case)
// → boolean; a JSON number (no leading zeros, within double precision for integers) → number; a
// JSON string literal ("…", quotes doubled inside CSV) → exactly that string; anything else →
// the text, trimmed. The export writes a string as a JSON literal whenever reading it back raw
// would give another value, so export → import round-trips.
//
// Formula injection (OWASP "CSV Injection"): a spreadsheet runs a cell that begins with =, +, -, @,
// a tab or a carriage return as a formula, and X users choose their own display names. The export
// prefixes every such cell with a single quote ('=1+1 is shown as text), and every cell that already
// is quotes followed by one of those characters with one more quote, so the import can take exactly
// one leading quote off such cells and read back what was stored.
import {
  MAX_ATTRIBUTES_PER_CONTACT,
  MAX_TAGS_PER_CONTACT,
  attributeKeyProblem,
  attributeValueProblem,
  normalizeTag,
  tagProblem,
  tooManyAttributes,
  tooManyTags,
  type ContactAttributeValue,
  type ContactAttributes,
} from "./contact-fields.ts";
import { isStorableText } from "./storable-text.ts";

export const ATTRIBUTE_COLUMN_PREFIX = "attr.";
export const CSV_TAG_SEPARATOR = "|";
const FIXED_COLUMNS = ["twitterUserId", "username", "displayName", "tags"] as const;
type FixedColumn = (typeof FIXED_COLUMNS)[number];

export type CsvColumn = { kind: FixedColumn } | { kind: "attribute"; key: string };
export interface CsvProblem {
  field: string;
  message: string;
}

const TWITTER_USER_ID = /^[0-9]{1,20}$/;
const USERNAME = /^[A-Za-z0-9_]{1,50}$/;
const MAX_DISPLAY_NAME = 100;
const JSON_NUMBER = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/;
const INTEGER = /^-?[0-9]+$/;

/** The columns of a header row, or what is wrong with it. */
export function readCsvHeader(cells: readonly string[]): { columns: CsvColumn[] } | { problems: CsvProblem[] } {
  const problems: CsvProblem[] = [];
  const columns: CsvColumn[] = [];
  const seen = new Set<string>();
  cells.forEach((raw, i) => {
    const name = raw.trim();
    const field = `header.${i + 1}`;
    const fixed = FIXED_COLUMNS.find((c) => c.toLowerCase() === name.toLowerCase());
    let column: CsvColumn | null = null;
    if (fixed) column = { kind: fixed };
    else if (name.toLowerCase().startsWith(ATTRIBUTE_COLUMN_PREFIX)) {
      const key = name.slice(ATTRIBUTE_COLUMN_PREFIX.length);
      const problem = attributeKeyProblem(key);
      if (problem) problems.push({ field, message: `column "${name}": ${problem}` });
      else column = { kind: "attribute", key };
    } else {
      problems.push({ field, message: `unknown column "${name}": expected twitterUserId, username, displayName, tags or attr.<key>` });
    }
    if (!column) return;
    const id = column.kind === "attribute" ? `attr.${column.key}` : column.kind;
    if (seen.has(id)) problems.push({ field, message: `column "${name}" appears twice` });
    seen.add(id);
    columns.push(column);
  });
  if (!columns.some((c) => c.kind === "twitterUserId" || c.kind === "username")) {
    problems.push({ field: "header", message: "a twitterUserId or a username column is required" });
  }
  return problems.length > 0 ? { problems } : { columns };
}

export interface CsvContactRow {
  /** null: a username-only row, which updates the existing contact of that username */
  twitterUserId: string | null;
  username: string | null;
  displayName: string | null;
  tags: string[];
  attributes: ContactAttributes;
}

export type CsvRowResult = { ok: true; row: CsvContactRow } | { ok: false; field: string | null; reason: string };
const refuse = (field: string | null, reason: string): CsvRowResult => ({ ok: false, field, reason });

/** Quotes followed by a character a spreadsheet would start a formula with. */
const FORMULA_START = /^'*[=+\-@\t\r]/;
/** A cell as written to a CSV file: a formula-like cell is prefixed with a single quote (OWASP). */
export function neutralizeCsvCell(cell: string): string {
  return FORMULA_START.test(cell) ? `'${cell}` : cell;
}
/** The inverse of neutralizeCsvCell: one leading quote off a cell that export would have quoted. */
export function restoreCsvCell(cell: string): string {
  return cell.startsWith("'") && FORMULA_START.test(cell.slice(1)) ? cell.slice(1) : cell;
}

/** One data row, validated and normalized by the same rules as the API. */
export function readCsvRow(columns: readonly CsvColumn[], rawCells: readonly string[]): CsvRowResult {
  const cells = rawCells.map(restoreCsvCell);
  if (cells.length > columns.length) return refuse(null, `expected at most ${columns.length} columns, found ${cells.length}`);
  const row: CsvContactRow = { twitterUserId: null, username: null, displayName: null, tags: [], attributes: {} };
  for (let i = 0; i < columns.length; i++) {
    const column = columns[i];
    const cell = cells[i] ?? "";
    if (!column) continue;
    if (!isStorableText(cell)) return refuse(column.kind === "attribute" ? `${ATTRIBUTE_COLUMN_PREFIX}${column.key}` : column.kind, "contains a NUL character or an unpaired surrogate");
    const value = cell.trim();
    switch (column.kind) {
      case "twitterUserId":
        if (value === "") break;
        if (!TWITTER_USER_ID.test(value)) return refuse("twitterUserId", "twitterUserId must be X's numeric user id");
        row.twitterUserId = value;
        break;
      case "username": {
        const name = value.startsWith("@") ? value.slice(1) : value;
        if (name === "") break;
        if (!USERNAME.test(name)) return refuse("username", "username must be letters, digits or _ (50 at most)");
        row.username = name;
        break;
      }
      case "displayName":
        if (value === "") break;
        if ([...value].length > MAX_DISPLAY_NAME) return refuse("displayName", `displayName is at most ${MAX_DISPLAY_NAME} characters`);
        row.displayName = value;
        break;
      case "tags": {
        const tags = new Set<string>();
        for (const part of value.split(/[|;]/)) {
          const tag = normalizeTag(part);
          if (tag === "") continue;
          const problem = tagProblem(tag);
          if (problem) return refuse("tags", `${problem}: "${part.trim()}"`);
          tags.add(tag);
        }
        if (tags.size > MAX_TAGS_PER_CONTACT) return refuse("tags", tooManyTags(tags.size));
        row.tags = [...tags];
        break;
      }
      case "attribute": {
        const parsed = parseAttributeCell(cell);
        if (parsed === undefined) break;
        const problem = attributeValueProblem(parsed);
        if (problem) return refuse(`${ATTRIBUTE_COLUMN_PREFIX}${column.key}`, problem);
        row.attributes[column.key] = parsed;
        break;
      }
    }
  }
  const attributeCount = Object.keys(row.attributes).length;
  if (attributeCount > MAX_ATTRIBUTES_PER_CONTACT) return refuse("attributes", tooManyAttributes(attributeCount));
  if (row.twitterUserId === null && row.username === null) return refuse("twitterUserId", "twitterUserId (or the username of an existing contact) is required");
  return { ok: true, row };
}

/** An attribute cell's value; undefined for an empty cell (leave the attribute as it is). */
export function parseAttributeCell(cell: string): ContactAttributeValue | undefined {
  const text = cell.trim();
  if (text === "") return undefined;
  const lower = text.toLowerCase();
  if (lower === "true") return true;
  if (lower === "false") return false;
  if (JSON_NUMBER.test(text)) {
    const n = Number(text);
    if (Number.isFinite(n) && (!INTEGER.test(text) || Number.isSafeInteger(n))) return n;
  }
  if (text.length >= 2 && text.startsWith('"') && text.endsWith('"')) {
    try {
      const literal: unknown = JSON.parse(text);
      if (typeof literal === "string") return literal;
    } catch {
      // not a JSON string literal: taken as text below
    }
  }
  return text;
}

/** An attribute value as a cell that parseAttributeCell reads back to the same value. */
export function formatAttributeCell(value: ContactAttributeValue | undefined): string {
  if (value === undefined) return "";
  if (typeof value !== "string") return String(value);
  return parseAttributeCell(value) === value ? value : JSON.stringify(value);
}

export function csvHeader(attributeKeys: readonly string[]): string[] {
  return [...FIXED_COLUMNS, ...attributeKeys.map((k) => `${ATTRIBUTE_COLUMN_PREFIX}${k}`)];
}

export function csvRecord(
  contact: { twitterUserId: string; username: string | null; displayName: string | null; tags: readonly string[]; attributes: ContactAttributes },
  attributeKeys: readonly string[],
): string[] {
  return [
    contact.twitterUserId,
    contact.username ?? "",
    contact.displayName ?? "",
    contact.tags.join(CSV_TAG_SEPARATOR),
    ...attributeKeys.map((k) => formatAttributeCell(contact.attributes[k])),
  ].map(neutralizeCsvCell);
}
