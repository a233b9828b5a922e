// The segment compiler held to the in-memory reference evaluator: random contacts in a real
// database, random conditions for every field × operator (and random mixes of them, AND-ed and
// OR-ed), and SQL must answer exactly the contacts the evaluator picks. Then EXPLAIN: the
// selective conditions are served by the GIN indexes on tags and attributes.
import { randomUUID } from "node:crypto";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it, inject } from "vitest";
import { Prisma } from "@mkt-x/db";
import { createTestDatabase, type TestDatabase } from "@mkt-x/db/testing";
import { compileSegmentPredicate } from "../src/server/services/segments/compile-segment.ts";
import { evaluateSegment, type SegmentContact } from "../src/domain/evaluate-segment.ts";
import { parseIsoInstant, type SegmentConditionData, type SegmentConditionValue, type SegmentMatch, type SegmentOperator } from "../src/domain/segment-conditions.ts";

const NOW = new Date("2026-03-01T12:00:00.000Z");
const DAY = 86_400_000;

let database: TestDatabase;
const accountIds: string[] = [];
beforeAll(async () => {
  database = await createTestDatabase(inject("dbTemplate"));
  for (let i = 0; i < 3; i++) {
    const { rows } = await database.pool.query<{ id: string }>(
      "INSERT INTO x_accounts (merchant_id, twitter_user_id, username, display_name) VALUES ('accounts-owner', $1, $2, $2) RETURNING id",
      [`70000${i}`, `shop${i}`],
    );
    accountIds.push(rows[0]?.id ?? "");
  }
});
afterAll(async () => {
  await database?.drop();
});

// --- Random contacts: values drawn from small pools so that conditions often hit, with the awkward
// cases in them (case and accents, LIKE wildcards, numeric and date-like strings, NULLs, JSON null,
// arrays and objects in attributes, boundary instants).

const TEXTS = ["john", "John", "JOHN_doe", "jo", "Ünal", "ünal", "ÜNAL", "émile", "Émile", "Anna Smith", "anna", "a%b_c", "", " ", "7", "5.0", "true", "2026-02-27", "2026-02-27T10:00:00+02:00", "2026-02-30", "İstanbul", "straße", "ǅemal"];
const NEEDLES = ["jo", "JO", "Jo", "ün", "ÜN", "Ü", "mile", "%", "_", "a", "A", "2026", " ", "ss", "i", "ǆ", "anna s"];
const TAGS = ["vip", "new", "buyer", "churned", "café", "b2b"];
const KEYS = ["plan", "age", "score", "vip", "signup", "note"];
const NUMBERS = [-1, 0, 1, 2, 2.5, 3, 5, 10, 0.1, 0.3, 0.30000000000000004, 1e21, -0];
const BOUNDARY_DAYS = [1, 7, 30, 90];

const instantArb = fc.oneof(
  fc.constantFrom(NOW.getTime(), NOW.getTime() + 1, NOW.getTime() - 1, ...BOUNDARY_DAYS.map((d) => NOW.getTime() - d * DAY), ...BOUNDARY_DAYS.map((d) => NOW.getTime() - d * DAY - 1)),
  fc.integer({ min: -400 * DAY, max: 30 * DAY }).map((offset) => NOW.getTime() - offset),
  fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2030, 0, 1) }),
);
const dateArb = instantArb.map((ms) => new Date(ms));

const pad = (n: number, width = 2) => String(Math.abs(n)).padStart(width, "0");
/** The instant written in one of the ISO forms parseIsoInstant takes (or, now and then, a broken one). */
function isoText(ms: number, form: number, offsetMinutes: number): string {
  const utc = new Date(ms).toISOString();
  const local = new Date(ms + offsetMinutes * 60_000).toISOString();
  const zone = `${offsetMinutes < 0 ? "-" : "+"}${pad(Math.trunc(Math.abs(offsetMinutes) / 60))}:${pad(Math.abs(offsetMinutes) % 60)}`;
  switch (form) {
    case 0:
      return utc;
    case 1:
      return utc.slice(0, 10);
    case 2:
      return `${local.slice(0, 23)}${zone}`;
    case 3:
      return `${utc.slice(0, 16)}Z`;
    case 4:
      return `${utc.slice(0, 23)}456Z`;
    case 5:
      return utc.slice(0, 19); // no zone: not a date
    default:
      return `${utc.slice(0, 8)}32${utc.slice(10)}`; // day 32: not a date
  }
}
const isoArb = fc.tuple(instantArb, fc.integer({ min: 0, max: 6 }), fc.constantFrom(0, 60, -300, 330, -90, 840)).map(([ms, form, offset]) => isoText(ms, form, offset));

