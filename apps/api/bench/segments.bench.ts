// Segment counts on 1,000,000 contacts of one merchant (beside 100,000 of another): each segment
// counted through the compiler (compileSegmentPredicate, the SQL the service runs) and through a
// hand-written SQL string for the same predicate, interleaved in one run on one connection pool.
// p95 over 30 runs of each; one JSON line per case. Targets: selective (≤ 1 % match) ≤ 30 ms,
// broad compound ≤ 400 ms, compiled ≤ 1.3 × hand-written. The service's count (Prisma on top) is
// reported beside them.
//   BENCH_CONTACTS (1000000), BENCH_OTHER_CONTACTS (100000), BENCH_RUNS (30)
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import pg from "pg";
import { createDb, Prisma } from "@mkt-x/db";
import type { SegmentConditionData } from "@mkt-x/core";
import { compileSegmentPredicate, countSegmentContacts } from "@mkt-x/core/server";
import { createBenchDatabase } from "./bench-db.ts";
import { generateContacts } from "./generate-contacts.ts";

const CONTACTS = Number(process.env.BENCH_CONTACTS ?? 1_000_000);
const OTHER_CONTACTS = Number(process.env.BENCH_OTHER_CONTACTS ?? 100_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 30);
const WARMUP = 3;

interface Case {
  name: string;
  targetMs: number;
  conditions: SegmentConditionData[];
  /** the same predicate as a developer would write it by hand; $1 is the merchant */
  handWritten: (merchantId: string, now: Date) => { text: string; values: unknown[] };
}

const YEAR_MS = 365 * 86_400_000;
const CASES: Case[] = [
  {
    name: "selective",
    targetMs: 30,
    conditions: [{ field: "tags", operator: "contains", value: "wholesale" }],
    handWritten: (m) => ({ text: "SELECT count(*)::int AS n FROM contacts WHERE merchant_id = $1 AND tags @> ARRAY['wholesale']", values: [m] }),
  },
  {
    name: "selective_attribute",
    targetMs: 30,
    conditions: [
      { field: "attributes.plan", operator: "equals", value: "enterprise" },
      { field: "tags", operator: "contains", value: "vip" },
    ],
    handWritten: (m) => ({ text: `SELECT count(*)::int AS n FROM contacts WHERE merchant_id = $1 AND attributes @> '{"plan": "enterprise"}' AND tags @> ARRAY['vip']`, values: [m] }),
  },
  {
    name: "broad",
    targetMs: 400,
    conditions: [
      { field: "tags", operator: "containsAny", value: ["customer", "newsletter"] },
      { field: "optedOut", operator: "equals", value: false },
      { field: "lastInteractionAt", operator: "withinLastDays", value: 365 },
      { field: "attributes.purchaseCount", operator: "greaterOrEqual", value: 1 },
    ],
    handWritten: (m, now) => ({
      text: `SELECT count(*)::int AS n FROM contacts
             WHERE merchant_id = $1 AND tags && ARRAY['customer', 'newsletter'] AND NOT opted_out
               AND last_interaction_at BETWEEN $2 AND $3 AND (attributes ->> 'purchaseCount')::numeric >= 1`,
      values: [m, new Date(now.getTime() - YEAR_MS), now],
    }),
  },
];

const percentile = (samples: number[], p: number) => {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
};
const ms = (n: number) => Number(n.toFixed(2));

interface PlanNode {
  "Node Type": string;
  "Index Name"?: string;
  Plans?: PlanNode[];
}
/** The plan's shape, e.g. "Aggregate(Bitmap Heap Scan(Bitmap Index Scan on contacts_tags_idx))". */
const shape = (node: PlanNode): string =>
  `${node["Node Type"]}${node["Index Name"] ? ` on ${node["Index Name"]}` : ""}${node.Plans?.length ? `(${node.Plans.map(shape).join(", ")})` : ""}`;
