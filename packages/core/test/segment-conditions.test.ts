// The segment condition language without a database: what is refused (with the condition's
// index), how values are normalized, ISO dates, and the decided semantics on examples.
import { describe, expect, it } from "vitest";
import { parseIsoInstant, validateSegmentConditions, type SegmentConditionData } from "../src/domain/segment-conditions.ts";
import { evaluateSegment, type SegmentContact } from "../src/domain/evaluate-segment.ts";

const errorsOf = (conditions: unknown[]) => {
  const check = validateSegmentConditions(conditions);
  return check.ok ? [] : check.errors;
};

describe("validateSegmentConditions", () => {
  it("accepts every kind of condition and normalizes values", () => {
    const check = validateSegmentConditions([
      { field: "tags", operator: "contains", value: "  VIP " },
      { field: "tags", operator: "containsAny", value: ["Buyer", "buyer", "new"] },
      { field: "accountId", operator: "in", value: ["0B1F4D5A-1C2D-4E5F-8A9B-0C1D2E3F4A5B"] },
      { field: "username", operator: "exists" },
      { field: "displayName", operator: "notExists", value: null },
      { field: "attributes.purchaseCount", operator: "greaterThan", value: 5 },
      { field: "attributes.vip", operator: "equals", value: true },
      { field: "attributes.signup", operator: "between", value: ["2026-01-01", "2026-02-01T00:00:00+01:00"] },
      { field: "lastInteractionAt", operator: "withinLastDays", value: 30 },
      { field: "optedOut", operator: "equals", value: false },
      { field: "conversationCount", operator: "between", value: [1, 3] },
    ]);
    expect(check.ok).toBe(true);
    if (!check.ok) return;
    expect(check.conditions).toEqual([
      { field: "tags", operator: "contains", value: "vip" },
      { field: "tags", operator: "containsAny", value: ["buyer", "new"] },
      { field: "accountId", operator: "in", value: ["0b1f4d5a-1c2d-4e5f-8a9b-0c1d2e3f4a5b"] },
      { field: "username", operator: "exists" },
      { field: "displayName", operator: "notExists" },
      { field: "attributes.purchaseCount", operator: "greaterThan", value: 5 },
      { field: "attributes.vip", operator: "equals", value: true },
      { field: "attributes.signup", operator: "between", value: ["2026-01-01", "2026-02-01T00:00:00+01:00"] },
      { field: "lastInteractionAt", operator: "withinLastDays", value: 30 },
      { field: "optedOut", operator: "equals", value: false },
      { field: "conversationCount", operator: "between", value: [1, 3] },
    ]);
    expect(check.rules[1]).toEqual({ test: { kind: "tagsAny", tags: ["buyer", "new"] }, negated: false });
  });

  it("names each faulty condition by its index and the part at fault", () => {
    expect(
      errorsOf([
        { field: "tags", operator: "contains", value: "vip" },
        { field: "email", operator: "equals", value: "a@b.c" },
        { field: "tags", operator: "equals", value: "vip" },
        { field: "conversationCount", operator: "greaterThan", value: "5" },
        { field: "attributes.1bad", operator: "equals", value: "x" },
        "tags contains vip",
        { field: "tags", operator: "contains", value: "vip", extra: 1 },
      ]),
    ).toEqual([
      { index: 1, field: "conditions.1.field", reason: expect.stringContaining('unknown field "email"') },
      { index: 2, field: "conditions.2.operator", reason: expect.stringContaining('unknown operator "equals" for tags') },
      { index: 3, field: "conditions.3.value", reason: "must be a whole JSON number" },
      { index: 4, field: "conditions.4.field", reason: expect.stringContaining("attributes.<key>") },
      { index: 5, field: "conditions.5", reason: expect.any(String) },
      { index: 6, field: "conditions.6", reason: expect.stringContaining('"extra"') },
    ]);
  });

  it.each<[string, unknown]>([
    ["a numeric string for a number", { field: "attributes.n", operator: "greaterThan", value: "5" }],
    ["a string for a boolean", { field: "optedOut", operator: "equals", value: "true" }],
    ["a number for a text", { field: "username", operator: "contains", value: 5 }],
    ["an empty needle", { field: "username", operator: "contains", value: "" }],
    ["a value on exists", { field: "username", operator: "exists", value: "x" }],
    ["an empty in list", { field: "source", operator: "in", value: [] }],
    ["a non-UUID account", { field: "accountId", operator: "equals", value: "acc-1" }],
    ["between with min above max", { field: "conversationCount", operator: "between", value: [5, 1] }],
    ["between with one bound", { field: "attributes.n", operator: "between", value: [1] }],
    ["a fractional conversation count", { field: "conversationCount", operator: "equals", value: 1.5 }],
    ["zero days", { field: "lastInteractionAt", operator: "withinLastDays", value: 0 }],
    ["fractional days", { field: "lastInteractionAt", operator: "withinLastDays", value: 1.5 }],
    ["a zone-less time", { field: "lastInteractionAt", operator: "after", value: "2026-01-01T10:00" }],
    ["an impossible date", { field: "firstInteractionAt", operator: "before", value: "2026-02-30" }],
    ["a tag with a comma", { field: "tags", operator: "contains", value: "a,b" }],
    ["an object value", { field: "attributes.plan", operator: "equals", value: { a: 1 } }],
    ["a NUL character", { field: "displayName", operator: "equals", value: "a\u0000b" }],
    ["a number operator on a text field", { field: "username", operator: "greaterThan", value: 1 }],
    ["a date operator on a number field", { field: "conversationCount", operator: "before", value: "2026-01-01" }],
    ["exists on tags", { field: "tags", operator: "exists" }],
  ])("refuses %s", (_what, condition) => {
    expect(errorsOf([condition])).toEqual([{ index: 0, field: expect.stringMatching(/^conditions\.0/), reason: expect.any(String) }]);
  });

  it("refuses more than 50 conditions", () => {
    expect(errorsOf(Array.from({ length: 51 }, () => ({ field: "optedOut", operator: "equals", value: false })))).toHaveLength(1);
  });
});