const numberArb = fc.oneof(fc.constantFrom(...NUMBERS), fc.integer({ min: -5, max: 12 }), fc.double({ noNaN: true, noDefaultInfinity: true }));
const attributeValueArb = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...TEXTS) },
  { weight: 3, arbitrary: numberArb },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 3, arbitrary: isoArb },
  // never written by the API, but the column is plain jsonb: they must read as "no value"
  { weight: 1, arbitrary: fc.constantFrom(null, ["vip"], { plan: "pro" }, [5]) },
);

interface GeneratedContact extends Omit<SegmentContact, "accountId"> {
  account: number;
}
const contactArb: fc.Arbitrary<GeneratedContact> = fc.record({
  account: fc.integer({ min: 0, max: 2 }),
  username: fc.option(fc.constantFrom(...TEXTS), { nil: null }),
  displayName: fc.option(fc.constantFrom(...TEXTS), { nil: null }),
  source: fc.constantFrom("inbound_message", "import", "new_follower", "Import", "csv-2026"),
  tags: fc.option(fc.subarray(TAGS), { nil: null, freq: 8 }),
  attributes: fc.dictionary(fc.constantFrom(...KEYS), attributeValueArb, { maxKeys: 5 }),
  conversationCount: fc.integer({ min: 0, max: 6 }),
  firstInteractionAt: fc.option(dateArb, { nil: null }),
  lastInteractionAt: fc.option(dateArb, { nil: null }),
  optedOut: fc.boolean(),
});
const contactsArb = fc.array(contactArb, { minLength: 1, maxLength: 14 });

// --- Random valid conditions, for every field × operator ---

const tagArb = fc.constantFrom(...TAGS, "VIP", " Buyer ", "unknown-tag");
const tagListArb = fc.array(tagArb, { minLength: 1, maxLength: 3 });
const textArb = fc.constantFrom(...TEXTS);
const textListArb = fc.array(textArb, { minLength: 1, maxLength: 4 });
const needleArb = fc.constantFrom(...NEEDLES);
const sortedPair = <T extends number | string>(arb: fc.Arbitrary<T>, key: (v: T) => number) => fc.tuple(arb, arb).map(([a, b]) => (key(a) <= key(b) ? [a, b] : [b, a]));
const daysArb = fc.oneof(fc.constantFrom(...BOUNDARY_DAYS, 365), fc.integer({ min: 1, max: 500 }));
// condition dates must be valid: only the well-formed ISO forms
const conditionIsoArb = fc.tuple(instantArb, fc.integer({ min: 0, max: 4 }), fc.constantFrom(0, 60, -300, 330)).map(([ms, form, offset]) => isoText(ms, form, offset));
const instantOf = (s: string) => parseIsoInstant(s) ?? 0;

type ValueArb = fc.Arbitrary<SegmentConditionValue> | null;
const TEXT_OPS: Array<[SegmentOperator, ValueArb]> = [
  ["equals", textArb],
  ["notEquals", textArb],
  ["contains", needleArb],
  ["notContains", needleArb],
  ["startsWith", needleArb],
  ["in", textListArb],
  ["exists", null],
  ["notExists", null],
];
const numberOps = (n: fc.Arbitrary<number>): Array<[SegmentOperator, ValueArb]> => [
  ["equals", n],
  ["notEquals", n],
  ["greaterThan", n],
  ["lessThan", n],
  ["greaterOrEqual", n],
  ["lessOrEqual", n],
  ["between", sortedPair(n, (v) => v)],
];
const DATE_OPS: Array<[SegmentOperator, ValueArb]> = [
  ["before", conditionIsoArb],
  ["after", conditionIsoArb],
  ["between", sortedPair(conditionIsoArb, instantOf)],
  ["withinLastDays", daysArb],
];
const BOOLEAN_OPS: Array<[SegmentOperator, ValueArb]> = [
  ["equals", fc.boolean()],
  ["notEquals", fc.boolean()],
];

