// Write-ahead log per DM, the database's own cost of each DM (what replicas, backups and the disk
// carry), measured with pg_current_wal_lsn before and after and attributed to tables with
// pg_walinspect. Two paths, each on a fresh checkpoint (so the first touch of each page after it,
// its full-page image, is counted as production would count it every checkpoint_timeout):
//   campaign: fan-out to the recorded send (recipients, DMs, send jobs, send windows, live events)
//   inbound:  a signed X webhook through the API to the applied message (event stored, job, message,
//             contact and conversation)
// Beside them, the raw baseline in the same run: one bare INSERT of a message row per DM. Then the
// job tables' row counts before and after pg-boss's retention pass (completed jobs deleted on a
// schedule, JOBS[...].queue.deleteAfterSeconds). Target: ≤ 5 KB per DM on both paths.
//   BENCH_WAL_DMS (2000)
import { join } from "node:path";
import { randomBytes, randomUUID } from "node:crypto";
import pg from "pg";
import { createDb } from "@mkt-x/db";
import { FINISHED_JOB_RETENTION_SECONDS, createEmbeddedAiProvider, createJobQueue, createPgBoss, createTokenCipher, ensureQueues, startCampaignRun, type SendWindowLimits } from "@mkt-x/core/server";
import { createTwitterXClient, signWebhookBody } from "@mkt-x/twitter";
import { createXSandbox } from "@mkt-x/twitter/sandbox";
import { startWorker } from "../src/worker.ts";
import { createBenchDatabase } from "../../api/bench/bench-db.ts";
import { startBenchApi } from "../../api/bench/bench-api.ts";

const DMS = Number(process.env.BENCH_WAL_DMS ?? 2_000);
const TARGET_BYTES_PER_DM = 5 * 1024;
const KEY = "bench-key";
const SECRET = "bench-consumer-secret";
const log = (line: string) => process.stderr.write(`${line}\n`);

const benchDb = await createBenchDatabase(join(import.meta.dirname, "..", "..", ".."));
const pool = new pg.Pool({ connectionString: benchDb.url, max: 4 });
await pool.query("CREATE EXTENSION IF NOT EXISTS pg_walinspect");
const merchantId = randomUUID();

const sandbox = createXSandbox({ consumerKey: KEY, consumerSecret: SECRET });
const sandboxUrl = await sandbox.listen();
const cipher = createTokenCipher(randomBytes(32));
const shop = sandbox.addUser({ username: "wal_shop" });
const { rows: [account] } = await pool.query<{ id: string }>(
  `INSERT INTO x_accounts (merchant_id, twitter_user_id, username, display_name, status, connected_at, access_token_enc, access_secret_enc, require_consent)
   VALUES ($1, $2, 'wal_shop', 'WAL Shop', 'active', now(), $3, $4, false) RETURNING id`,
  [merchantId, shop.id, cipher.encrypt(shop.accessToken), cipher.encrypt(shop.accessSecret)],
);
const accountId = account?.id ?? "";

// production's windows, wide enough not to bind: their counters are part of each send's cost
const windows: SendWindowLimits = { accountPer15m: 1_000_000, accountPer24h: 1_000_000, appPer24h: 1_000_000, accountCampaignPer24h: 1_000_000 };
const db = createDb(benchDb.url, { poolSize: 8 });
const boss = createPgBoss(benchDb.url, { max: 6 });
boss.on("error", () => {});
await boss.start();
await ensureQueues(boss);
const queue = createJobQueue(boss);
const campaignDeps = { db, queue, publicBaseUrl: "http://localhost:5000", windows, maxInFlight: 2000, pollMs: 200 };
const send = { db, x: createTwitterXClient({ baseUrl: sandboxUrl, consumerKey: KEY, consumerSecret: SECRET }), cipher, queue, windows };
const worker = await startWorker({ boss, deps: { db, send, campaigns: campaignDeps, ai: createEmbeddedAiProvider(), log: { info: () => {} } }, log: { info: () => {}, error: (o) => log(JSON.stringify(o)) }, batchSize: 16, localConcurrency: 4, pollingIntervalSeconds: 0.5, settleIntervalMs: 0 });

