// A worker crash in the middle of a 10,000-recipient campaign (issue 11, "prove it"; not CI): the
// only worker process (src/main.ts, as `pnpm start` runs it) is SIGKILLed while sends are in
// flight, a new one is started, and the run prints the seconds from the kill to the settled
// campaign and the exactly-once check at X (the sandbox). Baseline in the same run: the same
// campaign to another 10,000 recipients with no crash, start to completed.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import pg from "pg";
import { createJobQueue, createPgBoss, createTokenCipher, ensureQueues, secretPlace } from "@mkt-x/core/server";
import { createXSandbox } from "@mkt-x/twitter/sandbox";
import { createBenchDatabase } from "../../api/bench/bench-db.ts";

const RECIPIENTS = Number(process.env.BENCH_RECIPIENTS ?? 10_000);
const KEY = "bench-key";
const SECRET = "bench-secret";
const ROOT = join(import.meta.dirname, "..", "..", "..");
const log = (line: string) => process.stderr.write(`${line}\n`);

const benchDb = await createBenchDatabase(ROOT);
const pool = new pg.Pool({ connectionString: benchDb.url, max: 4 });
const sandbox = createXSandbox({ consumerKey: KEY, consumerSecret: SECRET });
const sandboxUrl = await sandbox.listen();
const encryptionKey = randomBytes(32);
const cipher = createTokenCipher(encryptionKey);
const merchantId = randomUUID();
// the bench's own pg-boss only enqueues (campaign.start), as the API does
const boss = createPgBoss(benchDb.url, { max: 2 });
boss.on("error", (err) => log(`pg-boss: ${err.message}`));
await boss.start();
await ensureQueues(boss);
const queue = createJobQueue(boss);

// the account, with the sandbox user's tokens bound to its row as the service stores them
const shop = sandbox.addUser({ username: "bench_crash_shop" });
const {
  rows: [account],
} = await pool.query<{ id: string }>("INSERT INTO x_accounts (merchant_id, twitter_user_id, username, display_name, require_consent) VALUES ($1, $2, $3, $3, true) RETURNING id", [merchantId, shop.id, shop.username]);
if (!account) throw new Error("no account row");
await pool.query("UPDATE x_accounts SET access_token_enc = $2, access_secret_enc = $3 WHERE id = $1", [
  account.id,
  cipher.encrypt(shop.accessToken, secretPlace("x_accounts", "access_token_enc", account.id)),
  cipher.encrypt(shop.accessSecret, secretPlace("x_accounts", "access_secret_enc", account.id)),
]);

/** RECIPIENTS consenting contacts tagged `tag` and a running campaign to them (the worker's campaign.start fans it out). */
async function campaignFor(tag: string, base: number): Promise<{ id: string; recipients: Set<string> }> {
  const { rows } = await pool.query<{ twitter_user_id: string }>(
    `INSERT INTO contacts (merchant_id, account_id, twitter_user_id, username, tags, consent_at)
     SELECT $1, $2, ($4::bigint + g)::text, $3 || '_' || g, ARRAY[$3], now() FROM generate_series(1, $5::int) g RETURNING twitter_user_id`,
    [merchantId, account!.id, tag, base, RECIPIENTS],
  );
  const {
    rows: [t],
  } = await pool.query<{ id: string }>("INSERT INTO templates (merchant_id, name, type, content) VALUES ($1, $2, 'text', 'Our sale starts now') RETURNING id", [merchantId, tag]);
  const {
    rows: [s],
  } = await pool.query<{ id: string }>("INSERT INTO segments (merchant_id, name, conditions) VALUES ($1, $2, $3) RETURNING id", [merchantId, tag, JSON.stringify([{ field: "tags", operator: "contains", value: tag }])]);
  const {
    rows: [c],
  } = await pool.query<{ id: string }>("INSERT INTO campaigns (merchant_id, name, type, status, template_id, account_id) VALUES ($1, $2, 'promotional', 'running', $3, $4) RETURNING id", [merchantId, tag, t!.id, account!.id]);
  await pool.query("INSERT INTO campaign_segments (campaign_id, segment_id, merchant_id) VALUES ($1, $2, $3)", [c!.id, s!.id, merchantId]);
  return { id: c!.id, recipients: new Set(rows.map((r) => r.twitter_user_id)) };
}

interface Worker {
  child: ChildProcess;
  stopped: Promise<void>;
}

