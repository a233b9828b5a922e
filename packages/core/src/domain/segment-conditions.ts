// The segment condition language: which fields, operators and values a condition may have, how a
// condition is checked and normalized, and what it means. The API, the SQL compiler
// (server/services/segments/compile-segment.ts) and the in-memory evaluator (evaluate-segment.ts)
// all read conditions through `validateSegmentConditions`, so they agree on every rule below.
//
// Semantics, decided once here:
// - Every condition is two-valued. A negated operator (notEquals, notContains, notExists, tags
//   notContains) is the exact complement of its positive form: it matches wherever the positive
//   form does not, including contacts that have no value at all (a NULL column, a missing
//   attribute, an attribute of another type). Positive and comparison operators never match a
//   missing value.
// - equals, notEquals and in compare text exactly (case and accents matter). contains,
//   notContains and startsWith ignore ASCII case only (A-Z = a-z): identical on every PostgreSQL
//   version and server locale, and exact for X usernames, which are ASCII.
// - Tags are normalized like stored tags (trimmed, NFC, lower-cased) and compared exactly.
// - An attribute is typed by its stored JSON value and the condition's value: text operators
//   match string values, number operators number values, boolean equals boolean values, date
//   operators strings in the ISO form of `parseIsoInstant`. `exists` holds for any string, number
//   or boolean value (JSON null, arrays and objects count as missing).
// - Values are JSON-typed: a number is a JSON number ("5" is refused), a boolean true or false.
// - Dates: before/after are strict, between is inclusive at both ends, withinLastDays N is
//   [now - N × 24 h, now] inclusive.
// - Conditions are AND-ed (match "all") or OR-ed (match "any"); no conditions: every contact.
import { ATTRIBUTE_KEY_PATTERN, attributeKeyProblem, normalizeTag, tagProblem } from "./contact-fields.ts";

export const SEGMENT_MATCH_MODES = ["all", "any"] as const;
export type SegmentMatch = (typeof SEGMENT_MATCH_MODES)[number];

export const TEXT_OPERATORS = ["equals", "notEquals", "contains", "notContains", "startsWith", "in", "exists", "notExists"] as const;
export const NUMBER_OPERATORS = ["equals", "notEquals", "greaterThan", "lessThan", "greaterOrEqual", "lessOrEqual", "between"] as const;
export const DATE_OPERATORS = ["before", "after", "between", "withinLastDays"] as const;
export const TAG_OPERATORS = ["contains", "notContains", "containsAny", "containsAll"] as const;
export const BOOLEAN_OPERATORS = ["equals", "notEquals"] as const;
export const ID_OPERATORS = ["equals", "notEquals", "in"] as const;
/** Every operator of any type, once. */
export const SEGMENT_OPERATORS = [
  "equals", "notEquals", "contains", "notContains", "startsWith", "in", "exists", "notExists",
  "greaterThan", "lessThan", "greaterOrEqual", "lessOrEqual", "between",
  "before", "after", "withinLastDays",
  "containsAny", "containsAll",
] as const;
export type SegmentOperator = (typeof SEGMENT_OPERATORS)[number];

/** The contact fields a condition can name, besides `attributes.<key>`, with the type that picks their operators. */
export const SEGMENT_FIELD_TYPES = {
  tags: "tags",
  username: "text",
  displayName: "text",
  source: "text",
  accountId: "id",
  conversationCount: "number",
  firstInteractionAt: "date",
  lastInteractionAt: "date",
  optedOut: "boolean",
} as const;
export type SegmentColumnField = keyof typeof SEGMENT_FIELD_TYPES;
const isColumnField = (field: string): field is SegmentColumnField => Object.hasOwn(SEGMENT_FIELD_TYPES, field);
const isOperator = (op: string): op is SegmentOperator => (SEGMENT_OPERATORS as readonly string[]).includes(op);
export const ATTRIBUTE_FIELD_PREFIX = "attributes.";

const OPERATORS_BY_TYPE: Record<(typeof SEGMENT_FIELD_TYPES)[SegmentColumnField] | "attribute", readonly string[]> = {
  tags: TAG_OPERATORS,
  text: TEXT_OPERATORS,
  id: ID_OPERATORS,
  number: NUMBER_OPERATORS,
  date: DATE_OPERATORS,
  boolean: BOOLEAN_OPERATORS,
  attribute: [...new Set([...TEXT_OPERATORS, ...NUMBER_OPERATORS, ...DATE_OPERATORS])],
};

