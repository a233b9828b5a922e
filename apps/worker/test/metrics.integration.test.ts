// Prometheus on the real worker process (src/main.ts): its metrics server refuses without
// METRICS_TOKEN's bearer, and with it shows the queue depth per queue, a DM sent through the X
// sandbox (its outcome and the job's wait and run time) and its database pool.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { join } from "node:path";
import { createMetrics, createTokenCipher, enqueueOutboundMessage, sendMessage } from "@mkt-x/core/server";
import { parseExposition, sample } from "../../api/test/exposition.ts";
import { startWorkerHarness, eventually, CONSUMER_KEY, CONSUMER_SECRET, type WorkerHarness } from "./harness.ts";

const METRICS_TOKEN = "worker-metrics-token-0123456789";
const MERCHANT = "merchant-metrics";
const ROOT = join(import.meta.dirname, "..", "..", "..");
let h: WorkerHarness;
let worker: ChildProcess;
let metricsUrl: string;
const key = randomBytes(32);

/** Starts src/main.ts and resolves with its metrics address once it logs it. */
function startWorkerProcess(env: NodeJS.ProcessEnv): Promise<string> {
  worker = spawn(join(ROOT, "node_modules", ".bin", "tsx"), ["src/main.ts"], { cwd: join(import.meta.dirname, ".."), env, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  worker.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  return new Promise((resolve, reject) => {
    let buffered = "";
    worker.stdout?.on("data", (chunk: Buffer) => {
      buffered += chunk.toString("utf8");
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      for (const line of lines) {
        if (!line.startsWith("{")) continue;
        const entry = JSON.parse(line) as { msg?: string; port?: number };
        if (entry.msg === "worker metrics listening" && entry.port) resolve(`http://127.0.0.1:${entry.port}`);
      }
    });
    worker.on("exit", (code) => reject(new Error(`the worker exited (${code}) before its metrics listened: ${stderr}`)));
  });
}

beforeAll(async () => {
  h = await startWorkerHarness();
  const { X_SANDBOX: _sandbox, METRICS_TOKEN: _token, ...inherited } = process.env;
  metricsUrl = await startWorkerProcess({
    ...inherited,
    NODE_ENV: "production",
    DATABASE_URL: h.database.url,
    TOKEN_ENCRYPTION_KEY: key.toString("base64"),
    X_CONSUMER_KEY: CONSUMER_KEY,
    X_CONSUMER_SECRET: CONSUMER_SECRET,
    X_API_BASE_URL: h.sandbox.url ?? "",
    METRICS_TOKEN,
    WORKER_METRICS_PORT: "0",
    WORKER_METRICS_HOST: "127.0.0.1",
    LOG_LEVEL: "info",
  });
}, 90_000);

afterAll(async () => {
  if (worker && worker.exitCode === null && worker.signalCode === null) {
    const exited = new Promise((resolve) => worker.once("exit", resolve));
    worker.kill("SIGTERM");
    await exited;
  }
  await h?.close();
});

const scrape = (authorization?: string, path = "/metrics") => fetch(`${metricsUrl}${path}`, { headers: authorization ? { authorization } : {} });
const samples = async () => parseExposition(await (await scrape(`Bearer ${METRICS_TOKEN}`)).text());

/** An account with sandbox tokens encrypted under the worker's key, and a contact who wrote first. */
async function seed() {
  const cipher = createTokenCipher(key);
  const shop = h.sandbox.addUser({ username: `shop_${randomUUID().slice(0, 6)}` });
  const customer = h.sandbox.addUser({ username: `cust_${randomUUID().slice(0, 6)}` });
  const db = h.database.db;
  const account = await db.xAccount.create({
    data: { merchantId: MERCHANT, twitterUserId: shop.id, username: shop.username, displayName: shop.name, accessTokenEnc: cipher.encrypt(shop.accessToken), accessSecretEnc: cipher.encrypt(shop.accessSecret) },
  });
  const contact = await db.contact.create({ data: { merchantId: MERCHANT, accountId: account.id, twitterUserId: customer.id, username: customer.username, consentAt: new Date() } });
  const conversation = await db.conversation.create({ data: { merchantId: MERCHANT, accountId: account.id, contactId: contact.id } });
  return { customer, account, contact, conversation };
}

describe("the worker's metrics server", () => {
  it("refuses without the bearer token or with a wrong one (401 in the envelope); other paths are 404", async () => {
    for (const authorization of [undefined, "Bearer not-the-metrics-token", `Bearer ${METRICS_TOKEN.slice(0, -1)}`]) {
      const res = await scrape(authorization);
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ success: false, code: "UNAUTHORIZED" });
    }
    const other = await scrape(`Bearer ${METRICS_TOKEN}`, "/");
    expect(other.status).toBe(404);
    expect(await other.json()).toMatchObject({ success: false, code: "RESOURCE_NOT_FOUND" });
  });

  it("shows the depth of each queue, counted at the scrape", async () => {
    const before = await samples();
    // a job for later: it waits in message.send's `created` state until then
    await h.queue.send("message.send", { messageId: randomUUID() }, { startAfter: new Date(Date.now() + 3_600_000) });
    const after = await samples();
    const created = (s: typeof after) => sample(s, "mktx_queue_jobs", { queue: "message.send", state: "created", service: "worker" });
    expect(created(after)).toBe((created(before) ?? 0) + 1);
    // every queue is reported, an empty one at 0
    expect(sample(after, "mktx_queue_jobs", { queue: "campaign.start", state: "active" })).toBe(0);
    expect(sample(after, "mktx_queue_jobs", { queue: "dead-letter", state: "created" })).toBe(0);
  });

  it("counts a DM the worker sent through the X sandbox, with the job's wait and run time", async () => {
    const s = await seed();
    const { message } = await h.database.db.$transaction((tx) =>
      enqueueOutboundMessage(tx, h.queue, { merchantId: MERCHANT, accountId: s.account.id, conversationId: s.conversation.id, contactId: s.contact.id, content: "your order shipped", origin: "inbox", automated: false, idempotencyKey: randomUUID() }),
    );
    await eventually(() => h.database.db.message.findUniqueOrThrow({ where: { id: message.id } }), (m) => m.status === "sent", 30_000);
    expect(h.sandbox.dms().filter((d) => d.text === "your order shipped" && d.recipientId === s.customer.id)).toHaveLength(1);

    const after = await samples();
    expect(sample(after, "mktx_dm_outcomes_total", { status: "sent", reason: "accepted", service: "worker" })).toBe(1);
    expect(sample(after, "mktx_job_wait_seconds_count", { queue: "message.send" })).toBeGreaterThanOrEqual(1);
    expect(sample(after, "mktx_job_duration_seconds_count", { queue: "message.send", result: "completed" })).toBeGreaterThanOrEqual(1);
    expect(sample(after, "mktx_db_pool_connections", { pool: "prisma", state: "total" })).toBeGreaterThanOrEqual(1);
  });
});