const lsn = async () => (await pool.query<{ lsn: string }>("SELECT pg_current_wal_lsn()::text AS lsn")).rows[0]?.lsn ?? "0/0";
const walBetween = async (from: string, to: string) => Number((await pool.query<{ bytes: string }>("SELECT pg_wal_lsn_diff($2::pg_lsn, $1::pg_lsn)::bigint AS bytes", [from, to])).rows[0]?.bytes ?? 0);
/** WAL bytes per relation between two positions (records without a relation: by resource manager) */
async function byRelation(from: string, to: string): Promise<Record<string, number>> {
  const { rows } = await pool.query<{ name: string; bytes: string }>(
    `SELECT coalesce(c.relname, '(' || w.resource_manager || ')') AS name, sum(w.record_length + w.fpi_length)::bigint AS bytes
     FROM pg_get_wal_records_info($1::pg_lsn, $2::pg_lsn) w
     LEFT JOIN pg_class c ON c.relfilenode = nullif(substring(w.block_ref from 'rel \\d+/\\d+/(\\d+)'), '')::oid
     GROUP BY 1 ORDER BY 2 DESC LIMIT 12`,
    [from, to],
  );
  return Object.fromEntries(rows.map((r) => [r.name, Number(r.bytes)]));
}
const until = async (what: string, check: () => Promise<boolean>) => {
  const deadline = Date.now() + 300_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};
/** the live events written since an id, per type: how many per DM and their average size */
async function liveEventsSince(id: number, dms: number): Promise<Record<string, { perDm: number; avgBytes: number }>> {
  const { rows } = await pool.query<{ type: string; n: number; avg: number }>("SELECT type, count(*)::int AS n, avg(pg_column_size(data))::int AS avg FROM live_events WHERE id > $1 GROUP BY 1 ORDER BY 2 DESC", [id]);
  return Object.fromEntries(rows.map((r) => [r.type, { perDm: Number((r.n / dms).toFixed(2)), avgBytes: r.avg }]));
}
const lastEventId = async () => Number((await pool.query<{ id: string | null }>("SELECT max(id)::text AS id FROM live_events")).rows[0]?.id ?? 0);
/** the jobs created since a moment, per queue, per DM */
async function jobsSince(at: Date, dms: number): Promise<Record<string, number>> {
  const { rows } = await pool.query<{ name: string; n: number }>("SELECT name, count(*)::int AS n FROM pgboss.job WHERE created_on >= $1 GROUP BY 1 ORDER BY 2 DESC", [at]);
  return Object.fromEntries(rows.map((r) => [r.name, Number((r.n / dms).toFixed(2))]));
}
/** full-page images: the first change of each page after a checkpoint carries the whole page */
const fpiBytes = async (from: string, to: string) => Number((await pool.query<{ n: string }>("SELECT coalesce(sum(fpi_length), 0)::bigint AS n FROM pg_get_wal_records_info($1::pg_lsn, $2::pg_lsn)", [from, to])).rows[0]?.n ?? 0);
const report = async (bench: string, dms: number, from: string, to: string, extra: object = {}) => {
  const bytes = await walBetween(from, to);
  const fpi = await fpiBytes(from, to);
  console.log(JSON.stringify({ bench, dms, walBytes: bytes, bytesPerDm: Math.round(bytes / dms), targetBytesPerDm: TARGET_BYTES_PER_DM, met: bytes / dms <= TARGET_BYTES_PER_DM, fullPageImageBytesPerDm: Math.round(fpi / dms), ...extra, topRelations: await byRelation(from, to) }));
};

