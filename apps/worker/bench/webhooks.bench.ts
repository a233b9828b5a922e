// Outgoing webhooks end to end: 10,000 live events written with recordEvents (in transactions of
// 100), relayed into deliveries and pg-boss jobs, POSTed signed by the real worker to a local
// receiver that verifies every signature; deliveries/s and commit → received percentiles. Beside
// it, in the same run, the raw baseline: the same number of signed POSTs sent straight to the same
// receiver with the worker's concurrency. Then latency at a steady 100 events/s.
import { join } from "node:path";
import { randomBytes, randomUUID } from "node:crypto";
import http from "node:http";
import pg from "pg";
import { createDb } from "@mkt-x/db";
import { createEmbeddedAiProvider, createPgBoss, createJobQueue, createTokenCipher, createWebhookSubscription, ensureQueues, JOBS, postWebhook, recordEvents, scopeToMerchant, type NewLiveEvent } from "@mkt-x/core/server";
import { createTwitterXClient } from "@mkt-x/twitter";
import { startWorker } from "../src/worker.ts";
import { startWebhookRelay } from "../src/webhook-relay.ts";
import { createBenchDatabase } from "../../api/bench/bench-db.ts";
import { verifySignature } from "../test/webhook-receiver.ts";

const TOTAL = Number(process.env.BENCH_WEBHOOK_EVENTS ?? 10_000);
const MERCHANTS = Number(process.env.BENCH_WEBHOOK_MERCHANTS ?? 20);
const STEADY = Number(process.env.BENCH_WEBHOOK_STEADY ?? 1_000);
const CONCURRENCY = JOBS["webhook.deliver"].dispatch.maxInFlight;

// the receiver: verifies each signature, notes when each event id arrived
const secrets = new Map<string, string>();
const arrivals = new Map<string, number>();
let bad = 0;
let received = 0;
const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    const body = Buffer.concat(chunks).toString("utf8");
    const secret = secrets.get(req.url ?? "") ?? "";
    if (!verifySignature(secret, String(req.headers["mktx-webhook-timestamp"]), body, String(req.headers["mktx-webhook-signature"]))) bad++;
    received++;
    const id = (JSON.parse(body) as { id: string }).id;
    if (!arrivals.has(id)) arrivals.set(id, performance.now());
    res.writeHead(200, { "content-type": "text/plain" }).end("ok");
  });
});
await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
const address = server.address();
const receiverUrl = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
const ms = (v: number) => Number(v.toFixed(1));

// baseline: signed POSTs straight to the receiver, same concurrency, nothing else
{
  secrets.set("/raw", "raw-secret");
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < TOTAL) {
      const i = next++;
      await postWebhook({ url: `${receiverUrl}/raw`, deliveryId: randomUUID(), body: JSON.stringify({ id: `raw-${i}`, type: "message.created", at: new Date().toISOString(), merchantId: "raw", data: { i } }), secret: "raw-secret", policy: { allowPrivate: true } });
    }
  }));
  const seconds = (performance.now() - t0) / 1000;
  console.log(JSON.stringify({ bench: "webhooks.baseline_raw_http", posts: TOTAL, concurrency: CONCURRENCY, seconds: Number(seconds.toFixed(2)), postsPerSec: Math.round(TOTAL / seconds), badSignatures: bad }));
}
const rawReceived = received;

const benchDb = await createBenchDatabase(join(import.meta.dirname, "..", "..", ".."));
const db = createDb(benchDb.url, { poolSize: 12 });
const boss = createPgBoss(benchDb.url, { max: 6 });
boss.on("error", () => {});
await boss.start();
await ensureQueues(boss);
const cipher = createTokenCipher(randomBytes(32));
const queue = createJobQueue(boss);
const merchants = Array.from({ length: MERCHANTS }, () => randomUUID());
for (const merchantId of merchants) {
  const path = `/m/${merchantId}`;
  const hook = await createWebhookSubscription(scopeToMerchant(db, merchantId), { merchantId, input: { url: `${receiverUrl}${path}`, events: ["message.created"] }, cipher, targets: { allowPrivate: true } });
  secrets.set(path, hook.secret);
}
const send = { db, x: createTwitterXClient({ baseUrl: "http://127.0.0.1:9", consumerKey: "k", consumerSecret: "s" }), cipher, queue, windows: null };
const worker = await startWorker({
  boss,
  deps: { db, send, campaigns: { db, queue, publicBaseUrl: "http://localhost:5000", windows: null }, ai: createEmbeddedAiProvider(), log: { info: () => {} }, webhooks: { policy: { allowPrivate: true } } },
  log: { info: () => {}, error: (o) => console.error(JSON.stringify(o)) },
  pollingIntervalSeconds: 0.5,
});
const relay = await startWebhookRelay({ db, queue, databaseUrl: benchDb.url, log: { error: (o) => console.error(JSON.stringify(o)) }, onDeliveries: worker.nudge });
const idsPool = new pg.Pool({ connectionString: benchDb.url, max: 2 });

