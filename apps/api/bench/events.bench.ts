// Live events: BENCH_CONNECTIONS (1,000) SSE clients held on one API instance while events commit
// at BENCH_EVENTS_PER_SEC (200/s, one transaction each) for BENCH_DURATION (20 s); p50/p99 from
// commit to delivery at the client, and the server's RSS per idle connection. The same clients
// and producer then run against a raw baseline in the same run: a bare node http SSE server fed by
// LISTEN + one SELECT per notification (no auth, no gap rule, no back-pressure). Clients and the
// producer live in a child process (events-clients.ts), so the server's RSS is its own.
import http, { type ServerResponse } from "node:http";
import { fork, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import { startBenchApi } from "./bench-api.ts";
import { createBenchDatabase } from "./bench-db.ts";

const durationSec = Number(process.env.BENCH_DURATION ?? 20);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 1000);
const rate = Number(process.env.BENCH_EVENTS_PER_SEC ?? 200);
// clients are spread over this many merchants (each event goes to its merchant's clients): 100
// merchants with 10 open tabs each by default; BENCH_MERCHANTS=10 for 100 clients per event
const merchantCount = Number(process.env.BENCH_MERCHANTS ?? 100);

const benchDb = await createBenchDatabase(join(import.meta.dirname, "..", "..", ".."));
const pool = new pg.Pool({ connectionString: benchDb.url, max: 4 });
const merchants = Array.from({ length: merchantCount }, () => randomUUID());

const child: ChildProcess = fork(join(import.meta.dirname, "events-clients.ts"), [], { execArgv: ["--import", "tsx"], stdio: "inherit" });
function ask<T = unknown>(msg: object): Promise<T> {
  return new Promise((resolve, reject) => {
    child.once("message", (reply: { ok?: string; result?: T; error?: string }) => (reply.error ? reject(new Error(reply.error)) : resolve(reply.result as T)));
    child.send(msg);
  });
}

const gc = (globalThis as { gc?: () => void }).gc;
/** RSS, and the JS heap + buffers (after a full GC: less sensitive to memory the process kept from before) */
async function memorySettled(): Promise<{ rss: number; heap: number }> {
  await sleep(2000);
  gc?.();
  await sleep(200);
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed + m.external };
}

interface Produced {
  events: number;
  eventsPerSec: number;
  deliveries: number;
  expectedDeliveries: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

async function run(bench: string, url: string, tokens: string[]) {
  // warm up: code paths compiled and pools grown before the idle memory is measured
  await ask({ cmd: "connect", url, tokens, connections: Math.min(100, connections) });
  await ask({ cmd: "close" });
  const before = await memorySettled();
  await ask({ cmd: "connect", url, tokens, connections });
  const after = await memorySettled();
  const produced = await ask<Produced>({ cmd: "produce", databaseUrl: benchDb.url, merchants, rate, durationSec });
  await ask({ cmd: "close" });
  const result = { bench, connections, merchants: merchantCount, targetEventsPerSec: rate, durationSec, ...produced, rssPerIdleConnectionKiB: Number(((after.rss - before.rss) / connections / 1024).toFixed(1)), heapPerIdleConnectionKiB: Number(((after.heap - before.heap) / connections / 1024).toFixed(1)) };
  console.log(JSON.stringify(result));
  return result;
}

// the API: auth, rate limit, the bus (gap rule, per-merchant fan-out, back-pressure bound)
const api = await startBenchApi({ url: benchDb.url, pool });
const apiTokens = await Promise.all(merchants.map((m) => api.token(m, "agent")));
const viaApi = await run("events.stream.api", `${api.url}/api/v1/mkt-x/events/stream`, apiTokens);
await api.close();

// the baseline: the least an SSE fan-out fed by LISTEN can do
const subscribers = new Map<string, Set<ServerResponse>>();
const baseline = http.createServer((req, res) => {
  const merchant = (req.headers.authorization ?? "").replace(/^Bearer /, "");
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  res.write(": connected\n\n");
  let set = subscribers.get(merchant);
  if (!set) subscribers.set(merchant, (set = new Set()));
  set.add(res);
  res.on("close", () => set.delete(res));
});
const listener = new pg.Client({ connectionString: benchDb.url });
await listener.connect();
let cursor = (await listener.query<{ id: string }>("SELECT COALESCE(max(id), 0)::text AS id FROM live_events")).rows[0]?.id ?? "0";
let reading = false;
let again = false;
const read = async (): Promise<void> => {
  if (reading) return void (again = true);
  reading = true;
  do {
    again = false;
    const { rows } = await pool.query<{ id: string; merchant_id: string; type: string; data: string; at: Date }>(
      "SELECT id::text AS id, merchant_id, type, data::text AS data, at FROM live_events WHERE id > $1 ORDER BY live_events.id",
      [cursor],
    );
    for (const r of rows) {
      cursor = r.id;
      const frame = `id: ${r.id}\nevent: ${r.type}\ndata: {"id":"${r.id}","type":"${r.type}","at":"${r.at.toISOString()}","data":${r.data}}\n\n`;
      for (const res of subscribers.get(r.merchant_id) ?? []) res.write(frame);
    }
  } while (again);
  reading = false;
};
listener.on("notification", () => void read());
await listener.query("LISTEN mktx_events");
await new Promise<void>((resolve) => baseline.listen(0, "127.0.0.1", resolve));
const address = baseline.address();
const port = typeof address === "object" && address ? address.port : 0;
const raw = await run("events.stream.baseline_node_listen", `http://127.0.0.1:${port}/`, merchants);

console.log(
  JSON.stringify({
    bench: "events.stream.ratio",
    apiP99Ms: viaApi.p99Ms,
    baselineP99Ms: raw.p99Ms,
    p99TargetMs: 200,
    apiRssPerConnectionKiB: viaApi.rssPerIdleConnectionKiB,
    baselineRssPerConnectionKiB: raw.rssPerIdleConnectionKiB,
    apiHeapPerConnectionKiB: viaApi.heapPerIdleConnectionKiB,
    baselineHeapPerConnectionKiB: raw.heapPerIdleConnectionKiB,
    apiDeliveredAll: viaApi.deliveries === viaApi.expectedDeliveries,
  }),
);

child.kill();
await listener.end();
baseline.closeAllConnections();
baseline.close();
await pool.end();
await benchDb.drop();
