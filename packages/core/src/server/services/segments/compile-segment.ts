// Segment conditions → one parameterized SQL boolean over the contacts table aliased `c`, with the
// merchant filter included: `SELECT … FROM contacts c WHERE ${predicate}`, or inside the campaign
// fan-out's INSERT … SELECT. Values and attribute keys always travel as parameters; the only SQL
// text chosen here comes from fixed tables in this file. The semantics are those of
// domain/segment-conditions.ts, and domain/evaluate-segment.ts is held to be identical by a
// property-based test.
import { Prisma } from "@mkt-x/db";
import { AppError } from "../../../errors.ts";
import {
  validateSegmentConditions,
  withinLastDaysRange,
  type AttributeRef,
  type BooleanSubject,
  type DateSubject,
  type SegmentConditionData,
  type SegmentMatch,
  type SegmentRule,
  type SegmentTest,
  type TextSubject,
} from "../../../domain/segment-conditions.ts";

export { validateSegmentConditions, type SegmentConditionError, type SegmentConditionsCheck } from "../../../domain/segment-conditions.ts";

export interface CompileSegmentOptions {
  merchantId: string;
  conditions: readonly SegmentConditionData[];
  /** "all" (AND, the default) or "any" (OR) */
  match?: SegmentMatch;
  /** the moment withinLastDays counts back from; default: now */
  now?: Date;
}

/**
 * The segment as a predicate over `contacts c`. A contact of the merchant that matches makes it
 * TRUE; any other row makes it FALSE or NULL, which WHERE treats alike. To negate the whole
 * predicate write `(predicate) IS NOT TRUE`, never `NOT (predicate)`.
 * Throws a VALIDATION_ERROR (details [{ index, field, reason }]) on conditions the API would refuse.
 */
export function compileSegmentPredicate(opts: CompileSegmentOptions): Prisma.Sql {
  const check = validateSegmentConditions(opts.conditions);
  if (!check.ok) throw new AppError("VALIDATION_ERROR", "Invalid segment conditions", check.errors.map((e) => ({ ...e })));
  const merchant = Prisma.sql`c.merchant_id = ${opts.merchantId}::text`;
  if (check.rules.length === 0) return merchant;
  const now = opts.now ?? new Date();
  const clauses = check.rules.map((rule) => compileRule(rule, now));
  return Prisma.sql`(${merchant} AND (${Prisma.join(clauses, opts.match === "any" ? " OR " : " AND ")}))`;
}

function compileRule({ test, negated }: SegmentRule, now: Date): Prisma.Sql {
  const positive = compileTest(test, now);
  // the complement: true wherever the test is false or NULL (no value), as the evaluator says
  return negated ? Prisma.sql`((${positive}) IS NOT TRUE)` : Prisma.sql`(${positive})`;
}

const isAttribute = (s: unknown): s is AttributeRef => typeof s === "object" && s !== null;

const COLUMNS = {
  username: Prisma.raw("c.username"),
  displayName: Prisma.raw("c.display_name"),
  source: Prisma.raw("c.source"),
  conversationCount: Prisma.raw("c.conversation_count"),
  firstInteractionAt: Prisma.raw("c.first_interaction_at"),
  lastInteractionAt: Prisma.raw("c.last_interaction_at"),
  optedOut: Prisma.raw("c.opted_out"),
} as const;

const COMPARATORS = { eq: Prisma.raw("="), gt: Prisma.raw(">"), lt: Prisma.raw("<"), gte: Prisma.raw(">="), lte: Prisma.raw("<=") } as const;

const attr = (ref: AttributeRef) => Prisma.sql`(c.attributes -> ${ref.attribute}::text)`;
/** `{"key": value}`: attribute equality as jsonb containment, which the GIN index on attributes serves. */
const containsAttribute = (ref: AttributeRef, value: string | number | boolean) => Prisma.sql`c.attributes @> ${JSON.stringify({ [ref.attribute]: value })}::jsonb`;

/** The subject's text, NULL when absent or (for an attribute) not a string. */
const textOf = (s: TextSubject) => (isAttribute(s) ? Prisma.sql`(CASE WHEN jsonb_typeof(${attr(s)}) = 'string' THEN c.attributes ->> ${s.attribute}::text END)` : COLUMNS[s]);
/**
 * A number attribute compared by a jsonpath filter: one lookup per row, no text round trip, and
 * type-strict (a string "9", a boolean, an array or an object never compares with a number). Strict
 * mode keeps arrays from being unwrapped; a missing key is an error that silent=true turns into
 * NULL (no match). The path is a parameter built from the validated key; the numbers are variables.
 */