export const MAX_SEGMENT_CONDITIONS = 50;
export const MAX_CONDITION_VALUES = 100;
export const MAX_CONDITION_TEXT = 500;
export const MAX_WITHIN_LAST_DAYS = 36_500;
const DAY_MS = 86_400_000;

export type SegmentConditionValue = string | number | boolean | string[] | number[];
/**
 * A condition as stored and answered: normalized (tags lower-cased, ids lower-cased, lists
 * deduplicated). A type rather than an interface, so that it is assignable to Prisma's JSON input.
 */
export type SegmentConditionData = {
  field: string;
  operator: SegmentOperator;
  /** absent for exists / notExists */
  value?: SegmentConditionValue;
};

// --- What a valid condition means: the form the compiler and the evaluator both work from ---

export type TextColumn = "username" | "displayName" | "source";
export type DateColumn = "firstInteractionAt" | "lastInteractionAt";
export interface AttributeRef {
  attribute: string;
}
export type TextSubject = TextColumn | AttributeRef;
export type NumberSubject = "conversationCount" | AttributeRef;
export type DateSubject = DateColumn | AttributeRef;
export type BooleanSubject = "optedOut" | AttributeRef;
export type NumberComparison = "eq" | "gt" | "lt" | "gte" | "lte";

/** A positive test; a rule may negate it. */
export type SegmentTest =
  | { kind: "textEquals"; subject: TextSubject; value: string }
  | { kind: "textIn"; subject: TextSubject; values: string[] }
  /** needle ASCII-lower-cased */
  | { kind: "textContains"; subject: TextSubject; needle: string }
  /** prefix ASCII-lower-cased */
  | { kind: "textStartsWith"; subject: TextSubject; prefix: string }
  | { kind: "exists"; subject: TextSubject }
  | { kind: "tagsAll"; tags: string[] }
  | { kind: "tagsAny"; tags: string[] }
  | { kind: "accountIn"; ids: string[] }
  | { kind: "numberCompare"; subject: NumberSubject; comparison: NumberComparison; value: number }
  | { kind: "numberBetween"; subject: NumberSubject; min: number; max: number }
  /** epoch milliseconds; an absent end is open */
  | { kind: "dateRange"; subject: DateSubject; from?: { ms: number; inclusive: boolean }; to?: { ms: number; inclusive: boolean } }
  | { kind: "withinLastDays"; subject: DateSubject; days: number }
  | { kind: "booleanEquals"; subject: BooleanSubject; value: boolean };

export interface SegmentRule {
  test: SegmentTest;
  /** the complement of the test: true wherever it is not */
  negated: boolean;
}

/** One faulty condition, as the API's 400 details list it (a type: assignable to AppError details). */
export type SegmentConditionError = {
  /** the condition's position in `conditions` */
  index: number;
  /** the request path at fault, e.g. conditions.2.operator */
  field: string;
  reason: string;
};

export type SegmentConditionsCheck =
  | { ok: true; conditions: SegmentConditionData[]; rules: SegmentRule[] }
  | { ok: false; errors: SegmentConditionError[] };

/** Lower-cases A-Z only, as PostgreSQL's lower() does under COLLATE "C". */
export const foldAsciiCase = (s: string): string => s.replace(/[A-Z]+/g, (m) => m.toLowerCase());

/** [from, to] of a withinLastDays test at `now`, inclusive. */
export const withinLastDaysRange = (days: number, now: Date) => ({ from: { ms: now.getTime() - days * DAY_MS, inclusive: true }, to: { ms: now.getTime(), inclusive: true } });

// The ISO 8601 subset dates are written in; the SQL function mktx_iso_instant (migration
// 20261128000040_segments_iso_instant) parses exactly the same strings to the same instants.
const ISO_INSTANT = /^([0-9]{4})-([0-9]{2})-([0-9]{2})(?:T([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]{1,9}))?)?(Z|([+-])([0-9]{2}):([0-9]{2})))?$/;

const daysInMonth = (year: number, month: number) => {
  const d = new Date(0);
  d.setUTCFullYear(year, month, 0);
  return d.getUTCDate();
};

/**
 * Epoch milliseconds of `YYYY-MM-DD` (midnight UTC) or `YYYY-MM-DDTHH:MM[:SS[.fraction]]` with `Z`
 * or `±HH:MM`; fractions beyond milliseconds are truncated. Null for anything else, including
 * impossible calendar dates and times without a zone.
 */