interface Combo {
  field: string;
  operator: SegmentOperator;
  /** what the value is, where one operator takes several kinds (attributes) */
  kind: string;
  condition: fc.Arbitrary<SegmentConditionData>;
}
const attributeFieldArb = fc.constantFrom(...KEYS, "missing_key").map((k) => `attributes.${k}`);
function combos(): Combo[] {
  const out: Combo[] = [];
  const add = (field: string | fc.Arbitrary<string>, ops: Array<[SegmentOperator, ValueArb]>, kind: string) => {
    const fieldArb = typeof field === "string" ? fc.constant(field) : field;
    for (const [operator, value] of ops) {
      const condition = value === null ? fieldArb.map((f) => ({ field: f, operator })) : fc.tuple(fieldArb, value).map(([f, v]) => ({ field: f, operator, value: v }));
      out.push({ field: typeof field === "string" ? field : "attributes.<key>", operator, kind, condition });
    }
  };
  add("tags", [["contains", tagArb], ["notContains", tagArb], ["containsAny", tagListArb], ["containsAll", tagListArb]], "tags");
  for (const field of ["username", "displayName", "source"]) add(field, TEXT_OPS, "text");
  add("accountId", [["equals", fc.constantFrom(...accountIds, accountIds[0]?.toUpperCase() ?? "", randomUUID())], ["notEquals", fc.constantFrom(...accountIds)], ["in", fc.subarray([...accountIds, randomUUID()], { minLength: 1 })]], "id");
  add("conversationCount", numberOps(fc.integer({ min: -1, max: 7 })), "number");
  for (const field of ["firstInteractionAt", "lastInteractionAt"]) add(field, DATE_OPS, "date");
  add("optedOut", BOOLEAN_OPS, "boolean");
  add(attributeFieldArb, TEXT_OPS, "text");
  add(attributeFieldArb, numberOps(numberArb), "number");
  add(attributeFieldArb, DATE_OPS, "date");
  add(attributeFieldArb, BOOLEAN_OPS, "boolean");
  return out;
}

// --- SQL vs memory ---

async function insertContacts(merchantId: string, contacts: GeneratedContact[]): Promise<Array<SegmentContact & { id: string }>> {
  const rows = contacts.map((c) => ({ ...c, id: randomUUID(), accountId: accountIds[c.account] ?? "" }));
  await database.pool.query(
    `INSERT INTO contacts (id, merchant_id, account_id, twitter_user_id, username, display_name, tags, attributes, source, conversation_count, first_interaction_at, last_interaction_at, opted_out)
     SELECT x.id, $1, x.account_id, x.id::text, x.username, x.display_name, x.tags, x.attributes, x.source, x.conversation_count, x.first_at, x.last_at, x.opted_out
     FROM jsonb_to_recordset($2::jsonb) AS x(id uuid, account_id uuid, username text, display_name text, tags text[], attributes jsonb, source text,
                                             conversation_count int, first_at timestamptz, last_at timestamptz, opted_out boolean)`,
    [
      merchantId,
      JSON.stringify(
        rows.map((r) => ({
          id: r.id,
          account_id: r.accountId,
          username: r.username,
          display_name: r.displayName,
          tags: r.tags,
          attributes: r.attributes,
          source: r.source,
          conversation_count: r.conversationCount,
          first_at: r.firstInteractionAt?.toISOString() ?? null,
          last_at: r.lastInteractionAt?.toISOString() ?? null,
          opted_out: r.optedOut,
        })),
      ),
    ],
  );
  return rows;
}

/** The ids SQL selects and the ids the evaluator selects, for a fresh merchant holding these contacts. */
async function bothWays(contacts: GeneratedContact[], conditions: SegmentConditionData[], match: SegmentMatch) {
  const merchantId = `m-${randomUUID()}`;
  const stored = await insertContacts(merchantId, contacts);
  const predicate = compileSegmentPredicate({ merchantId, conditions, match, now: NOW });
  const rows = await database.db.$queryRaw<{ id: string }[]>`SELECT c.id FROM contacts c WHERE ${predicate}`;
  return {
    sql: rows.map((r) => r.id).sort(),
    memory: stored.filter((c) => evaluateSegment(c, { conditions, match, now: NOW })).map((c) => c.id).sort(),
  };
}

