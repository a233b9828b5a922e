// The meaning of segment conditions on one contact in memory: the reference the SQL compiler is
// tested against (property-based, on random contacts). Production never filters contacts here.
import {
  foldAsciiCase,
  parseIsoInstant,
  validateSegmentConditions,
  withinLastDaysRange,
  type AttributeRef,
  type BooleanSubject,
  type DateSubject,
  type NumberSubject,
  type SegmentConditionData,
  type SegmentMatch,
  type SegmentRule,
  type SegmentTest,
  type TextSubject,
} from "./segment-conditions.ts";

/** A contact as stored: what the conditions can see. */
export interface SegmentContact {
  accountId: string;
  username: string | null;
  displayName: string | null;
  source: string;
  /** a NULL tags column reads as no tags */
  tags: readonly string[] | null;
  /** the stored JSON document, whatever it holds */
  attributes: Readonly<Record<string, unknown>>;
  conversationCount: number;
  firstInteractionAt: Date | null;
  lastInteractionAt: Date | null;
  optedOut: boolean;
}

export interface EvaluateSegmentOptions {
  conditions: readonly SegmentConditionData[];
  match?: SegmentMatch;
  /** the moment withinLastDays counts back from */
  now: Date;
}

/** Whether the contact is in the segment; throws on conditions that validateSegmentConditions refuses. */
export function evaluateSegment(contact: SegmentContact, opts: EvaluateSegmentOptions): boolean {
  const check = validateSegmentConditions(opts.conditions);
  if (!check.ok) throw new Error(`invalid segment conditions: ${check.errors.map((e) => `${e.field}: ${e.reason}`).join("; ")}`);
  const results = check.rules.map((rule) => evaluateRule(contact, rule, opts.now));
  if (results.length === 0) return true;
  return opts.match === "any" ? results.some(Boolean) : results.every(Boolean);
}

export const evaluateRule = (contact: SegmentContact, rule: SegmentRule, now: Date): boolean => evaluateTest(contact, rule.test, now) !== rule.negated;

const isAttribute = (s: unknown): s is AttributeRef => typeof s === "object" && s !== null;

function attribute(contact: SegmentContact, ref: AttributeRef): unknown {
  return Object.hasOwn(contact.attributes, ref.attribute) ? contact.attributes[ref.attribute] : undefined;
}

function textOf(contact: SegmentContact, s: TextSubject): string | null {
  if (isAttribute(s)) {
    const v = attribute(contact, s);
    return typeof v === "string" ? v : null;
  }
  return contact[s];
}

function numberOf(contact: SegmentContact, s: NumberSubject): number | null {
  if (isAttribute(s)) {
    const v = attribute(contact, s);
    return typeof v === "number" ? v : null;
  }
  return contact.conversationCount;
}

function instantOf(contact: SegmentContact, s: DateSubject): number | null {
  if (isAttribute(s)) {
    const v = attribute(contact, s);
    return typeof v === "string" ? parseIsoInstant(v) : null;
  }
  return contact[s]?.getTime() ?? null;
}

function booleanOf(contact: SegmentContact, s: BooleanSubject): boolean | null {
  if (isAttribute(s)) {
    const v = attribute(contact, s);
    return typeof v === "boolean" ? v : null;
  }
  return contact.optedOut;
}

function exists(contact: SegmentContact, s: TextSubject): boolean {
  if (!isAttribute(s)) return contact[s] !== null;
  const v = attribute(contact, s);
  return typeof v === "string" || typeof v === "number" || typeof v === "boolean";
}

const within = (ms: number, range: { from?: { ms: number; inclusive: boolean }; to?: { ms: number; inclusive: boolean } }) =>
  (range.from === undefined || (range.from.inclusive ? ms >= range.from.ms : ms > range.from.ms)) &&
  (range.to === undefined || (range.to.inclusive ? ms <= range.to.ms : ms < range.to.ms));

function evaluateTest(contact: SegmentContact, test: SegmentTest, now: Date): boolean {
  switch (test.kind) {
    case "textEquals":
      return textOf(contact, test.subject) === test.value;
    case "textIn": {
      const v = textOf(contact, test.subject);
      return v !== null && test.values.includes(v);
    }
    case "textContains": {
      const v = textOf(contact, test.subject);
      return v !== null && foldAsciiCase(v).includes(test.needle);
    }
    case "textStartsWith": {
      const v = textOf(contact, test.subject);
      return v !== null && foldAsciiCase(v).startsWith(test.prefix);
    }
    case "exists":
      return exists(contact, test.subject);
    case "tagsAll":
      return test.tags.every((t) => (contact.tags ?? []).includes(t));
    case "tagsAny":
      return test.tags.some((t) => (contact.tags ?? []).includes(t));
    case "accountIn":
      return test.ids.includes(contact.accountId.toLowerCase());
    case "numberCompare": {
      const v = numberOf(contact, test.subject);
      if (v === null) return false;
      switch (test.comparison) {
        case "eq":
          return v === test.value;
        case "gt":
          return v > test.value;
        case "lt":
          return v < test.value;
        case "gte":
          return v >= test.value;
        case "lte":
          return v <= test.value;
      }
      return false;
    }
    case "numberBetween": {
      const v = numberOf(contact, test.subject);
      return v !== null && v >= test.min && v <= test.max;
    }
    case "dateRange": {
      const v = instantOf(contact, test.subject);
      return v !== null && within(v, test);
    }
    case "withinLastDays": {
      const v = instantOf(contact, test.subject);
      return v !== null && within(v, withinLastDaysRange(test.days, now));
    }
    case "booleanEquals":
      return booleanOf(contact, test.subject) === test.value;
  }
}
