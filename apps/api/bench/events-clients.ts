// Child process of events.bench.ts: holds the SSE clients and commits the events, so neither
// weighs on the server process measured (its RSS and event loop are the server's alone).
// Driven over IPC: connect → produce → close.
import http from "node:http";
import { performance } from "node:perf_hooks";
import pg from "pg";

type Command =
  | { cmd: "connect"; url: string; tokens: string[]; connections: number }
  | { cmd: "produce"; databaseUrl: string; merchants: string[]; rate: number; durationSec: number }
  | { cmd: "close" };

const now = () => performance.timeOrigin + performance.now();
const send = (msg: object) => process.send?.(msg);

interface Client {
  merchant: number;
  req: http.ClientRequest;
  res?: http.IncomingMessage;
}
let clients: Client[] = [];
/** per event id: when each client got it */
let received = new Map<string, number[]>();
let connectedCount = 0;

function connect(url: string, tokens: string[], n: number): Promise<void> {
  connectedCount = 0;
  received = new Map();
  const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
  return new Promise((resolve, reject) => {
    for (let i = 0; i < n; i++) {
      const merchant = i % tokens.length;
      const req = http.get(url, { agent, headers: { authorization: `Bearer ${tokens[merchant]}`, accept: "text/event-stream" } }, (res) => {
        client.res = res;
        if (res.statusCode !== 200) return reject(new Error(`status ${res.statusCode}`));
        res.setEncoding("utf8");
        let buffer = "";
        let connected = false;
        res.on("data", (chunk: string) => {
          const at = now();
          buffer += chunk;
          let cut: number;
          while ((cut = buffer.indexOf("\n\n")) >= 0) {
            const block = buffer.slice(0, cut);
            buffer = buffer.slice(cut + 2);
            if (block.startsWith(": connected") && !connected) {
              connected = true;
              if (++connectedCount === n) resolve();
              continue;
            }
            if (!block.startsWith("id: ")) continue;
            const id = block.slice(4, block.indexOf("\n"));
            let times = received.get(id);
            if (!times) received.set(id, (times = []));
            times.push(at);
          }
        });
      });
      const client: Client = { merchant, req };
      req.on("error", reject);
      clients.push(client);
    }
  });
}

async function produce(databaseUrl: string, merchants: string[], rate: number, durationSec: number) {
  // writers commit side by side, as API and worker processes do: ids commit out of order
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 32 });
  const committed = new Map<string, { at: number; merchant: number }>();
  const total = Math.round(rate * durationSec);
  const started = now();
  let issued = 0;
  const inFlight = new Set<Promise<void>>();
  // one transaction per event, as a change in the product commits it (recordEvents' statement)
  const one = async (seq: number) => {
    const merchant = seq % merchants.length;
    const c = await pool.connect();
    try {
      await c.query("BEGIN");
      const { rows } = await c.query<{ id: string }>(
        `WITH x AS MATERIALIZED (SELECT pg_current_xact_id() AS xid),
         ins AS (INSERT INTO live_events (merchant_id, type, data, tx_id) SELECT $1, 'message.created', $2::jsonb, x.xid FROM x RETURNING id)
         SELECT pg_notify('mktx_events', max(id)::text), max(id)::text AS id FROM ins`,
        [merchants[merchant], JSON.stringify({ id: `m-${seq}`, content: "Is the blue one in stock?", status: "received", direction: "inbound" })],
      );
      await c.query("COMMIT");
      committed.set(rows[0]?.id ?? "", { at: now(), merchant });
    } finally {
      c.release();
    }
  };
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const due = Math.min(total, Math.floor(((now() - started) / 1000) * rate));
      while (issued < due) {
        const p = one(issued++).finally(() => inFlight.delete(p));
        inFlight.add(p);
      }
      if (issued >= total) {
        clearInterval(tick);
        resolve();
      }
    }, 2);
  });
  await Promise.all(inFlight);
  const elapsedSec = (now() - started) / 1000;
  // every client of the event's merchant should get it; wait (bounded) for the stragglers
  const perMerchant = merchants.map((_, m) => clients.filter((c) => c.merchant === m).length);
  const expected = [...committed.values()].reduce((n, e) => n + (perMerchant[e.merchant] ?? 0), 0);
  const deadline = now() + 10_000;
  const count = () => [...committed.keys()].reduce((n, id) => n + (received.get(id)?.length ?? 0), 0);
  while (count() < expected && now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const latencies: number[] = [];
  for (const [id, c] of committed) for (const t of received.get(id) ?? []) latencies.push(Math.max(0, t - c.at));
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN;
  await pool.end();
  return {
    events: committed.size,
    eventsPerSec: Number((committed.size / elapsedSec).toFixed(1)),
    deliveries: latencies.length,
    expectedDeliveries: expected,
    p50Ms: Number(pct(50).toFixed(1)),
    p99Ms: Number(pct(99).toFixed(1)),
    maxMs: Number((latencies[latencies.length - 1] ?? NaN).toFixed(1)),
  };
}

process.on("message", (msg: Command) => {
  void (async () => {
    try {
      if (msg.cmd === "connect") {
        await connect(msg.url, msg.tokens, msg.connections);
        send({ ok: "connected" });
      } else if (msg.cmd === "produce") {
        send({ ok: "produced", result: await produce(msg.databaseUrl, msg.merchants, msg.rate, msg.durationSec) });
      } else {
        for (const c of clients) {
          c.res?.destroy();
          c.req.destroy();
        }
        clients = [];
        send({ ok: "closed" });
      }
    } catch (e) {
      send({ error: e instanceof Error ? e.message : String(e) });
    }
  })();
});