/** Writes events in transactions of `per`, noting each event's commit time by its id. */
async function write(count: number, per: number, commits: Map<string, number>, pace?: number) {
  for (let i = 0; i < count; i += per) {
    const n = Math.min(per, count - i);
    const marker = randomUUID();
    const events: NewLiveEvent[] = Array.from({ length: n }, (_, k) => ({ merchantId: merchants[(i + k) % merchants.length] ?? "", type: "message.created", data: { marker, k, content: "Hello from the bench" } }));
    await db.$transaction((tx) => recordEvents(tx, events));
    const committed = performance.now();
    const { rows } = await idsPool.query<{ id: string }>("SELECT id::text FROM live_events WHERE data->>'marker' = $1", [marker]);
    for (const r of rows) commits.set(r.id, committed);
    if (pace) await new Promise((r) => setTimeout(r, pace));
  }
}

async function waitFor(commits: Map<string, number>) {
  for (let tick = 0; ; tick++) {
    if (process.env.BENCH_DEBUG && tick % 10 === 0) {
      const { rows } = await idsPool.query("SELECT (SELECT count(*) FROM webhook_deliveries)::int AS deliveries, (SELECT count(*) FROM webhook_deliveries WHERE status = 'succeeded')::int AS succeeded, (SELECT json_object_agg(state, n) FROM (SELECT state, count(*) n FROM pgboss.job WHERE name = 'webhook.deliver' GROUP BY state) x) AS jobs");
      process.stderr.write(`\n${JSON.stringify(rows[0])}\n`);
    }
    let done = 0;
    for (const id of commits.keys()) if (arrivals.has(id)) done++;
    process.stderr.write(`\rreceived ${done}/${commits.size}`);
    if (done >= commits.size) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  process.stderr.write("\n");
}
const latencies = (commits: Map<string, number>) => [...commits].map(([id, t]) => (arrivals.get(id) ?? t) - t).sort((a, b) => a - b);

// throughput: 10,000 events as fast as they can be written
{
  const commits = new Map<string, number>();
  const t0 = performance.now();
  await write(TOTAL, 100, commits);
  const written = performance.now();
  await waitFor(commits);
  const seconds = (Math.max(...[...commits.keys()].map((id) => arrivals.get(id) ?? 0)) - t0) / 1000;
  const lat = latencies(commits);
  console.log(JSON.stringify({ bench: "webhooks.pipeline", events: TOTAL, merchants: MERCHANTS, writeSeconds: Number(((written - t0) / 1000).toFixed(2)), seconds: Number(seconds.toFixed(2)), deliveriesPerSec: Math.round(TOTAL / seconds), p50Ms: ms(percentile(lat, 50)), p99Ms: ms(percentile(lat, 99)), maxMs: ms(lat.at(-1) ?? 0), badSignatures: bad, posts: received - rawReceived }));
}

// latency: a steady trickle, one event per transaction
{
  const commits = new Map<string, number>();
  await write(STEADY, 1, commits, 10);
  await waitFor(commits);
  const lat = latencies(commits);
  console.log(JSON.stringify({ bench: "webhooks.steady_latency", events: STEADY, approxEventsPerSec: 100, p50Ms: ms(percentile(lat, 50)), p99Ms: ms(percentile(lat, 99)), maxMs: ms(lat.at(-1) ?? 0) }));
}

await relay.stop();
await worker.stop();
await idsPool.end();
await db.$disconnect();
await benchDb.drop();
server.closeAllConnections();
server.close();