export function parseIsoInstant(s: string): number | null {
  const m = ISO_INSTANT.exec(s);
  if (!m) return null;
  const int = (i: number) => (m[i] === undefined ? 0 : Number(m[i]));
  const [year, month, day] = [int(1), int(2), int(3)];
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  const [hour, minute, second] = [int(4), int(5), int(6)];
  if (hour > 23 || minute > 59 || second > 59) return null;
  const ms = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, "0"));
  let offsetMinutes = 0;
  if (m[8] !== undefined && m[8] !== "Z") {
    if (int(10) > 23 || int(11) > 59) return null;
    offsetMinutes = (int(10) * 60 + int(11)) * (m[9] === "-" ? -1 : 1);
  }
  // setUTCFullYear, not Date.UTC: the latter reads years 0-99 as 1900-1999
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, ms);
  return d.getTime() - offsetMinutes * 60_000;
}

const utcYearStart = (year: number) => {
  const d = new Date(0);
  d.setUTCFullYear(year, 0, 1);
  return d.getTime();
};
// condition dates stay within years 0001-9999 (UTC), which every PostgreSQL parses as ISO text
const MIN_INSTANT = utcYearStart(1);
const MAX_INSTANT = utcYearStart(10_000) - 1;
const UNPAIRED_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

type Checked<T> = { value: T } | { reason: string };

function text(v: unknown, opts: { nonEmpty?: boolean } = {}): Checked<string> {
  if (typeof v !== "string") return { reason: "must be a string" };
  if (opts.nonEmpty && v.length === 0) return { reason: "must not be empty" };
  if (v.length > MAX_CONDITION_TEXT) return { reason: `must be at most ${MAX_CONDITION_TEXT} characters` };
  // PostgreSQL text holds neither NUL nor unpaired surrogates: such a value could never match
  if (v.includes("\u0000") || UNPAIRED_SURROGATE.test(v)) return { reason: "must be valid Unicode text without NUL characters" };
  return { value: v };
}

function list<T>(v: unknown, item: (x: unknown) => Checked<T>, what: string): Checked<T[]> {
  if (!Array.isArray(v) || v.length === 0) return { reason: `must be a non-empty array of ${what}` };
  if (v.length > MAX_CONDITION_VALUES) return { reason: `must hold at most ${MAX_CONDITION_VALUES} values` };
  const out: T[] = [];
  for (const [i, x] of v.entries()) {
    const checked = item(x);
    if ("reason" in checked) return { reason: `item ${i} ${checked.reason}` };
    if (!out.includes(checked.value)) out.push(checked.value);
  }
  return { value: out };
}

function tag(v: unknown): Checked<string> {
  if (typeof v !== "string") return { reason: "must be a tag (a string)" };
  const normalized = normalizeTag(v);
  const problem = tagProblem(normalized);
  return problem ? { reason: problem } : { value: normalized };
}

function uuid(v: unknown): Checked<string> {
  return typeof v === "string" && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v) ? { value: v.toLowerCase() } : { reason: "must be an account id (UUID)" };
}

function finiteNumber(v: unknown): Checked<number> {
  return typeof v === "number" && Number.isFinite(v) ? { value: v } : { reason: "must be a JSON number" };
}

function wholeNumber(v: unknown): Checked<number> {
  return typeof v === "number" && Number.isSafeInteger(v) ? { value: v } : { reason: "must be a whole JSON number" };
}

function instant(v: unknown): Checked<number> {
  if (typeof v !== "string") return { reason: "must be an ISO 8601 date string" };
  const ms = parseIsoInstant(v);
  if (ms === null) return { reason: "must be an ISO 8601 date (YYYY-MM-DD, or YYYY-MM-DDTHH:MM[:SS[.sss]] with Z or ±HH:MM)" };
  if (ms < MIN_INSTANT || ms > MAX_INSTANT) return { reason: "must fall between years 0001 and 9999 in UTC" };
  return { value: ms };
}

function pair<T extends number>(v: unknown, item: (x: unknown) => Checked<T>, what: string): Checked<[T, T]> {
  if (!Array.isArray(v) || v.length !== 2) return { reason: `must be [min, max], two ${what}` };
  const [a, b] = [item(v[0]), item(v[1])];
  if ("reason" in a) return { reason: `min ${a.reason}` };
  if ("reason" in b) return { reason: `max ${b.reason}` };
  if (a.value > b.value) return { reason: "min must not be greater than max" };
  return { value: [a.value, b.value] };
}

