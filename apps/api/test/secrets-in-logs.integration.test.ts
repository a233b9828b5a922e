// Secrets never reach the logs: the real API process (src/main.ts) at its most verbose level,
// configured with known secrets, taken through the requests that log (sign-in and its failures,
// refresh, invites, API keys, connecting X accounts and X failing, X's webhooks, outgoing webhooks,
// metrics, the OpenAI provider failing, a server fault), and then everything it wrote to stdout and
// stderr is searched for each secret, as written and in the encodings a log could carry it in. The
// worker runs beside it (its real main.ts) and is searched too: it sends the DM and the outgoing webhook.
import { createHmac, randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it, inject } from "vitest";
import { createTestDatabase, type TestDatabase } from "@mkt-x/db/testing";
import { createMerchantWithOwner } from "@mkt-x/core/server";
import { buildInboundDmPayload, createXSandbox, type XSandbox } from "@mkt-x/twitter/sandbox";
import { BASE_PATH } from "../src/openapi.ts";
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { startApiProcess, type ApiProcess } from "./api-process.ts";
import { insertInboxContact, insertInboxConversation, insertInboxMessage } from "./factories.ts";

const LEAK = randomBytes(6).toString("hex");
const ENCRYPTION_KEY = randomBytes(32);
const CONFIGURED = {
  JWT_SECRET: `jwt-secret-${LEAK}-0123456789`,
  TOKEN_ENCRYPTION_KEY: ENCRYPTION_KEY.toString("base64"),
  X_CONSUMER_SECRET: `consumer-secret-${LEAK}`,
  METRICS_TOKEN: `metrics-token-${LEAK}-0123456789`,
  OPENAI_API_KEY: `sk-proj-${LEAK}abcdefghijklmnop`,
};
const CONSUMER_KEY = `consumer-key-${LEAK}`;
const OWNER_PASSWORD = `owner password ${LEAK}!`;
const WRONG_PASSWORD = `wrong password ${LEAK}?`;
const TEAM_PASSWORD = `team password ${LEAK}#`;
const INVITED_PASSWORD = `invited password ${LEAK}%`;

let database: TestDatabase;
let sandbox: XSandbox;
let openai: Server;
let api: ApiProcess;
let worker: ChildProcess;
let workerOutput = "";
/** secrets handed out while the test runs: X tokens, API keys, webhook secrets, refresh tokens… */
const issued: Record<string, string> = {};

beforeAll(async () => {
  database = await createTestDatabase(inject("dbTemplate"));
  database.pool.on("error", () => {});
  sandbox = createXSandbox({ consumerKey: CONSUMER_KEY, consumerSecret: CONFIGURED.X_CONSUMER_SECRET });
  const sandboxUrl = await sandbox.listen();
  // an OpenAI-compatible endpoint refusing the key as OpenAI does (its message shows the key masked)
  openai = createServer((_req, res) => {
    res.writeHead(401, { "content-type": "application/json" });
    res.end(JSON.stringify({ error: { message: `Incorrect API key provided: sk-proj-****mnop.`, type: "invalid_request_error", code: "invalid_api_key" } }));
  });
  await new Promise<void>((resolve) => openai.listen(0, "127.0.0.1", resolve));
  const address = openai.address();
  const openaiUrl = typeof address === "object" && address ? `http://127.0.0.1:${address.port}/v1` : "";
  const { X_SANDBOX: _sandbox, ...inherited } = process.env;
  const env = {
    ...inherited,
    NODE_ENV: "production",
    DATABASE_URL: database.url,
    ...CONFIGURED,
    X_CONSUMER_KEY: CONSUMER_KEY,
    X_API_BASE_URL: sandboxUrl,
    X_WEB_BASE_URL: sandboxUrl,
    AI_PROVIDER: "openai",
    OPENAI_BASE_URL: openaiUrl,
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: "trace",
    // the outgoing webhook below targets this machine
    WEBHOOK_ALLOW_PRIVATE_TARGETS: "1",
    WORKER_METRICS_PORT: "0",
    WORKER_METRICS_HOST: "127.0.0.1",
  };
  api = await startApiProcess(env);
  // the worker too (its real main.ts): it sends the DMs, calls OpenAI, delivers the outgoing webhooks
  worker = spawn(join(import.meta.dirname, "..", "..", "..", "node_modules", ".bin", "tsx"), ["src/main.ts"], { cwd: join(import.meta.dirname, "..", "..", "worker"), env, stdio: ["ignore", "pipe", "pipe"] });
  await new Promise<void>((resolve, reject) => {
    const take = (chunk: Buffer) => {
      workerOutput += chunk.toString("utf8");
      if (workerOutput.includes("worker metrics listening")) resolve();
    };
    worker.stdout?.on("data", take);
    worker.stderr?.on("data", take);
    worker.once("exit", (code) => reject(new Error(`the worker exited (${code}): ${workerOutput}`)));
  });
}, 90_000);