/** src/main.ts under node with tsx's loader (no wrapper process: a SIGKILL reaches the worker itself); resolves once it consumes its queues. */
async function startWorkerProcess(): Promise<Worker> {
  const { X_CONSUMER_KEY: _k, X_CONSUMER_SECRET: _s, X_SANDBOX: _x, DATABASE_URL: _d, ...inherited } = process.env;
  const loader = pathToFileURL(join(ROOT, "node_modules", "tsx", "dist", "loader.mjs")).href;
  const child = spawn(process.execPath, ["--import", loader, "src/main.ts"], {
    cwd: join(import.meta.dirname, ".."),
    env: {
      ...inherited,
      NODE_ENV: "production",
      LOG_LEVEL: "info",
      DATABASE_URL: benchDb.url,
      TOKEN_ENCRYPTION_KEY: encryptionKey.toString("base64"),
      X_API_BASE_URL: sandboxUrl,
      X_CONSUMER_KEY: KEY,
      X_CONSUMER_SECRET: SECRET,
      DM_SEND_WINDOWS: "off",
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const stopped = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let started = false;
  let tail = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    // its JSON log: only the start-up line matters here (and warnings, passed on)
    const lines = (tail + chunk.toString("utf8")).split("\n");
    tail = lines.pop() ?? "";
    for (const line of lines) {
      if (line.includes('"msg":"worker started"')) started = true;
      else if (/"level":(4|5)0/.test(line)) log(line);
    }
  });
  while (!started) {
    if (child.exitCode !== null) throw new Error(`the worker exited (${child.exitCode}) before starting`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, stopped };
}

const campaignStatus = async (id: string) => (await pool.query<{ status: string }>("SELECT status FROM campaigns WHERE id = $1", [id])).rows[0]?.status;
const dmsTo = (recipients: Set<string>) => sandbox.dms().filter((d) => recipients.has(d.recipientId));
async function untilCompleted(id: string): Promise<number> {
  const t0 = performance.now();
  while ((await campaignStatus(id)) !== "completed") await new Promise((r) => setTimeout(r, 100));
  return (performance.now() - t0) / 1000;
}
function exactlyOnce(recipients: Set<string>) {
  const per = new Map<string, number>();
  for (const d of dmsTo(recipients)) per.set(d.recipientId, (per.get(d.recipientId) ?? 0) + 1);
  return { atX: per.size, missing: recipients.size - per.size, duplicates: [...per.values()].filter((n) => n > 1).length };
}
const enqueueStart = (campaignId: string) => queue.send("campaign.start", { campaignId, run: 1, startAt: new Date().toISOString() });

// X answers each DM after a moment, so sends are in flight (at X, not yet recorded) at the kill
sandbox.addFault({ method: "POST", path: "/2/dm_conversations", latencyMs: 20, sticky: true });
let worker = await startWorkerProcess();

// baseline: the same campaign, no crash
const baseline = await campaignFor("bench_baseline", 8_600_000_000);
await enqueueStart(baseline.id);
const baselineSeconds = await untilCompleted(baseline.id);
log(`baseline: ${RECIPIENTS} recipients in ${baselineSeconds.toFixed(1)} s`);

// the crash: SIGKILL once a third has reached X while sends are in flight, then a new worker
const crashed = await campaignFor("bench_crash", 8_700_000_000);
await enqueueStart(crashed.id);
for (;;) {
  const { rows } = await pool.query<{ sent: number; sending: number }>(
    "SELECT count(*) FILTER (WHERE status = 'sent')::int AS sent, count(*) FILTER (WHERE status = 'sending')::int AS sending FROM messages WHERE campaign_id = $1",
    [crashed.id],
  );
  const atX = dmsTo(crashed.recipients).length;
  if (atX >= RECIPIENTS / 3 && (rows[0]?.sending ?? 0) > 0 && atX > (rows[0]?.sent ?? 0)) break;
  await new Promise((r) => setTimeout(r, 20));
}
const atXAtKill = dmsTo(crashed.recipients).length;
worker.child.kill("SIGKILL");
await worker.stopped;
const killedAt = performance.now();
worker = await startWorkerProcess();
await untilCompleted(crashed.id);
const settleSeconds = (performance.now() - killedAt) / 1000;
const check = exactlyOnce(crashed.recipients);
const { rows: metrics } = await pool.query<{ status: string; n: number }>("SELECT status, count(*)::int AS n FROM messages WHERE campaign_id = $1 GROUP BY status ORDER BY status", [crashed.id]);

console.log(JSON.stringify({ bench: "crash-10k.baseline", recipients: RECIPIENTS, secondsStartToCompleted: Number(baselineSeconds.toFixed(2)), ...exactlyOnce(baseline.recipients) }));
console.log(JSON.stringify({ bench: "crash-10k", recipients: RECIPIENTS, atXAtKill, secondsKillToSettled: Number(settleSeconds.toFixed(2)), ...check, exactlyOnce: check.missing === 0 && check.duplicates === 0, messages: metrics }));

worker.child.kill("SIGTERM");
await worker.stopped;
await boss.stop({ graceful: false, close: true });
await pool.end();
await sandbox.close();
await benchDb.drop();
