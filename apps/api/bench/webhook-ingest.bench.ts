// Webhook ingest: signed deliveries through the real API (signature check, durable store, dedupe,
// job enqueued in the same transaction) beside a bare INSERT of the same rows, in one run.
import Fastify from "fastify";
import pg from "pg";
import autocannon from "autocannon";
import { join } from "node:path";
import { signWebhookBody } from "@mkt-x/twitter";
import { startBenchApi } from "./bench-api.ts";
import { createBenchDatabase } from "./bench-db.ts";

const durationSec = Number(process.env.BENCH_DURATION ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 16);
const SECRET = "bench-consumer-secret";

const benchDb = await createBenchDatabase(join(import.meta.dirname, "..", "..", ".."));
const pool = new pg.Pool({ connectionString: benchDb.url, max: 10 });
const benchApi = await startBenchApi({ url: benchDb.url, pool, consumerSecret: SECRET });
const apiUrl = benchApi.url;

const baseline = Fastify();
baseline.post("/ingest", async (req) => {
  const body = req.body as { direct_message_events: { id: string }[] };
  const id = body.direct_message_events[0]?.id ?? "";
  await pool.query("INSERT INTO webhook_events (event_key, kind, payload) VALUES ($1, 'direct_message', $2) ON CONFLICT DO NOTHING", [`base:${id}`, body]);
  return { ok: true };
});
const baselineUrl = await baseline.listen({ port: 0, host: "127.0.0.1" });

let seq = 0;
const delivery = () => {
  const id = String(1_900_000_000_000_000_000n + BigInt(++seq));
  return JSON.stringify({
    for_user_id: "100",
    direct_message_events: [{ type: "message_create", id, created_timestamp: String(Date.now()), message_create: { sender_id: String(200 + (seq % 1000)), target: { recipient_id: "100" }, message_data: { text: `hello ${seq}`, entities: {} } } }],
    users: { "100": { id: "100", screen_name: "shop", name: "Shop" } },
  });
};

async function run(name: string, url: string, signed: boolean) {
  const opts = {
    url,
    connections,
    method: "POST" as const,
    requests: [
      {
        setupRequest: (req: autocannon.Request) => {
          const body = delivery();
          return { ...req, body, headers: { "content-type": "application/json", ...(signed ? { "x-twitter-webhooks-signature": signWebhookBody(SECRET, body) } : {}) } };
        },
      },
    ],
  };
  await autocannon({ ...opts, duration: 2 });
  const r = await autocannon({ ...opts, duration: durationSec });
  const out = { bench: name, eventsPerSec: Math.round(r.requests.average), p50Ms: r.latency.p50, p99Ms: r.latency.p99, non2xx: r.non2xx, errors: r.errors };
  console.log(JSON.stringify(out));
  return out;
}

const raw = await run("webhook.ingest.baseline_bare_insert", `${baselineUrl}/ingest`, false);
const api = await run("webhook.ingest.api", `${apiUrl}/api/v1/mkt-x/webhooks/twitter`, true);
// every request answered: now the store must hold one job per stored event
await benchApi.close();
const counts = (await pool.query("SELECT (SELECT count(*)::int FROM webhook_events WHERE event_key LIKE 'dm:%') AS stored, (SELECT count(*)::int FROM pgboss.job WHERE name = 'webhook.event') AS jobs")).rows[0];
console.log(JSON.stringify({ bench: "webhook.ingest.ratio", apiOverBaseline: Number((api.eventsPerSec / raw.eventsPerSec).toFixed(3)), targetEventsPerSec: 2000, targetRatio: 0.5, stored: counts.stored, jobs: counts.jobs, everyStoredEventHasAJob: counts.stored === counts.jobs }));

await baseline.close();
await pool.end();
await benchDb.drop();
