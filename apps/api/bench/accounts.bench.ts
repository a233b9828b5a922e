// GET /api/v1/mkt-x/accounts through the whole stack (auth, PostgreSQL rate limit, tRPC, REST
// bridge, envelope, Prisma) beside a raw fastify + pg server answering the same query, in one run.
import Fastify from "fastify";
import pg from "pg";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import { startBenchApi } from "./bench-api.ts";
import { createBenchDatabase } from "./bench-db.ts";
import { measure } from "./measure.ts";

const durationSec = Number(process.env.BENCH_DURATION ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 16);

const benchDb = await createBenchDatabase(join(import.meta.dirname, "..", "..", ".."));
const merchantId = randomUUID();
const pool = new pg.Pool({ connectionString: benchDb.url, max: 10 });
// 20 accounts for the merchant measured, 2,000 for others around it
await pool.query(
  `INSERT INTO x_accounts (merchant_id, twitter_user_id, username, display_name, status)
   SELECT CASE WHEN g <= 20 THEN $1 ELSE 'other-' || (g % 200) END, g::text, 'user' || g, 'User ' || g, 'active'
   FROM generate_series(1, 2020) g`,
  [merchantId],
);
await pool.query("ANALYZE x_accounts");

const benchApi = await startBenchApi({ url: benchDb.url, pool });
const apiUrl = benchApi.url;

const baseline = Fastify();
baseline.get("/accounts", async () => {
  const [rows, count] = await Promise.all([
    pool.query("SELECT * FROM x_accounts WHERE merchant_id = $1 ORDER BY connected_at DESC, id ASC LIMIT 20 OFFSET 0", [merchantId]),
    pool.query("SELECT count(*)::int AS n FROM x_accounts WHERE merchant_id = $1", [merchantId]),
  ]);
  return { success: true, data: rows.rows, pagination: { page: 1, limit: 20, total: count.rows[0].n, totalPages: 1 } };
});
const baselineUrl = await baseline.listen({ port: 0, host: "127.0.0.1" });

const token = await benchApi.token(merchantId, "viewer");
const raw = await measure("accounts.list.baseline_fastify_pg", { url: `${baselineUrl}/accounts`, durationSec, connections });
const api = await measure("accounts.list.api", { url: `${apiUrl}/api/v1/mkt-x/accounts`, headers: { authorization: `Bearer ${token}` }, durationSec, connections });
console.log(JSON.stringify({ bench: "accounts.list.ratio", apiOverBaselineThroughput: Number((api.requestsPerSec / raw.requestsPerSec).toFixed(3)), apiP99Ms: api.p99Ms, baselineP99Ms: raw.p99Ms }));

await benchApi.close();
await baseline.close();
await pool.end();
await benchDb.drop();