afterAll(async () => {
  if (worker && worker.exitCode === null) {
    const exited = new Promise((resolve) => worker.once("exit", resolve));
    worker.kill("SIGTERM");
    await exited;
  }
  await api?.stop();
  await sandbox?.close();
  await new Promise((resolve) => openai?.close(resolve));
  await database?.drop();
});

interface Answer {
  status: number;
  body: { data?: Record<string, unknown> } & Record<string, unknown>;
}
async function call(method: string, path: string, opts: { bearer?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.bearer) headers.authorization = `Bearer ${opts.bearer}`;
  if (opts.body !== undefined || opts.raw !== undefined) headers["content-type"] ??= "application/json";
  const res = await fetch(`${api.url}${path}`, { method, headers, body: opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body)) });
  const text = await res.text();
  return { status: res.status, body: text.startsWith("{") ? JSON.parse(text) : {} };
}
const dataOf = (a: Answer, key: string): string => {
  const value = a.body.data?.[key];
  if (typeof value !== "string") throw new Error(`no ${key} in ${a.status} ${JSON.stringify(a.body)}`);
  return value;
};

async function until(done: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error("the worker did not get there in time");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Each secret in the forms a log line could carry it: as is, JSON-escaped, URL-encoded, base64, hex. */
function formsOf(secret: string): string[] {
  const bytes = Buffer.from(secret, "utf8");
  return [...new Set([secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret), bytes.toString("base64"), bytes.toString("base64url"), bytes.toString("hex")])];
}