describe("parseIsoInstant", () => {
  it.each<[string, string | null]>([
    ["2026-01-01", "2026-01-01T00:00:00.000Z"],
    ["2024-02-29", "2024-02-29T00:00:00.000Z"],
    ["2026-01-01T10:00Z", "2026-01-01T10:00:00.000Z"],
    ["2026-01-01T10:00:00.123456+05:30", "2026-01-01T04:30:00.123Z"],
    ["2026-01-01T23:00:00-02:00", "2026-01-02T01:00:00.000Z"],
    ["0099-06-01", "0099-06-01T00:00:00.000Z"],
    ["2026-02-29", null],
    ["2026-13-01", null],
    ["2026-01-01T24:00Z", null],
    ["2026-01-01T10:00", null],
    ["2026-01-01 10:00Z", null],
    ["0000-01-01", null],
    ["2026-1-1", null],
    ["yesterday", null],
  ])("%s", (text, iso) => {
    const ms = parseIsoInstant(text);
    expect(ms === null ? null : new Date(ms).toISOString()).toBe(iso);
  });
});

describe("semantics (evaluateSegment)", () => {
  const NOW = new Date("2026-03-01T12:00:00.000Z");
  const contact = (over: Partial<SegmentContact> = {}): SegmentContact => ({
    accountId: "0b1f4d5a-1c2d-4e5f-8a9b-0c1d2e3f4a5b",
    username: "John_Doe",
    displayName: null,
    source: "import",
    tags: ["vip"],
    attributes: { plan: "pro", purchaseCount: 8, score: "9", vip: true, signup: "2026-02-27T10:00:00+02:00" },
    conversationCount: 2,
    firstInteractionAt: null,
    lastInteractionAt: new Date(NOW.getTime() - 7 * 86_400_000),
    optedOut: false,
    ...over,
  });
  const is = (c: SegmentContact, ...conditions: SegmentConditionData[]) => evaluateSegment(c, { conditions, now: NOW });

  it("negations are complements: they match missing values", () => {
    expect(is(contact(), { field: "displayName", operator: "notEquals", value: "Bob" })).toBe(true);
    expect(is(contact(), { field: "displayName", operator: "notContains", value: "b" })).toBe(true);
    expect(is(contact(), { field: "attributes.city", operator: "notEquals", value: "Paris" })).toBe(true);
    expect(is(contact({ tags: null }), { field: "tags", operator: "notContains", value: "vip" })).toBe(true);
    expect(is(contact(), { field: "displayName", operator: "equals", value: "Bob" })).toBe(false);
    expect(is(contact(), { field: "attributes.city", operator: "contains", value: "a" })).toBe(false);
  });

  it("attributes are typed by their stored value", () => {
    expect(is(contact(), { field: "attributes.purchaseCount", operator: "greaterThan", value: 5 })).toBe(true);
    // "9" is a string: number operators do not see it, its negation does
    expect(is(contact(), { field: "attributes.score", operator: "greaterThan", value: 5 })).toBe(false);
    expect(is(contact(), { field: "attributes.score", operator: "notEquals", value: 9 })).toBe(true);
    expect(is(contact(), { field: "attributes.score", operator: "equals", value: "9" })).toBe(true);
    expect(is(contact(), { field: "attributes.vip", operator: "equals", value: true })).toBe(true);
    expect(is(contact(), { field: "attributes.signup", operator: "after", value: "2026-02-27T07:59:59Z" })).toBe(true);
    expect(is(contact(), { field: "attributes.signup", operator: "after", value: "2026-02-27T08:00:00Z" })).toBe(false);
    expect(is(contact(), { field: "attributes.vip", operator: "exists" })).toBe(true);
  });

  it("contains and startsWith ignore ASCII case only; equals is exact", () => {
    expect(is(contact(), { field: "username", operator: "contains", value: "DOE" })).toBe(true);
    expect(is(contact(), { field: "username", operator: "startsWith", value: "john_" })).toBe(true);
    expect(is(contact(), { field: "username", operator: "equals", value: "john_doe" })).toBe(false);
    expect(is(contact({ displayName: "Émile" }), { field: "displayName", operator: "contains", value: "émile" })).toBe(false);
    expect(is(contact({ displayName: "Émile" }), { field: "displayName", operator: "contains", value: "MILE" })).toBe(true);
  });

  it("dates: before/after strict, between and withinLastDays inclusive", () => {
    const at = contact().lastInteractionAt?.toISOString() ?? "";
    expect(is(contact(), { field: "lastInteractionAt", operator: "withinLastDays", value: 7 })).toBe(true);
    expect(is(contact({ lastInteractionAt: new Date(NOW.getTime() - 7 * 86_400_000 - 1) }), { field: "lastInteractionAt", operator: "withinLastDays", value: 7 })).toBe(false);
    expect(is(contact({ lastInteractionAt: new Date(NOW.getTime() + 1) }), { field: "lastInteractionAt", operator: "withinLastDays", value: 7 })).toBe(false);
    expect(is(contact(), { field: "lastInteractionAt", operator: "after", value: at })).toBe(false);
    expect(is(contact(), { field: "lastInteractionAt", operator: "between", value: [at, at] })).toBe(true);
    expect(is(contact(), { field: "firstInteractionAt", operator: "before", value: "2030-01-01" })).toBe(false);
  });

  it("no conditions: every contact; match any ORs", () => {
    expect(evaluateSegment(contact(), { conditions: [], now: NOW })).toBe(true);
    expect(evaluateSegment(contact(), { conditions: [], match: "any", now: NOW })).toBe(true);
    const conditions: SegmentConditionData[] = [
      { field: "tags", operator: "contains", value: "nope" },
      { field: "optedOut", operator: "equals", value: false },
    ];
    expect(evaluateSegment(contact(), { conditions, now: NOW })).toBe(false);
    expect(evaluateSegment(contact(), { conditions, match: "any", now: NOW })).toBe(true);
  });
});