async function planOf(pool: pg.Pool, q: { text: string; values: unknown[] }): Promise<string> {
  const { rows } = await pool.query<{ "QUERY PLAN": Array<{ Plan: PlanNode }> }>(`EXPLAIN (FORMAT JSON) ${q.text}`, q.values);
  const plan = rows[0]?.["QUERY PLAN"][0]?.Plan;
  return plan ? shape(plan) : "?";
}

async function timed(fn: () => Promise<number>): Promise<{ elapsed: number; n: number }> {
  const started = performance.now();
  const n = await fn();
  return { elapsed: performance.now() - started, n };
}

const benchDb = await createBenchDatabase(join(import.meta.dirname, "..", "..", ".."));
try {
  const merchantId = randomUUID();
  const generated = await generateContacts({ url: benchDb.url, merchantId, contacts: CONTACTS });
  if (OTHER_CONTACTS > 0) await generateContacts({ url: benchDb.url, merchantId: randomUUID(), contacts: OTHER_CONTACTS });
  console.log(JSON.stringify({ bench: "segments.generate", contacts: CONTACTS, otherMerchantContacts: OTHER_CONTACTS, seconds: generated.seconds }));

  const pool = new pg.Pool({ connectionString: benchDb.url, max: 2 });
  const db = createDb(benchDb.url, { poolSize: 2 });
  // the load's dirty pages written out now, not by a checkpoint in the middle of the measurements
  await pool.query("CHECKPOINT");
  const now = new Date();
  for (const c of CASES) {
    const compiledQuery = () => {
      const q = Prisma.sql`SELECT count(*)::int AS n FROM contacts c WHERE ${compileSegmentPredicate({ merchantId, conditions: c.conditions, now })}`;
      return { text: q.text, values: q.values };
    };
    // compiling is part of what is measured
    const compiled = async () => {
      const q = compiledQuery();
      return (await pool.query<{ n: number }>(q.text, q.values)).rows[0]?.n ?? -1;
    };
    const hand = async () => {
      const q = c.handWritten(merchantId, now);
      return (await pool.query<{ n: number }>(q.text, q.values)).rows[0]?.n ?? -1;
    };
    const service = () => countSegmentContacts(db, { merchantId, conditions: c.conditions, now });

    for (let i = 0; i < WARMUP; i++) for (const fn of [compiled, hand, service]) await fn();
    const samples = { compiled: [] as number[], hand: [] as number[], service: [] as number[] };
    const counts = new Set<number>();
    for (let i = 0; i < RUNS; i++) {
      // interleaved, the order turning each run, so drift and caching fall on both alike
      const order = i % 2 === 0 ? (["compiled", "hand", "service"] as const) : (["hand", "compiled", "service"] as const);
      for (const which of order) {
        const r = await timed(which === "compiled" ? compiled : which === "hand" ? hand : service);
        samples[which].push(r.elapsed);
        counts.add(r.n);
      }
    }
    const [matches] = [...counts];
    const compiledP95 = percentile(samples.compiled, 95);
    const handP95 = percentile(samples.hand, 95);
    const ratio = compiledP95 / handP95;
    console.log(
      JSON.stringify({
        bench: `segments.count.${c.name}`,
        contacts: CONTACTS,
        matches,
        matchPct: ms(((matches ?? 0) / CONTACTS) * 100),
        sameCount: counts.size === 1,
        runs: RUNS,
        compiledP95Ms: ms(compiledP95),
        compiledP50Ms: ms(percentile(samples.compiled, 50)),
        handWrittenP95Ms: ms(handP95),
        handWrittenP50Ms: ms(percentile(samples.hand, 50)),
        compiledOverHandWrittenP95: ms(ratio),
        serviceP95Ms: ms(percentile(samples.service, 95)),
        compiledPlan: await planOf(pool, compiledQuery()),
        handWrittenPlan: await planOf(pool, c.handWritten(merchantId, now)),
        targetMs: c.targetMs,
        targetRatio: 1.3,
        withinTargets: counts.size === 1 && compiledP95 <= c.targetMs && ratio <= 1.3,
      }),
    );
  }
  await pool.end();
  await db.$disconnect();
} finally {
  await benchDb.drop();
}