const NEGATIONS: Record<string, string> = { notEquals: "equals", notContains: "contains", notExists: "exists" };
const COMPARISONS: Record<string, NumberComparison> = { equals: "eq", greaterThan: "gt", lessThan: "lt", greaterOrEqual: "gte", lessOrEqual: "lte" };

interface Parsed {
  condition: SegmentConditionData;
  rule: SegmentRule;
}
type Outcome = { parsed: Parsed } | { error: { part: "field" | "operator" | "value" | null; reason: string } };

const valueError = (reason: string): Outcome => ({ error: { part: "value", reason } });

/** One condition: its meaning, or what is wrong with it. */
function parseCondition(raw: unknown): Outcome {
  if (!isRecord(raw)) return { error: { part: null, reason: "a condition is an object { field, operator, value }" } };
  const extra = Object.keys(raw).filter((k) => k !== "field" && k !== "operator" && k !== "value");
  if (extra.length > 0) return { error: { part: null, reason: `unknown key(s) ${extra.map((k) => `"${k}"`).join(", ")}: a condition has field, operator and value` } };
  const { field, operator, value } = raw;
  if (typeof field !== "string") return { error: { part: "field", reason: "field must be a string" } };

  const attribute: AttributeRef | null = field.startsWith(ATTRIBUTE_FIELD_PREFIX) ? { attribute: field.slice(ATTRIBUTE_FIELD_PREFIX.length) } : null;
  if (attribute) {
    const problem = attributeKeyProblem(attribute.attribute);
    if (problem) return { error: { part: "field", reason: `attributes.<key>: ${problem} (${ATTRIBUTE_KEY_PATTERN.source})` } };
  } else if (!isColumnField(field)) {
    return { error: { part: "field", reason: `unknown field "${field}": one of ${Object.keys(SEGMENT_FIELD_TYPES).join(", ")} or attributes.<key>` } };
  }
  const type = attribute ? "attribute" : SEGMENT_FIELD_TYPES[field as SegmentColumnField];
  const allowed = OPERATORS_BY_TYPE[type];
  if (typeof operator !== "string" || !isOperator(operator) || !allowed.includes(operator)) {
    return { error: { part: "operator", reason: `${typeof operator === "string" ? `unknown operator "${operator}"` : "operator must be a string"} for ${field}: one of ${allowed.join(", ")}` } };
  }
  const positive = NEGATIONS[operator] ?? operator;
  const negated = positive !== operator;
  const ok: Ok = (test, normalizedValue) => ({
    parsed: { condition: normalizedValue === undefined ? { field, operator } : { field, operator, value: normalizedValue }, rule: { test, negated } },
  });

  if (attribute) return parseAttribute(attribute, positive, value, ok);
  switch (field) {
    case "tags":
      return parseTags(positive, value, ok);
    case "accountId":
      return parseAccount(positive, value, ok);
    case "optedOut":
      return typeof value === "boolean" ? ok({ kind: "booleanEquals", subject: "optedOut", value }, value) : valueError("must be a JSON boolean (true or false)");
    case "conversationCount":
      return parseNumber("conversationCount", positive, value, wholeNumber, ok);
    case "firstInteractionAt":
    case "lastInteractionAt":
      return parseDate(field, positive, value, ok);
    default:
      return parseText(field as TextColumn, positive, value, ok);
  }
}

/** attributes.<key>: typed by the operator, and for equals / notEquals / between by the value. */
function parseAttribute(subject: AttributeRef, positive: string, value: unknown, ok: Ok): Outcome {
  if (positive === "equals") {
    if (typeof value === "number") return parseNumber(subject, positive, value, finiteNumber, ok);
    if (typeof value === "boolean") return ok({ kind: "booleanEquals", subject, value }, value);
    if (typeof value === "string") return parseText(subject, positive, value, ok);
    return valueError("must be a string, a number or a boolean");
  }
  if (positive === "between") {
    if (!Array.isArray(value)) return valueError("must be [min, max]: two numbers or two ISO 8601 dates");
    return typeof value[0] === "string" ? parseDate(subject, positive, value, ok) : parseNumber(subject, positive, value, finiteNumber, ok);
  }
  if ((NUMBER_OPERATORS as readonly string[]).includes(positive)) return parseNumber(subject, positive, value, finiteNumber, ok);
  if ((DATE_OPERATORS as readonly string[]).includes(positive)) return parseDate(subject, positive, value, ok);
  return parseText(subject, positive, value, ok);
}

