// The send pipeline end to end: queued DMs taken by the real worker (pg-boss), sent to the X
// sandbox over HTTP with windows off, recorded as sent; beside a raw loop of signed HTTP calls to
// the same sandbox with the same concurrency, in one run.
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { createDb } from "@mkt-x/db";
import { createEmbeddedAiProvider, createPgBoss, createJobQueue, createTokenCipher, ensureQueues } from "@mkt-x/core/server";
import { createTwitterXClient } from "@mkt-x/twitter";
import { createXSandbox } from "@mkt-x/twitter/sandbox";
import { startWorker } from "../src/worker.ts";
import { createBenchDatabase } from "../../api/bench/bench-db.ts";

const total = Number(process.env.BENCH_DMS ?? 5000);
const concurrency = Number(process.env.BENCH_CONNECTIONS ?? 64);
const KEY = "bench-key";
const SECRET = "bench-secret";

const benchDb = await createBenchDatabase(join(import.meta.dirname, "..", "..", ".."));
const pool = new pg.Pool({ connectionString: benchDb.url, max: 4 });
const sandbox = createXSandbox({ consumerKey: KEY, consumerSecret: SECRET });
const sandboxUrl = await sandbox.listen();
const x = createTwitterXClient({ baseUrl: sandboxUrl, consumerKey: KEY, consumerSecret: SECRET });
const shop = sandbox.addUser({ username: "bench_shop" });
const creds = { accessToken: shop.accessToken, accessSecret: shop.accessSecret };

// baseline: signed HTTP calls to the sandbox, nothing else
let rawRate: number;
{
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < total) {
      const i = next++;
      await x.sendDm(creds, String(500_000 + (i % 1000)), `raw ${i}`);
    }
  }));
  const seconds = (performance.now() - t0) / 1000;
  console.log(JSON.stringify({ bench: "send.baseline_raw_http", dms: total, seconds: Number(seconds.toFixed(2)), dmsPerSec: Math.round(total / seconds) }));
  rawRate = total / seconds;
}
sandbox.reset();
const shop2 = sandbox.addUser({ id: shop.id, username: "bench_shop" });

const cipher = createTokenCipher(randomBytes(32));
const { rows: [account] } = await pool.query(
  "INSERT INTO x_accounts (merchant_id, twitter_user_id, username, display_name, access_token_enc, access_secret_enc) VALUES ('bench', $1, 'bench_shop', 'Bench', $2, $3) RETURNING id",
  [shop2.id, cipher.encrypt(shop2.accessToken), cipher.encrypt(shop2.accessSecret)],
);
await pool.query(
  `WITH c AS (
     INSERT INTO contacts (merchant_id, account_id, twitter_user_id, consent_at) SELECT 'bench', $1, (500000 + g)::text, now() FROM generate_series(0, 999) g RETURNING id
   )
   INSERT INTO conversations (merchant_id, account_id, contact_id) SELECT 'bench', $1, id FROM c`,
  [account.id],
);
const { rows: messages } = await pool.query(
  `INSERT INTO messages (merchant_id, account_id, conversation_id, contact_id, direction, content, status, idempotency_key)
   SELECT 'bench', $1, cv.id, cv.contact_id, 'outbound', 'pipeline ' || g, 'queued', 'bench-' || g
   FROM generate_series(0, $2::int - 1) g JOIN LATERAL (SELECT id, contact_id FROM conversations ORDER BY id OFFSET (g % 1000) LIMIT 1) cv ON true
   RETURNING id`,
  [account.id, total],
);

const db = createDb(benchDb.url, { poolSize: 12 });
const boss = createPgBoss(benchDb.url, { max: 6 });
await boss.start();
await ensureQueues(boss);
await boss.insert("message.send", messages.map((m: { id: string }) => ({ data: { messageId: m.id } })));
const send = { db, x, cipher, queue: createJobQueue(boss), windows: null };
const t0 = performance.now();
const worker = await startWorker({ boss, deps: { db, send, campaigns: { db, queue: send.queue, publicBaseUrl: "http://localhost:5000", windows: null }, ai: createEmbeddedAiProvider(), log: { info: () => {} } }, log: { info: () => {}, error: (o) => console.error(JSON.stringify(o)) }, batchSize: Math.ceil(concurrency / 4), localConcurrency: 4, pollingIntervalSeconds: 0.5 });
for (let last = -1; ; ) {
  const { rows: [r] } = await pool.query("SELECT count(*) FILTER (WHERE status = 'sent')::int AS sent, count(*) FILTER (WHERE status = 'failed')::int AS failed FROM messages");
  if (r.sent !== last) process.stderr.write(`\rsent ${r.sent}/${total}`);
  last = r.sent;
  if (r.sent + r.failed >= total) break;
  await new Promise((res) => setTimeout(res, 100));
}
const seconds = (performance.now() - t0) / 1000;
process.stderr.write("\n");
const dms = sandbox.dms().length;
console.log(JSON.stringify({ bench: "send.pipeline", dms: total, seconds: Number(seconds.toFixed(2)), dmsPerSec: Math.round(total / seconds), sandboxReceived: dms, exactlyOnce: dms === total }));
console.log(JSON.stringify({ bench: "send.ratio", pipelineOverRaw: Number((total / seconds / rawRate).toFixed(3)), targetDmsPerSec: 1000 }));

await worker.stop();
await db.$disconnect();
await pool.end();
await sandbox.close();
await benchDb.drop();