describe("the logs of the API and the worker", () => {
  it("carry none of the configured or issued secrets after requests that log", async () => {
    const email = `owner.${LEAK}@example.com`;
    const { merchantId } = await createMerchantWithOwner(database.db, { email, password: OWNER_PASSWORD, name: "Owner", merchantName: "Shop" });

    // sign-in: failures, success, refresh (and a replayed refresh token), me, logout
    for (let i = 0; i < 2; i++) expect((await call("POST", "/api/v1/auth/login", { body: { email, password: WRONG_PASSWORD } })).status).toBe(401);
    const login = await call("POST", "/api/v1/auth/login", { body: { email, password: OWNER_PASSWORD } });
    const accessToken = dataOf(login, "accessToken");
    const firstRefresh = dataOf(login, "refreshToken");
    const refreshed = await call("POST", "/api/v1/auth/refresh", { body: { refreshToken: firstRefresh } });
    const refreshToken = dataOf(refreshed, "refreshToken");
    expect((await call("POST", "/api/v1/auth/refresh", { body: { refreshToken: firstRefresh } })).status).toBe(401);
    Object.assign(issued, { accessToken, firstRefresh, refreshToken, refreshedAccess: dataOf(refreshed, "accessToken") });
    const again = await call("POST", "/api/v1/auth/login", { body: { email, password: OWNER_PASSWORD } });
    const owner = dataOf(again, "accessToken");
    issued.lastRefresh = dataOf(again, "refreshToken");
    expect((await call("GET", "/api/v1/auth/me", { bearer: owner })).status).toBe(200);
    expect((await call("POST", "/api/v1/auth/logout", { body: { refreshToken: issued.lastRefresh } })).status).toBe(200);
    // a malformed body carrying a password is refused and logged as a client error
    expect((await call("POST", "/api/v1/auth/login", { raw: `{"email":"${email}","password":"${WRONG_PASSWORD}"` })).status).toBe(400);

    // team: a user with a password, an invite accepted with one
    expect((await call("POST", `${BASE_PATH}/team/users`, { bearer: owner, body: { email: `agent.${LEAK}@example.com`, name: "Agent", role: "agent", password: TEAM_PASSWORD } })).status).toBe(200);
    const inviteToken = dataOf(await call("POST", `${BASE_PATH}/team/users`, { bearer: owner, body: { email: `invited.${LEAK}@example.com`, name: "Invited", role: "viewer" } }), "inviteToken");
    issued.inviteToken = inviteToken;
    expect((await call("POST", "/api/v1/auth/accept-invite", { body: { inviteToken, password: INVITED_PASSWORD } })).status).toBe(200);

    // API keys: created, used, revoked, used again
    const created = await call("POST", `${BASE_PATH}/api-keys`, { bearer: owner, body: { name: "ci", role: "admin" } });
    const apiKey = dataOf(created, "key");
    issued.apiKey = apiKey;
    expect((await call("GET", `${BASE_PATH}/accounts`, { bearer: apiKey })).status).toBe(200);
    const otherKey = dataOf(await call("POST", `${BASE_PATH}/api-keys`, { bearer: owner, body: { name: "revoked", role: "viewer" } }), "key");
    issued.otherKey = otherKey;
    expect((await call("DELETE", `${BASE_PATH}/api-keys/${dataOf(created, "id")}`, { bearer: owner })).status).toBe(200);
    expect((await call("GET", `${BASE_PATH}/accounts`, { bearer: apiKey })).status).toBe(401);

    // connecting X accounts: one connects (X's webhook CRC then fails: logged), one has a wrong secret,
    // one meets X failing; an account X refuses
    const user = sandbox.addUser({ username: `shop_${LEAK}` });
    Object.assign(issued, { xAccessToken: user.accessToken, xAccessSecret: user.accessSecret });
    const account = await call("POST", `${BASE_PATH}/accounts`, { bearer: owner, body: { oauthToken: user.accessToken, oauthTokenSecret: user.accessSecret } });
    expect(account.status).toBe(200);
    const accountId = dataOf(account, "id");
    expect((await call("POST", `${BASE_PATH}/accounts`, { bearer: owner, body: { oauthToken: user.accessToken, oauthTokenSecret: `${user.accessSecret}x` } })).status).toBe(400);
    const second = sandbox.addUser({ username: `other_${LEAK}` });
    Object.assign(issued, { xAccessToken2: second.accessToken, xAccessSecret2: second.accessSecret });
    sandbox.addFault({ path: "/2/users/me", status: 503 });
    expect((await call("POST", `${BASE_PATH}/accounts`, { bearer: owner, body: { oauthToken: second.accessToken, oauthTokenSecret: second.accessSecret } })).status).toBeGreaterThanOrEqual(500);
    // connect with X: start, then a callback whose verifier X refuses
    const authorizeUrl = new URL(dataOf(await call("POST", `${BASE_PATH}/accounts/oauth/start`, { bearer: owner, body: {} }), "authorizeUrl"));
    const requestToken = authorizeUrl.searchParams.get("oauth_token") ?? "";
    const callback = await fetch(`${api.url}${BASE_PATH}/accounts/oauth/callback?oauth_token=${requestToken}&oauth_verifier=forged-${LEAK}`, { redirect: "manual" });
    expect(callback.status).toBe(302);

    // a reply sent to X that X refuses (logged by the send pipeline)
    const contactId = await insertInboxContact(database.pool, { merchantId, accountId });
    const conversationId = await insertInboxConversation(database.pool, { merchantId, accountId, contactId });
    await insertInboxMessage(database.pool, { merchantId, accountId, conversationId, contactId, content: "where is my order?" });
    sandbox.addFault({ path: "/2/dm_conversations", status: 401 });
    const reply = await call("POST", `${BASE_PATH}/conversations/${conversationId}/messages`, { bearer: owner, body: { content: "On its way" } });
    expect(reply.status).toBeLessThan(600);

    // the OpenAI provider refusing the key
    const ai = await call("POST", `${BASE_PATH}/ai/conversations/${conversationId}/message`, { bearer: owner, body: { message: "where is my order #123?" } });
    expect(ai.status).toBeGreaterThanOrEqual(400);

    // outgoing webhooks: the secret shown once (the worker signs its failing deliveries with it)
    const webhook = await call("POST", `${BASE_PATH}/integrations/webhooks`, { bearer: owner, body: { url: "http://127.0.0.1:9/in", events: ["message.created"] } });
    issued.webhookSecret = dataOf(webhook, "secret");
    expect((await call("GET", `${BASE_PATH}/integrations/webhooks/${dataOf(webhook, "id")}`, { bearer: owner })).status).toBe(200);

    // X's webhooks: CRC, a signed delivery (the worker stores the DM and answers it), a forged one
    expect((await call("GET", `${BASE_PATH}/webhooks/twitter?crc_token=${LEAK}`)).status).toBe(200);
    const event = JSON.stringify(buildInboundDmPayload({ sender: { id: "9001", username: "customer" }, recipient: { id: user.id, username: user.username }, text: "hello", eventId: `${Date.now()}` }));
    const signature = `sha256=${createHmac("sha256", CONFIGURED.X_CONSUMER_SECRET).update(event).digest("base64")}`;
    expect((await call("POST", `${BASE_PATH}/webhooks/twitter`, { raw: event, headers: { "x-twitter-webhooks-signature": signature } })).status).toBe(200);
    expect((await call("POST", `${BASE_PATH}/webhooks/twitter`, { raw: event, headers: { "x-twitter-webhooks-signature": `sha256=${createHmac("sha256", "forged").update(event).digest("base64")}` } })).status).toBe(401);

    // the worker has processed the customer's DM and tried the outgoing webhook
    await until(async () => {
      const { rows } = await database.pool.query<{ pending: number; attempts: number }>(
        "SELECT (SELECT count(*)::int FROM webhook_events WHERE status = 'received') AS pending, (SELECT coalesce(sum(attempts), 0)::int FROM webhook_deliveries) AS attempts",
      );
      return rows[0]?.pending === 0 && (rows[0]?.attempts ?? 0) > 0;
    });

    // metrics: the right token and a wrong one
    expect((await call("GET", "/metrics", { bearer: CONFIGURED.METRICS_TOKEN })).status).toBe(200);
    expect((await call("GET", "/metrics", { bearer: `${CONFIGURED.METRICS_TOKEN}-wrong` })).status).toBe(401);

    // a server fault (a table gone), logged with its error, on a request carrying a key
    await database.pool.query("ALTER TABLE ai_faq_entries RENAME TO ai_faq_entries_gone");
    try {
      expect((await call("GET", `${BASE_PATH}/ai/knowledge/faqs`, { bearer: otherKey })).status).toBe(500);
      expect((await call("POST", `${BASE_PATH}/ai/knowledge/faqs`, { bearer: owner, body: { question: `q ${LEAK}`, answer: "a" } })).status).toBe(500);
    } finally {
      await database.pool.query("ALTER TABLE ai_faq_entries_gone RENAME TO ai_faq_entries");
    }

    const logs = `${api.output()}\n${workerOutput}`;
    // the run logged what it went through: requests, the failures, the fault
    expect(logs).toContain("procedure failed");
    expect(logs).toContain("webhook subscription failed");
    expect(workerOutput.split("\n").length, workerOutput).toBeGreaterThan(1);
    expect(logs.split("\n").length).toBeGreaterThan(50);
    const secrets: Record<string, string> = {
      ...CONFIGURED,
      encryptionKeyHex: ENCRYPTION_KEY.toString("hex"),
      encryptionKeyBase64Url: ENCRYPTION_KEY.toString("base64url"),
      OWNER_PASSWORD,
      WRONG_PASSWORD,
      TEAM_PASSWORD,
      INVITED_PASSWORD,
      ...issued,
    };
    const leaks = Object.entries(secrets).flatMap(([name, secret]) =>
      formsOf(secret)
        .filter((form) => logs.includes(form))
        .map((form) => `${name} (as ${form.slice(0, 12)}…): ${logs.split("\n").find((line) => line.includes(form))?.slice(0, 400)}`),
    );
    expect(leaks).toEqual([]);
  }, 90_000);
});
