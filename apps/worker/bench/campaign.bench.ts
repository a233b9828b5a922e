// Campaigns on generated contacts: fan-out of ~100k recipients (one INSERT … SELECT committed)
// beside a raw batched pg-boss insert of 100k jobs, and dispatch throughput (DMs/s through the
// worker and the send pipeline to the X sandbox, windows off), in one run.
import { join } from "node:path";
import { randomBytes, randomUUID } from "node:crypto";
import pg from "pg";
import { createDb } from "@mkt-x/db";
import { createEmbeddedAiProvider, createPgBoss, createJobQueue, createTokenCipher, ensureQueues, startCampaignRun } from "@mkt-x/core/server";
import { createTwitterXClient } from "@mkt-x/twitter";
import { createXSandbox } from "@mkt-x/twitter/sandbox";
import { startWorker } from "../src/worker.ts";
import { createBenchDatabase } from "../../api/bench/bench-db.ts";
import { generateContacts } from "../../api/bench/generate-contacts.ts";

const CONTACTS = Number(process.env.BENCH_CONTACTS ?? 200_000);
const KEY = "bench-key";
const SECRET = "bench-secret";
const log = (line: string) => process.stderr.write(`${line}\n`);

const benchDb = await createBenchDatabase(join(import.meta.dirname, "..", "..", ".."));
const pool = new pg.Pool({ connectionString: benchDb.url, max: 4 });
const merchantId = randomUUID();
const generated = await generateContacts({ url: benchDb.url, merchantId, contacts: CONTACTS, log });
await pool.query("ANALYZE contacts");

const db = createDb(benchDb.url, { poolSize: 12 });
const boss = createPgBoss(benchDb.url, { max: 6 });
boss.on("error", () => {});
await boss.start();
await ensureQueues(boss);
const queue = createJobQueue(boss);

async function campaignFor(tag: string): Promise<string> {
  const { rows: [t] } = await pool.query("INSERT INTO templates (merchant_id, name, type, content) VALUES ($1, 'bench', 'text', 'Hello from the bench') RETURNING id", [merchantId]);
  const { rows: [s] } = await pool.query("INSERT INTO segments (merchant_id, name, conditions) VALUES ($1, $2, $3) RETURNING id", [merchantId, tag, JSON.stringify([{ field: "tags", operator: "contains", value: tag }])]);
  const { rows: [c] } = await pool.query("INSERT INTO campaigns (merchant_id, name, type, status, template_id) VALUES ($1, $2, 'promotional', 'running', $3) RETURNING id", [merchantId, `bench ${tag}`, t.id]);
  await pool.query("INSERT INTO campaign_segments (campaign_id, segment_id, merchant_id) VALUES ($1, $2, $3)", [c.id, s.id, merchantId]);
  return c.id;
}

// fan-out: ~50 % of the contacts carry "customer"
const fanoutCampaign = await campaignFor("customer");
const campaignDeps = { db, queue, publicBaseUrl: "http://localhost:5000", windows: null };
let t0 = performance.now();
await startCampaignRun(campaignDeps, { campaignId: fanoutCampaign, run: 1, startAt: new Date().toISOString() });
const fanoutSeconds = (performance.now() - t0) / 1000;
const { rows: [counts] } = await pool.query("SELECT count(*)::int AS n, count(*) FILTER (WHERE status = 'pending')::int AS pending FROM campaign_recipients WHERE campaign_id = $1", [fanoutCampaign]);
await pool.query("UPDATE campaigns SET status = 'completed' WHERE id = $1", [fanoutCampaign]);

// baseline: the same number of pg-boss jobs, inserted in batches, nothing else
await boss.createQueue("bench.raw");
t0 = performance.now();
for (let i = 0; i < counts.n; i += 10_000) {
  await boss.insert("bench.raw", Array.from({ length: Math.min(10_000, counts.n - i) }, (_, j) => ({ data: { i: i + j } })));
}
const rawSeconds = (performance.now() - t0) / 1000;
console.log(JSON.stringify({ bench: "campaign.fanout", recipients: counts.n, pending: counts.pending, seconds: Number(fanoutSeconds.toFixed(2)), targetSeconds: 5 }));
console.log(JSON.stringify({ bench: "campaign.fanout.baseline_pgboss_insert", jobs: counts.n, seconds: Number(rawSeconds.toFixed(2)) }));
console.log(JSON.stringify({ bench: "campaign.fanout.ratio", fanoutSpeedOverBaseline: Number((rawSeconds / fanoutSeconds).toFixed(3)), target: 0.5 }));

// dispatch: the "beta" tag (~2 %), each account with real sandbox tokens, windows off
const sandbox = createXSandbox({ consumerKey: KEY, consumerSecret: SECRET });
const sandboxUrl = await sandbox.listen();
const cipher = createTokenCipher(randomBytes(32));
for (const accountId of generated.accountIds) {
  const user = sandbox.addUser({ username: `bench_${accountId.slice(0, 6)}` });
  await pool.query("UPDATE x_accounts SET twitter_user_id = $2, access_token_enc = $3, access_secret_enc = $4, status = 'active' WHERE id = $1", [accountId, user.id, cipher.encrypt(user.accessToken), cipher.encrypt(user.accessSecret)]);
}
const dispatchCampaign = await campaignFor("beta");
const send = { db, x: createTwitterXClient({ baseUrl: sandboxUrl, consumerKey: KEY, consumerSecret: SECRET }), cipher, queue, windows: null };
const worker = await startWorker({ boss, deps: { db, send, campaigns: { ...campaignDeps, maxInFlight: 2000, pollMs: 200 }, ai: createEmbeddedAiProvider(), log: { info: () => {} } }, log: { info: () => {}, error: (o) => log(JSON.stringify(o)) }, batchSize: 16, localConcurrency: 4, pollingIntervalSeconds: 0.5 });
t0 = performance.now();
await queue.send("campaign.start", { campaignId: dispatchCampaign, run: 1, startAt: new Date().toISOString() });
for (;;) {
  const { rows: [c] } = await pool.query("SELECT status FROM campaigns WHERE id = $1", [dispatchCampaign]);
  if (c.status === "completed") break;
  await new Promise((r) => setTimeout(r, 100));
}
const dispatchSeconds = (performance.now() - t0) / 1000;
const { rows: [d] } = await pool.query("SELECT count(*) FILTER (WHERE m.status = 'sent')::int AS sent FROM campaign_recipients r JOIN messages m ON m.id = r.message_id WHERE r.campaign_id = $1", [dispatchCampaign]);
const stamps = sandbox.dms().map((dm) => new Date(dm.createdAt).getTime());
log(`dispatch: first DM after ${((Math.min(...stamps) - (performance.timeOrigin + t0)) / 1000).toFixed(2)} s, last after ${((Math.max(...stamps) - (performance.timeOrigin + t0)) / 1000).toFixed(2)} s`);
console.log(JSON.stringify({ bench: "campaign.dispatch", dms: d.sent, seconds: Number(dispatchSeconds.toFixed(2)), dmsPerSec: Math.round(d.sent / dispatchSeconds), sandboxReceived: sandbox.dms().length, exactlyOnce: sandbox.dms().length === d.sent }));

await worker.stop();
await db.$disconnect();
await pool.end();
await sandbox.close();
await benchDb.drop();