// contacts who wrote first (a realistic audience), tagged for the campaign's segment
await pool.query(
  `INSERT INTO contacts (merchant_id, account_id, twitter_user_id, username, display_name, tags, consent_at, first_interaction_at, last_interaction_at, updated_at)
   SELECT $1, $2, (3000000000 + i)::text, 'fan_' || i, 'Fan ' || i, ARRAY['wal'], now(), now(), now(), now() FROM generate_series(1, $3::int) AS i`,
  [merchantId, accountId, DMS],
);
for (let i = 1; i <= DMS; i++) sandbox.addUser({ id: String(3_000_000_000 + i), username: `fan_${i}` });
const { rows: [template] } = await pool.query<{ id: string }>("INSERT INTO templates (merchant_id, name, type, content) VALUES ($1, 'wal', 'text', 'Hi {{first_name}}, our spring collection is in: 20% off this week.') RETURNING id", [merchantId]);
const { rows: [segment] } = await pool.query<{ id: string }>("INSERT INTO segments (merchant_id, name, conditions) VALUES ($1, 'wal', $2) RETURNING id", [merchantId, JSON.stringify([{ field: "tags", operator: "contains", value: "wal" }])]);
const { rows: [campaign] } = await pool.query<{ id: string }>("INSERT INTO campaigns (merchant_id, name, type, status, template_id) VALUES ($1, 'wal', 'promotional', 'scheduled', $2) RETURNING id", [merchantId, template?.id]);
await pool.query("INSERT INTO campaign_segments (campaign_id, segment_id, merchant_id) VALUES ($1, $2, $3)", [campaign?.id, segment?.id, merchantId]);

// raw baseline: one bare INSERT of a message row per DM
{
  const { rows: [conversation] } = await pool.query<{ id: string }>("INSERT INTO conversations (merchant_id, account_id, contact_id, status, updated_at) SELECT $1, $2, id, 'closed', now() FROM contacts WHERE merchant_id = $1 LIMIT 1 RETURNING id, contact_id", [merchantId, accountId]);
  const { rows: [contact] } = await pool.query<{ contact_id: string }>("SELECT contact_id FROM conversations WHERE id = $1", [conversation?.id]);
  await pool.query("CHECKPOINT");
  const from = await lsn();
  for (let i = 0; i < DMS; i++) {
    await pool.query("INSERT INTO messages (merchant_id, account_id, conversation_id, contact_id, direction, type, content, origin, status) VALUES ($1, $2, $3, $4, 'outbound', 'text', $5, 'campaign', 'sent')", [merchantId, accountId, conversation?.id, contact?.contact_id, `Hi Fan ${i}, our spring collection is in: 20% off this week.`]);
  }
  await report("wal.baseline_bare_message_insert", DMS, from, await lsn());
  await pool.query("DELETE FROM messages WHERE conversation_id = $1", [conversation?.id]);
  await pool.query("DELETE FROM conversations WHERE id = $1", [conversation?.id]);
}

// campaign: fan-out to recorded send
{
  const events = await lastEventId();
  const startedAt = new Date();
  await pool.query("CHECKPOINT");
  const from = await lsn();
  const t0 = performance.now();
  await startCampaignRun(campaignDeps, { campaignId: campaign?.id ?? "", run: 1, startAt: new Date().toISOString() });
  await pool.query("UPDATE campaigns SET status = 'running' WHERE id = $1 AND status = 'scheduled'", [campaign?.id]);
  await until("the campaign to complete", async () => (await pool.query("SELECT status FROM campaigns WHERE id = $1", [campaign?.id])).rows[0]?.status === "completed");
  const to = await lsn();
  const sent = (await pool.query<{ n: number }>("SELECT count(*)::int AS n FROM messages WHERE campaign_id = $1 AND status = 'sent'", [campaign?.id])).rows[0]?.n ?? 0;
  await report("wal.campaign_dm", sent, from, to, { seconds: Number(((performance.now() - t0) / 1000).toFixed(1)), sandboxReceived: sandbox.dms().length, exactlyOnce: sandbox.dms().length === sent, liveEvents: await liveEventsSince(events, sent), jobs: await jobsSince(startedAt, sent) });
}