function attributeNumberFilter(ref: AttributeRef, filter: string, vars: Record<string, number>): Prisma.Sql {
  const path = `strict $.${JSON.stringify(ref.attribute)} ? (${filter})`;
  return Prisma.sql`jsonb_path_exists(c.attributes, ${path}::jsonpath, ${JSON.stringify(vars)}::jsonb, true)`;
}
const JSONPATH_COMPARATORS = { gt: ">", lt: "<", gte: ">=", lte: "<=" } as const;
/** The subject's instant; an attribute parses with mktx_iso_instant (NULL for anything but a strict ISO string). */
const instantOf = (s: DateSubject) => (isAttribute(s) ? Prisma.sql`mktx_iso_instant(c.attributes ->> ${s.attribute}::text)` : COLUMNS[s]);
/** conversationCount is validated whole: compared with a bigint, as the int column's index would want. */
const countParam = (n: number) => Prisma.sql`${String(n)}::bigint`;
const instantParam = (ms: number) => Prisma.sql`${new Date(ms).toISOString()}::timestamptz`;
/** ASCII-only case folding, whatever the server's locale: the same as foldAsciiCase. */
const folded = (s: TextSubject) => Prisma.sql`lower(${textOf(s)} COLLATE "C")`;

function range(value: Prisma.Sql, r: { from?: { ms: number; inclusive: boolean }; to?: { ms: number; inclusive: boolean } }): Prisma.Sql {
  const parts: Prisma.Sql[] = [];
  if (r.from) parts.push(Prisma.sql`${value} ${Prisma.raw(r.from.inclusive ? ">=" : ">")} ${instantParam(r.from.ms)}`);
  if (r.to) parts.push(Prisma.sql`${value} ${Prisma.raw(r.to.inclusive ? "<=" : "<")} ${instantParam(r.to.ms)}`);
  return Prisma.join(parts, " AND ");
}

function booleanTest(s: BooleanSubject, value: boolean): Prisma.Sql {
  return isAttribute(s) ? containsAttribute(s, value) : Prisma.sql`${COLUMNS[s]} = ${value}::boolean`;
}

function compileTest(test: SegmentTest, now: Date): Prisma.Sql {
  switch (test.kind) {
    case "textEquals":
      return isAttribute(test.subject) ? containsAttribute(test.subject, test.value) : Prisma.sql`${COLUMNS[test.subject]} = ${test.value}::text`;
    case "textIn": {
      const subject = test.subject;
      if (isAttribute(subject)) return Prisma.join(test.values.map((v) => containsAttribute(subject, v)), " OR ", "(", ")");
      return Prisma.sql`${COLUMNS[subject]} = ANY(${test.values}::text[])`;
    }
    case "textContains":
      return Prisma.sql`strpos(${folded(test.subject)}, ${test.needle}::text) > 0`;
    case "textStartsWith":
      return Prisma.sql`starts_with(${folded(test.subject)}, ${test.prefix}::text)`;
    case "exists":
      return isAttribute(test.subject)
        ? Prisma.sql`(c.attributes ? ${test.subject.attribute}::text AND jsonb_typeof(${attr(test.subject)}) IN ('string', 'number', 'boolean'))`
        : Prisma.sql`${COLUMNS[test.subject]} IS NOT NULL`;
    case "tagsAll":
      return Prisma.sql`c.tags @> ${test.tags}::text[]`;
    case "tagsAny":
      return Prisma.sql`c.tags && ${test.tags}::text[]`;
    case "accountIn": {
      const [only] = test.ids;
      return test.ids.length === 1 && only !== undefined ? Prisma.sql`c.account_id = ${only}::uuid` : Prisma.sql`c.account_id = ANY(${test.ids}::uuid[])`;
    }
    case "numberCompare": {
      const { subject, comparison, value } = test;
      if (!isAttribute(subject)) return Prisma.sql`${COLUMNS[subject]} ${COMPARATORS[comparison]} ${countParam(value)}`;
      // jsonb containment compares numbers numerically (5 = 5.0), and the GIN index serves it
      if (comparison === "eq") return containsAttribute(subject, value);
      return attributeNumberFilter(subject, `@ ${JSONPATH_COMPARATORS[comparison]} $v`, { v: value });
    }
    case "numberBetween":
      return isAttribute(test.subject)
        ? attributeNumberFilter(test.subject, "@ >= $min && @ <= $max", { min: test.min, max: test.max })
        : Prisma.sql`${COLUMNS[test.subject]} BETWEEN ${countParam(test.min)} AND ${countParam(test.max)}`;
    case "dateRange":
      return range(instantOf(test.subject), test);
    case "withinLastDays":
      return range(instantOf(test.subject), withinLastDaysRange(test.days, now));
    case "booleanEquals":
      return booleanTest(test.subject, test.value);
  }
}