describe("compileSegmentPredicate against evaluateSegment (property-based, real PostgreSQL)", () => {
  it("covers every field × operator of the contract", () => {
    const covered = new Set(combos().map((c) => `${c.field} ${c.operator}`));
    const expected = [
      ...["contains", "notContains", "containsAny", "containsAll"].map((o) => `tags ${o}`),
      ...["username", "displayName", "source", "attributes.<key>"].flatMap((f) => ["equals", "notEquals", "contains", "notContains", "startsWith", "in", "exists", "notExists"].map((o) => `${f} ${o}`)),
      ...["equals", "notEquals", "in"].map((o) => `accountId ${o}`),
      ...["conversationCount", "attributes.<key>"].flatMap((f) => ["equals", "notEquals", "greaterThan", "lessThan", "greaterOrEqual", "lessOrEqual", "between"].map((o) => `${f} ${o}`)),
      ...["firstInteractionAt", "lastInteractionAt", "attributes.<key>"].flatMap((f) => ["before", "after", "between", "withinLastDays"].map((o) => `${f} ${o}`)),
      ...["optedOut", "attributes.<key>"].flatMap((f) => ["equals", "notEquals"].map((o) => `${f} ${o}`)),
    ];
    expect([...covered].sort()).toEqual([...new Set(expected)].sort());
  });

  it("selects the same contacts for each field × operator", { timeout: 180_000 }, async () => {
    for (const combo of combos()) {
      await fc.assert(
        fc.asyncProperty(contactsArb, combo.condition, async (contacts, condition) => {
          const { sql, memory } = await bothWays(contacts, [condition], "all");
          expect(sql, `${combo.field} ${combo.operator} (${combo.kind}): ${JSON.stringify(condition)}`).toEqual(memory);
        }),
        { numRuns: 15 },
      );
    }
  });

  it("selects the same contacts for random mixes of conditions, AND-ed and OR-ed", { timeout: 180_000 }, async () => {
    const all = combos();
    const mixArb = fc.array(fc.integer({ min: 0, max: all.length - 1 }).chain((i) => all[i]?.condition ?? fc.constant({ field: "optedOut", operator: "equals" as const, value: true })), { minLength: 0, maxLength: 4 });
    await fc.assert(
      fc.asyncProperty(contactsArb, mixArb, fc.constantFrom<SegmentMatch>("all", "any"), async (contacts, conditions, match) => {
        const { sql, memory } = await bothWays(contacts, conditions, match);
        expect(sql, `${match}: ${JSON.stringify(conditions)}`).toEqual(memory);
      }),
      { numRuns: 250 },
    );
  });

  it("never selects another merchant's contacts, even with no conditions", async () => {
    const mine = `m-${randomUUID()}`;
    const theirs = `m-${randomUUID()}`;
    const contact: GeneratedContact = { account: 0, username: "john", displayName: null, source: "import", tags: ["vip"], attributes: {}, conversationCount: 1, firstInteractionAt: null, lastInteractionAt: null, optedOut: false };
    const [own] = await insertContacts(mine, [contact]);
    await insertContacts(theirs, [contact, contact]);
    for (const conditions of [[], [{ field: "tags", operator: "contains", value: "vip" }]] satisfies SegmentConditionData[][]) {
      for (const match of ["all", "any"] as const) {
        const rows = await database.db.$queryRaw<{ id: string }[]>`SELECT c.id FROM contacts c WHERE ${compileSegmentPredicate({ merchantId: mine, conditions, match })}`;
        expect(rows.map((r) => r.id)).toEqual([own?.id]);
      }
    }
  });

  it("reads attribute dates exactly as parseIsoInstant does (mktx_iso_instant)", async () => {
    const pieces = fc.tuple(
      fc.constantFrom("0000", "0001", "1969", "2024", "2026", "9999"),
      fc.constantFrom("00", "01", "02", "04", "12", "13"),
      fc.constantFrom("00", "01", "28", "29", "30", "31", "32"),
      fc.constantFrom("", "T00:00", "T23:59:59", "T24:00", "T12:60", "T10:00:60", "T10:00:00.1", "T10:00:00.123456789", "T10:00:00.", " 10:00"),
      fc.constantFrom("", "Z", "z", "+00:00", "+05:30", "-14:00", "+24:00", "+05:60", "+0530"),
    );
    const samples = fc.sample(pieces.map(([y, m, d, time, zone]) => `${y}-${m}-${d}${time}${zone}`), 3000);
    const { rows } = await database.pool.query<{ s: string; ms: string | null }>(
      "SELECT s, (extract(epoch FROM mktx_iso_instant(s)) * 1000)::bigint::text AS ms FROM unnest($1::text[]) AS s",
      [samples],
    );
    const mismatches = rows.filter((r) => (r.ms === null ? null : Number(r.ms)) !== parseIsoInstant(r.s));
    expect(mismatches).toEqual([]);
    expect(rows.filter((r) => r.ms !== null).length).toBeGreaterThan(100);
  });
});