// inbound: signed webhook → applied message, through the real API
{
  const api = await startBenchApi({ url: benchDb.url, pool, consumerSecret: SECRET });
  const before = (await pool.query<{ n: number }>("SELECT count(*)::int AS n FROM messages WHERE direction = 'inbound'")).rows[0]?.n ?? 0;
  const events = await lastEventId();
  const startedAt = new Date();
  await pool.query("CHECKPOINT");
  const from = await lsn();
  const t0 = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: 8 }, async () => {
    while (next < DMS) {
      const i = ++next;
      const body = JSON.stringify({
        for_user_id: shop.id,
        direct_message_events: [{ type: "message_create", id: String(1_990_000_000_000_000_000n + BigInt(i)), created_timestamp: String(Date.now()), message_create: { sender_id: String(3_000_000_000 + i), target: { recipient_id: shop.id }, message_data: { text: `Is the linen shirt in stock in M? (${i})`, entities: {} } } }],
        users: { [shop.id]: { id: shop.id, screen_name: "wal_shop", name: "WAL Shop" }, [String(3_000_000_000 + i)]: { id: String(3_000_000_000 + i), screen_name: `fan_${i}`, name: `Fan ${i}` } },
      });
      const res = await fetch(`${api.url}/api/v1/mkt-x/webhooks/twitter`, { method: "POST", headers: { "content-type": "application/json", "x-twitter-webhooks-signature": signWebhookBody(SECRET, body) }, body });
      if (res.status !== 200) throw new Error(`webhook answered ${res.status}`);
    }
  }));
  await until("the inbound DMs to be applied", async () => ((await pool.query<{ n: number }>("SELECT count(*)::int AS n FROM messages WHERE direction = 'inbound'")).rows[0]?.n ?? 0) - before >= DMS);
  const to = await lsn();
  await report("wal.inbound_dm", DMS, from, to, { seconds: Number(((performance.now() - t0) / 1000).toFixed(1)), liveEvents: await liveEventsSince(events, DMS), jobs: await jobsSince(startedAt, DMS) });
  await api.close();
}

// bounded job tables: finished jobs are deleted by pg-boss's maintenance pass once they are older
// than their queue's deleteAfterSeconds (an hour). The run above is minutes old, so the pass is shown
// as it will run an hour on: the queues' retention shortened to a second, then one maintenance pass.
{
  const counts = async () => Object.fromEntries((await pool.query<{ state: string; n: number }>("SELECT state::text, count(*)::int AS n FROM pgboss.job GROUP BY 1 ORDER BY 1")).rows.map((r) => [r.state, r.n]));
  const { rows: queues } = await pool.query<{ name: string; delete_after_seconds: number }>("SELECT name, deletion_seconds AS delete_after_seconds FROM pgboss.queue ORDER BY name");
  const beforePass = await counts();
  await pool.query("UPDATE pgboss.job SET deletion_seconds = 1 WHERE deletion_seconds = $1", [FINISHED_JOB_RETENTION_SECONDS]);
  // the queues' turn comes now (their last pass forgotten), as it would every JOB_MAINTENANCE_SECONDS
  await pool.query("UPDATE pgboss.queue SET maintain_on = NULL");
  const maintenance = createPgBoss(benchDb.url, { max: 2 });
  maintenance.on("error", () => {});
  await maintenance.start();
  await maintenance.supervise();
  const afterPass = await counts();
  await maintenance.stop({ graceful: false, close: true });
  console.log(JSON.stringify({ bench: "jobs.retention", deleteAfterSeconds: Object.fromEntries(queues.map((q) => [q.name, q.delete_after_seconds])), jobRowsBeforePass: beforePass, jobRowsAfterPass: afterPass }));
}

await worker.stop();
await boss.stop({ graceful: false, close: true });
await db.$disconnect();
await pool.end();
await sandbox.close();
await benchDb.drop();
