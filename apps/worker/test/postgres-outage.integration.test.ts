// PostgreSQL stopped and started again under load (issue 11, "prove it"): the real API and worker
// processes run on a PostgreSQL cluster of this test's own (never the shared one), a campaign is
// sending, a flow welcomes every new follower X reports, and the dashboard keeps reading. While the
// database is away the API answers 503 in the error envelope, quickly, never 500; once it is back,
// both processes carry on by themselves within seconds, every webhook the API accepted (200) is
// kept, and every queued DM reaches X exactly once.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SignJWT } from "jose";
import { randomBytes, randomUUID } from "node:crypto";
import { rmSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { freePort, migrateDatabase, startEmbeddedPostgres, type EmbeddedPg } from "@mkt-x/db/ops";
import { createXSandbox, type SandboxUser, type XSandbox } from "@mkt-x/twitter/sandbox";
import { startApiProcess, type ApiProcess } from "../../api/test/api-process.ts";
import { CONSUMER_KEY, CONSUMER_SECRET, eventually } from "./harness.ts";
import { startWorkerProcess, type WorkerProcess } from "./worker-process.ts";

const ROOT = join(import.meta.dirname, "..", "..", "..");
const JWT_SECRET = "outage-secret-0123456789abcdef";
const RECIPIENTS = 200;
/** how long PostgreSQL stays away */
const OUTAGE_MS = 4000;
/** the bound: both processes work again this soon after PostgreSQL is back */
const RECOVERY_MS = 10_000;
/** "never hangs": what a request may take while the database is away */
const ANSWER_BOUND_MS = 3000;

/** A PostgreSQL cluster this file owns: stopped (fast shutdown, as an operator's restart) and started on the same port and data. */
interface OwnPostgres {
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

async function startOwnPostgres(): Promise<OwnPostgres> {
  const dir = join(ROOT, ".data", `pg-outage-${process.pid}-${randomBytes(3).toString("hex")}`);
  const port = await freePort();
  // persistent: a stop keeps the data folder, so the next start finds the same cluster
  let server: EmbeddedPg | null = await startEmbeddedPostgres({ dir, port, persistent: true });
  const url = server.url();
  return {
    url,
    async stop() {
      await server?.stop();
      server = null;
    },
    async start() {
      server = await startEmbeddedPostgres({ dir, port, persistent: true });
    },
    async destroy() {
      await server?.stop();
      server = null;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

let own: OwnPostgres | undefined;
let sandbox: XSandbox | undefined;
let worker: WorkerProcess | undefined;
let api: ApiProcess | undefined;
let pool: pg.Pool | undefined;

beforeAll(async () => {
  own = await startOwnPostgres();
  await migrateDatabase(own.url);
  pool = new pg.Pool({ connectionString: own.url, max: 2 });
  // the outage ends this pool's sessions too
  pool.on("error", () => {});
  sandbox = createXSandbox({ consumerKey: CONSUMER_KEY, consumerSecret: CONSUMER_SECRET });
  const xUrl = await sandbox.listen();
  // production: a developer's .env must not leak into the test
  const { X_CONSUMER_KEY: _k, X_CONSUMER_SECRET: _s, X_SANDBOX: _x, DATABASE_URL: _d, ...inherited } = process.env;
  const shared = { DATABASE_URL: own.url, TOKEN_ENCRYPTION_KEY: randomBytes(32).toString("base64"), X_API_BASE_URL: xUrl, X_CONSUMER_KEY: CONSUMER_KEY, X_CONSUMER_SECRET: CONSUMER_SECRET, DM_SEND_WINDOWS: "off" };
  // both at once, as a deployment starts them: each installs pg-boss's schema and queues if missing (safely concurrent)
  [worker, api] = await Promise.all([
    startWorkerProcess(shared),
    startApiProcess({ ...inherited, ...shared, NODE_ENV: "production", JWT_SECRET, PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "info", RATE_LIMIT_PER_MINUTE: "100000" }),
  ]);
  sandbox.configure({ webhookUrl: `${api.url}/api/v1/mkt-x/webhooks/twitter` });
  // a process that dies of the outage is the failure this file looks for: say how it died
  const apiProcess = api;
  apiProcess.child.once("exit", (code, signal) => console.log(JSON.stringify({ apiExited: code ?? signal, stderr: apiProcess.stderr().slice(-3000), lastLines: apiProcess.logLines.slice(-5) })));
  const workerProcess = worker;
  workerProcess.child.once("exit", (code, signal) => console.log(JSON.stringify({ workerExited: code ?? signal, lastLines: workerProcess.logLines.slice(-8) })));
}, 120_000);

afterAll(async () => {
  await api?.stop();
  await worker?.stop();
  await pool?.end().catch(() => {});
  await sandbox?.close();
  await own?.destroy();
});

interface Answer {
  status: number;
  ms: number;
  body: unknown;
  at: number;
}

function client(base: string, token: string) {
  return async (method: string, path: string, body?: unknown): Promise<Answer> => {
    const started = Date.now();
    const res = await fetch(`${base}/api/v1/mkt-x${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(30_000),
    });
    const json: unknown = await res.json();
    return { status: res.status, ms: Date.now() - started, body: json, at: started };
  };
}

const dataOf = <T>(a: Answer): T => (a.body as { data: T }).data;

describe("PostgreSQL stopped and started under load", () => {
  it("API answers 503 while it is away and both processes recover on their own; no accepted webhook and no queued DM is lost", { timeout: 120_000 }, async () => {
    const db = own!;
    const x = sandbox!;
    const merchantId = randomUUID();
    const token = await new SignJWT({ merchantId, role: "owner" }).setProtectedHeader({ alg: "HS256" }).setSubject(randomUUID()).setExpirationTime("1h").sign(new TextEncoder().encode(JWT_SECRET));
    const call = client(api!.url, token);

    // an account, a welcome flow for new followers, and a campaign to RECIPIENTS consenting contacts
    const shop = x.addUser({ username: "outage_shop" });
    const connected = await call("POST", "/accounts", { oauthToken: shop.accessToken, oauthTokenSecret: shop.accessSecret });
    expect(connected.status, JSON.stringify(connected.body)).toBe(200);
    const accountId = dataOf<{ id: string }>(connected).id;
    expect((await call("PUT", `/accounts/${accountId}`, { requireConsent: false })).status).toBe(200);
    const welcome = await call("POST", "/templates", { name: "welcome", type: "text", content: "Welcome, thanks for following!", variables: [] });
    const flow = await call("POST", "/automation/flows", {
      name: "welcome",
      trigger: { type: "new_follower", config: {} },
      nodes: [
        { id: "welcome", type: "send_message", config: { templateId: dataOf<{ id: string }>(welcome).id, delay: 0 } },
        { id: "done", type: "end", config: {} },
      ],
      connections: [{ fromNodeId: "welcome", toNodeId: "done" }],
    });
    expect(flow.status, JSON.stringify(flow.body)).toBe(200);
    expect((await call("POST", `/automation/flows/${dataOf<{ id: string }>(flow).id}/activate`)).status).toBe(200);
    const { rows: recipients } = await pool!.query<{ twitter_user_id: string }>(
      `INSERT INTO contacts (merchant_id, account_id, twitter_user_id, username, tags, consent_at)
       SELECT $1, $2, (8200000000 + g)::text, 'outage_' || g, '{outage}', now() FROM generate_series(1, $3::int) g
       RETURNING twitter_user_id`,
      [merchantId, accountId, RECIPIENTS],
    );
    const seg = await call("POST", "/segments", { name: "outage", conditions: [{ field: "tags", operator: "contains", value: "outage" }] });
    const tpl = await call("POST", "/templates", { name: "sale", type: "text", content: "Our sale starts now", variables: [] });
    const campaign = await call("POST", "/campaigns", { name: "Outage sale", type: "promotional", templateId: dataOf<{ id: string }>(tpl).id, segmentIds: [dataOf<{ id: string }>(seg).id] });
    expect(campaign.status, JSON.stringify(campaign.body)).toBe(200);
    const campaignId = dataOf<{ id: string }>(campaign).id;

    // X answers each DM after a moment, so the campaign is still sending when the database goes
    x.addFault({ method: "POST", path: "/2/dm_conversations", latencyMs: 60, sticky: true });
    expect((await call("POST", `/campaigns/${campaignId}/start`)).status).toBe(200);

    // load for the whole test: new followers (X's webhooks) and the dashboard's reads
    const followers: { fan: SandboxUser; status: number | null; at: number }[] = [];
    const reads: (Answer & { path: string })[] = [];
    let loading = true;
    let stoppedAt = Date.now();
    let pendingRead: number | null = null;
    const followLoop = (async () => {
      for (let i = 0; loading; i++) {
        const fan = x.addUser({ username: `fan_${i}` });
        const at = Date.now();
        const delivery = await x.follow({ fromUserId: fan.id, toUserId: shop.id });
        followers.push({ fan, status: delivery.status, at });
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const readLoop = (async () => {
      const paths = ["/campaigns", "/contacts", `/campaigns/${campaignId}`, "/automation/flows"];
      for (let i = 0; loading; i++) {
        const path = paths[i % paths.length]!;
        pendingRead = Date.now() - stoppedAt;
        reads.push({ path, ...(await call("GET", path)) });
        pendingRead = null;
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const dmsOfShop = () => x.dms().filter((d) => d.senderId === shop.id);
    const campaignDms = () => dmsOfShop().filter((d) => d.text === "Our sale starts now");
    await eventually(async () => campaignDms().length, (n) => n >= RECIPIENTS / 4, 60_000);

    // the outage
    stoppedAt = Date.now();
    await db.stop();
    const ready: Answer[] = [];
    while (Date.now() - stoppedAt < OUTAGE_MS) {
      const started = Date.now();
      const res = await fetch(`${api!.url}/ready`, { signal: AbortSignal.timeout(30_000) });
      ready.push({ status: res.status, ms: Date.now() - started, body: await res.json(), at: started });
      await new Promise((r) => setTimeout(r, 200));
    }
    const atXBeforeRestart = campaignDms().length;
    expect(atXBeforeRestart).toBeLessThan(RECIPIENTS);
    await db.start();
    const restartedAt = Date.now();

    // both processes work again by themselves: the API reads, the worker sends the campaign's next DMs
    await eventually(async () => reads.filter((r) => r.at >= restartedAt && r.status === 200).length, (n) => n >= 4, RECOVERY_MS).catch((err: unknown) => {
      console.log(JSON.stringify({ stoppedAt, restartedAt, pendingReadSince: pendingRead, reads: reads.slice(-12).map((r) => ({ path: r.path, status: r.status, ms: r.ms, at: r.at - stoppedAt, body: r.status === 200 ? null : r.body })) }));
      throw err;
    });
    const apiBackMs = Math.min(...reads.filter((r) => r.at >= restartedAt && r.status === 200).map((r) => r.at + r.ms)) - restartedAt;
    await eventually(async () => campaignDms().filter((d) => Date.parse(d.createdAt) >= restartedAt).length, (n) => n > 0, RECOVERY_MS);
    const workerBackMs = Math.min(...campaignDms().map((d) => Date.parse(d.createdAt)).filter((t) => t >= restartedAt)) - restartedAt;
    // a few more followers after the outage, then the load stops
    await new Promise((r) => setTimeout(r, 1000));
    loading = false;
    await Promise.all([followLoop, readLoop]);

    // while the database was away: every API answer a 503 in the envelope (or a 200 served before
    // it noticed), quickly, never a 500
    const during = reads.filter((r) => r.at >= stoppedAt && r.at + r.ms <= restartedAt);
    expect(during.length).toBeGreaterThan(5);
    expect(during.filter((r) => r.status === 503).length).toBeGreaterThan(0);
    expect(reads.filter((r) => r.status !== 200 && r.status !== 503)).toEqual([]);
    for (const r of reads.filter((a) => a.status === 503)) expect(r.body).toEqual({ success: false, code: "SERVICE_UNAVAILABLE", error: expect.any(String) });
    expect(reads.filter((r) => r.ms > ANSWER_BOUND_MS)).toEqual([]);
    expect(ready.length).toBeGreaterThan(3);
    expect(ready.filter((r) => r.status !== 503 || r.ms > ANSWER_BOUND_MS)).toEqual([]);
    // X's webhooks: refused with 503 while away (X retries those), never a 500 or no answer
    expect(followers.filter((f) => f.status !== 200 && f.status !== 503)).toEqual([]);
    const accepted = followers.filter((f) => f.status === 200).map((f) => f.fan.id);
    expect(followers.filter((f) => f.status === 503).length).toBeGreaterThan(0);
    // X's webhooks are taken again after the outage
    expect(followers.filter((f) => f.status === 200 && f.at >= restartedAt).length).toBeGreaterThan(0);

    // everything settles: the campaign completes, each accepted follower is welcomed exactly once
    const welcomes = () => {
      const per = new Map<string, number>();
      for (const d of dmsOfShop()) if (d.text === "Welcome, thanks for following!") per.set(d.recipientId, (per.get(d.recipientId) ?? 0) + 1);
      return per;
    };
    await eventually(async () => welcomes(), (per) => accepted.every((id) => per.has(id)), 60_000).catch(async (err: unknown) => {
      const per = welcomes();
      const missing = followers.filter((f) => f.status === 200 && !per.has(f.fan.id));
      const ids = missing.map((f) => f.fan.id);
      const q = async (sql: string) => (await pool!.query(sql, [ids])).rows;
      console.log(JSON.stringify({
        missing: missing.map((f) => ({ id: f.fan.id, at: f.at - stoppedAt })),
        restartedAt: restartedAt - stoppedAt,
        events: await q("SELECT payload #>> '{follow_events,0,source,id}' AS src, processed_at, status FROM webhook_events WHERE payload #>> '{follow_events,0,source,id}' = ANY($1)").catch((e: unknown) => String(e)),
        contacts: await q("SELECT twitter_user_id FROM contacts WHERE twitter_user_id = ANY($1)"),
        messages: await q("SELECT c.twitter_user_id, m.status, m.error FROM messages m JOIN contacts c ON c.id = m.contact_id WHERE c.twitter_user_id = ANY($1)"),
        jobs: (await pool!.query("SELECT name, state, count(*)::int FROM pgboss.job GROUP BY 1, 2 ORDER BY 1, 2")).rows,
      }));
      throw err;
    });
    const settled = await eventually(
      async () => dataOf<{ status: string; metrics: { totalSent: number; delivered: number; failed: number } }>(await call("GET", `/campaigns/${campaignId}`)),
      (c) => c.status === "completed",
      60_000,
    );
    console.log(JSON.stringify({ test: "postgres-outage", recipients: RECIPIENTS, atXAtStop: atXBeforeRestart, outageMs: restartedAt - stoppedAt, apiBackMs, workerBackMs, readsDuringOutage: during.length, refusedWebhooks: followers.length - accepted.length, acceptedWebhooks: accepted.length }));
    expect(apiBackMs).toBeLessThan(RECOVERY_MS);
    expect(workerBackMs).toBeLessThan(RECOVERY_MS);

    // X's record of the campaign: every recipient exactly once; the API's metrics say the same
    const perRecipient = new Map<string, number>();
    for (const d of campaignDms()) perRecipient.set(d.recipientId, (perRecipient.get(d.recipientId) ?? 0) + 1);
    expect([...perRecipient.keys()].sort()).toEqual(recipients.map((r) => r.twitter_user_id).sort());
    expect([...perRecipient.values()].filter((n) => n !== 1)).toEqual([]);
    expect(settled.metrics).toMatchObject({ totalSent: RECIPIENTS, delivered: RECIPIENTS, failed: 0 });
    // every follow the API accepted is stored and welcomed once; none welcomed twice
    const { rows: stored } = await pool!.query<{ for_user: string; source: string }>(
      "SELECT for_user_id AS for_user, payload #>> '{follow_events,0,source,id}' AS source FROM webhook_events WHERE kind = 'follow'",
    );
    expect(accepted.filter((id) => !stored.some((r) => r.source === id))).toEqual([]);
    const per = welcomes();
    expect([...per.values()].filter((n) => n !== 1)).toEqual([]);
    expect(accepted.filter((id) => per.get(id) !== 1)).toEqual([]);
  });
});