function parseTags(positive: string, value: unknown, ok: Ok): Outcome {
  if (positive === "contains") {
    const t = tag(value);
    return "reason" in t ? valueError(t.reason) : ok({ kind: "tagsAll", tags: [t.value] }, t.value);
  }
  const tags = list(value, tag, "tags");
  if ("reason" in tags) return valueError(tags.reason);
  return ok({ kind: positive === "containsAny" ? "tagsAny" : "tagsAll", tags: tags.value }, tags.value);
}

function parseAccount(positive: string, value: unknown, ok: Ok): Outcome {
  if (positive === "in") {
    const ids = list(value, uuid, "account ids");
    return "reason" in ids ? valueError(ids.reason) : ok({ kind: "accountIn", ids: ids.value }, ids.value);
  }
  const id = uuid(value);
  return "reason" in id ? valueError(id.reason) : ok({ kind: "accountIn", ids: [id.value] }, id.value);
}

type Ok = (test: SegmentTest, normalizedValue?: SegmentConditionValue) => Outcome;

function parseText(subject: TextSubject, positive: string, value: unknown, ok: Ok): Outcome {
  if (positive === "exists") return value === undefined || value === null ? ok({ kind: "exists", subject }) : valueError("exists and notExists take no value");
  if (positive === "in") {
    const values = list(value, (x) => text(x), "strings");
    return "reason" in values ? valueError(values.reason) : ok({ kind: "textIn", subject, values: values.value }, values.value);
  }
  const t = text(value, { nonEmpty: positive !== "equals" });
  if ("reason" in t) return valueError(t.reason);
  if (positive === "equals") return ok({ kind: "textEquals", subject, value: t.value }, t.value);
  if (positive === "contains") return ok({ kind: "textContains", subject, needle: foldAsciiCase(t.value) }, t.value);
  return ok({ kind: "textStartsWith", subject, prefix: foldAsciiCase(t.value) }, t.value);
}

function parseNumber(subject: NumberSubject, positive: string, value: unknown, item: (x: unknown) => Checked<number>, ok: Ok): Outcome {
  if (positive === "between") {
    const range = pair(value, item, "numbers");
    return "reason" in range ? valueError(range.reason) : ok({ kind: "numberBetween", subject, min: range.value[0], max: range.value[1] }, range.value);
  }
  const n = item(value);
  if ("reason" in n) return valueError(n.reason);
  return ok({ kind: "numberCompare", subject, comparison: COMPARISONS[positive] ?? "eq", value: n.value }, n.value);
}

function parseDate(subject: DateSubject, positive: string, value: unknown, ok: Ok): Outcome {
  if (positive === "withinLastDays") {
    if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > MAX_WITHIN_LAST_DAYS) return valueError(`must be a whole number of days, 1 to ${MAX_WITHIN_LAST_DAYS}`);
    return ok({ kind: "withinLastDays", subject, days: value }, value);
  }
  if (positive === "between") {
    const range = pair(value, instant, "ISO 8601 dates");
    if ("reason" in range) return valueError(range.reason);
    return ok({ kind: "dateRange", subject, from: { ms: range.value[0], inclusive: true }, to: { ms: range.value[1], inclusive: true } }, value as string[]);
  }
  const at = instant(value);
  if ("reason" in at) return valueError(at.reason);
  const bound = { ms: at.value, inclusive: false };
  return ok(positive === "before" ? { kind: "dateRange", subject, to: bound } : { kind: "dateRange", subject, from: bound }, value as string);
}

/**
 * Checks conditions as a client sent them. Answers their normalized form and meaning, or one error
 * per faulty condition, each with the condition's index.
 */
export function validateSegmentConditions(input: readonly unknown[]): SegmentConditionsCheck {
  if (input.length > MAX_SEGMENT_CONDITIONS) return { ok: false, errors: [{ index: MAX_SEGMENT_CONDITIONS, field: "conditions", reason: `at most ${MAX_SEGMENT_CONDITIONS} conditions` }] };
  const conditions: SegmentConditionData[] = [];
  const rules: SegmentRule[] = [];
  const errors: SegmentConditionError[] = [];
  input.forEach((raw, index) => {
    const outcome = parseCondition(raw);
    if ("error" in outcome) {
      const { part, reason } = outcome.error;
      errors.push({ index, field: part ? `conditions.${index}.${part}` : `conditions.${index}`, reason });
    } else {
      conditions.push(outcome.parsed.condition);
      rules.push(outcome.parsed.rule);
    }
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, conditions, rules };
}

export const isSegmentMatch = (v: unknown): v is SegmentMatch => v === "all" || v === "any";