describe("DM outcomes in the send pipeline", () => {
  it("counts a send that waits for a full window by its window and wait, and a refused one by its reason", async () => {
    const local = await startWorkerHarness({ windows: { accountPer15m: 1, accountPer24h: 500, appPer24h: 15_000, accountCampaignPer24h: 10_000 } });
    try {
      const metrics = createMetrics({ service: "worker", defaultMetrics: false });
      const send = { ...local.send, metrics };
      const db = local.database.db;
      const shop = local.sandbox.addUser({ username: `shop_${randomUUID().slice(0, 6)}` });
      const account = await db.xAccount.create({ data: { merchantId: MERCHANT, twitterUserId: shop.id, username: shop.username, displayName: shop.name, accessTokenEnc: local.cipher.encrypt(shop.accessToken), accessSecretEnc: local.cipher.encrypt(shop.accessSecret) } });
      const queueTo = async (opts: { optedOut: boolean; automated: boolean }) => {
        const customer = local.sandbox.addUser({ username: `cust_${randomUUID().slice(0, 6)}` });
        const contact = await db.contact.create({ data: { merchantId: MERCHANT, accountId: account.id, twitterUserId: customer.id, username: customer.username, consentAt: new Date(), optedOut: opts.optedOut } });
        const conversation = await db.conversation.create({ data: { merchantId: MERCHANT, accountId: account.id, contactId: contact.id } });
        const { message } = await db.$transaction((tx) =>
          enqueueOutboundMessage(tx, local.queue, { merchantId: MERCHANT, accountId: account.id, conversationId: conversation.id, contactId: contact.id, content: "hello", origin: opts.automated ? "campaign" : "inbox", automated: opts.automated, idempotencyKey: randomUUID() }),
        );
        return message.id;
      };
      expect(await sendMessage(send, await queueTo({ optedOut: false, automated: false }))).toMatchObject({ status: "sent" });
      // the account's 15-minute window holds one DM: the next waits for it
      expect(await sendMessage(send, await queueTo({ optedOut: false, automated: false }))).toMatchObject({ status: "deferred" });
      expect(await sendMessage(send, await queueTo({ optedOut: true, automated: true }))).toMatchObject({ status: "failed", reason: "contact opted out" });

      const s = parseExposition(await metrics.expose());
      expect(sample(s, "mktx_dm_outcomes_total", { status: "sent", reason: "accepted" })).toBe(1);
      expect(sample(s, "mktx_dm_outcomes_total", { status: "deferred", reason: "send_window" })).toBe(1);
      expect(sample(s, "mktx_dm_outcomes_total", { status: "failed", reason: "opted_out" })).toBe(1);
      expect(sample(s, "mktx_send_window_waits_total", { window: "account_15m" })).toBe(1);
      expect(sample(s, "mktx_send_window_wait_seconds_count", { window: "account_15m" })).toBe(1);
      // it waits until the counted minute's bucket has left the 15-minute window: 15 to 16 minutes after that minute began
      const sum = sample(s, "mktx_send_window_wait_seconds_sum", { window: "account_15m" }) ?? 0;
      expect(sum).toBeGreaterThan(14 * 60);
      expect(sum).toBeLessThanOrEqual(16 * 60);
    } finally {
      await local.close();
    }
  });
});