describe("the GIN indexes serve selective conditions (EXPLAIN)", () => {
  const merchantId = "explain-merchant";
  beforeAll(async () => {
    // 20,000 contacts shaped like real ones (bench/generate-contacts.ts): tag "rare" on 0.5 %, a
    // unique referral code on a third of them, plan and city on all
    await database.pool.query(
      `INSERT INTO contacts (merchant_id, account_id, twitter_user_id, username, display_name, tags, attributes, source, conversation_count, last_interaction_at)
       SELECT $1, $2, 'explain-' || g, 'user_' || g, 'Customer ' || g,
              CASE WHEN g % 200 = 0 THEN ARRAY['rare', 'customer'] ELSE ARRAY['customer', CASE WHEN g % 2 = 0 THEN 'newsletter' ELSE 'lead' END] END,
              jsonb_strip_nulls(jsonb_build_object(
                'plan', (ARRAY['free', 'basic', 'pro'])[1 + g % 3], 'city', (ARRAY['Berlin', 'Paris', 'Lima', 'Oslo', 'Tokyo'])[1 + g % 5],
                'purchaseCount', g % 21, 'lifetimeValue', (g % 2000) + 0.5, 'signupDate', to_char(date '2024-01-01' + g % 700, 'YYYY-MM-DD'),
                'referralCode', CASE WHEN g % 3 = 0 THEN 'r' || g END)),
              'import', g % 5, now() - (g % 365) * interval '1 day'
       FROM generate_series(1, 20000) AS g`,
      [merchantId, accountIds[0]],
    );
    // as after any bulk load: statistics, and the GIN pending lists merged into the indexes
    await database.pool.query("VACUUM (ANALYZE) contacts");
  });

  const plan = async (conditions: SegmentConditionData[], match: SegmentMatch = "all") => {
    const predicate = compileSegmentPredicate({ merchantId, conditions, match });
    const rows = await database.db.$queryRaw<{ "QUERY PLAN": string }[]>(Prisma.sql`EXPLAIN SELECT count(*) FROM contacts c WHERE ${predicate}`);
    return rows.map((r) => r["QUERY PLAN"]).join("\n");
  };

  // the planner is left to choose: enable_seqscan stays on
  it("tags contains a rare tag: Bitmap Index Scan on contacts_tags_idx", async () => {
    expect(await plan([{ field: "tags", operator: "contains", value: "rare" }])).toMatch(/Bitmap Index Scan on contacts_tags_idx/);
    expect(await plan([{ field: "tags", operator: "containsAll", value: ["rare", "customer"] }])).toMatch(/Bitmap Index Scan on contacts_tags_idx/);
  });

  it("attributes.<key> equals (and in) a selective value: Bitmap Index Scan on contacts_attributes_idx", async () => {
    expect(await plan([{ field: "attributes.referralCode", operator: "equals", value: "r123" }])).toMatch(/Bitmap Index Scan on contacts_attributes_idx/);
    expect(await plan([{ field: "attributes.referralCode", operator: "in", value: ["r3", "r6", "r9"] }])).toMatch(/Bitmap Index Scan on contacts_attributes_idx/);
  });

  it("a selective condition narrows a compound one, and match any ORs the two indexes", async () => {
    const compound = await plan([
      { field: "tags", operator: "contains", value: "rare" },
      { field: "conversationCount", operator: "greaterOrEqual", value: 1 },
      { field: "optedOut", operator: "equals", value: false },
    ]);
    expect(compound).toMatch(/Bitmap Index Scan on contacts_tags_idx/);
    const either = await plan([{ field: "tags", operator: "contains", value: "rare" }, { field: "attributes.referralCode", operator: "equals", value: "r9" }], "any");
    expect(either).toMatch(/BitmapOr[\s\S]*contacts_tags_idx[\s\S]*contacts_attributes_idx|BitmapOr[\s\S]*contacts_attributes_idx[\s\S]*contacts_tags_idx/);
  });

  it("counts what the plan finds", async () => {
    const count = async (conditions: SegmentConditionData[]) =>
      (await database.db.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM contacts c WHERE ${compileSegmentPredicate({ merchantId, conditions })}`)[0]?.n;
    expect(await count([{ field: "tags", operator: "contains", value: "rare" }])).toBe(100);
    expect(await count([{ field: "attributes.referralCode", operator: "equals", value: "r123" }])).toBe(1);
    expect(await count([{ field: "attributes.referralCode", operator: "equals", value: "r124" }])).toBe(0);
  });
});
