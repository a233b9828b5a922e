// Prometheus on the real API process (src/main.ts): GET /metrics refuses without METRICS_TOKEN's
// bearer, answers the text exposition with it, and counts requests by route pattern (never a raw
// URL with ids) and status, webhook events by kind. Without METRICS_TOKEN the endpoint is absent.
import { afterAll, beforeAll, describe, expect, it, inject } from "vitest";
import { createHmac, randomBytes, randomUUID } from "node:crypto";
import { SignJWT } from "jose";
import { createTestDatabase, type TestDatabase } from "@mkt-x/db/testing";
import { buildInboundDmPayload } from "@mkt-x/twitter/sandbox";
import { BASE_PATH } from "../src/openapi.ts";
import { startApiProcess, type ApiProcess } from "./api-process.ts";
import { parseExposition, sample } from "./exposition.ts";

const METRICS_TOKEN = "metrics-test-token-0123456789";
const JWT_SECRET = "metrics-test-secret-0123456789";
const CONSUMER_SECRET = "metrics-consumer-secret";
let database: TestDatabase;
let api: ApiProcess;
let disabled: ApiProcess;

function env(extra: Record<string, string>): NodeJS.ProcessEnv {
  const { X_SANDBOX: _sandbox, METRICS_TOKEN: _token, ...inherited } = process.env;
  return {
    ...inherited,
    NODE_ENV: "production",
    DATABASE_URL: database.url,
    JWT_SECRET,
    TOKEN_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    X_CONSUMER_KEY: "metrics-consumer-key",
    X_CONSUMER_SECRET: CONSUMER_SECRET,
    X_API_BASE_URL: "http://127.0.0.1:9",
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: "info",
    ...extra,
  };
}

beforeAll(async () => {
  database = await createTestDatabase(inject("dbTemplate"));
  database.pool.on("error", () => {});
  [api, disabled] = await Promise.all([startApiProcess(env({ METRICS_TOKEN })), startApiProcess(env({}))]);
}, 90_000);

afterAll(async () => {
  await Promise.all([api?.stop(), disabled?.stop()]);
  await database?.drop();
});

const scrape = (proc: ApiProcess, authorization?: string) => fetch(`${proc.url}/metrics`, { headers: authorization ? { authorization } : {} });
const token = (merchantId: string) => new SignJWT({ merchantId, role: "owner" }).setProtectedHeader({ alg: "HS256" }).setSubject(randomUUID()).setExpirationTime("1h").sign(new TextEncoder().encode(JWT_SECRET));

describe("GET /metrics on the API", () => {
  it("refuses a scrape without the bearer token, or with a wrong one, with 401 in the envelope", async () => {
    for (const authorization of [undefined, "Bearer wrong-token-wrong-token", `Basic ${METRICS_TOKEN}`, `Bearer ${METRICS_TOKEN}x`]) {
      const res = await scrape(api, authorization);
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ success: false, code: "UNAUTHORIZED" });
    }
  });

  it("answers 404 in the envelope when METRICS_TOKEN is not set, whatever the token", async () => {
    for (const authorization of [undefined, `Bearer ${METRICS_TOKEN}`]) {
      const res = await scrape(disabled, authorization);
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ success: false, code: "RESOURCE_NOT_FOUND" });
    }
  });

  it("answers the text exposition with the token: every metric of the service declared, process metrics too", async () => {
    const res = await scrape(api, `Bearer ${METRICS_TOKEN}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    for (const name of ["mktx_http_request_duration_seconds", "mktx_dm_outcomes_total", "mktx_webhook_events_total", "mktx_event_stream_clients", "mktx_db_pool_connections"]) {
      expect(text).toContain(`# TYPE ${name} `);
    }
    const samples = parseExposition(text);
    expect(sample(samples, "process_resident_memory_bytes", { service: "api" })).toBeGreaterThan(0);
    expect(sample(samples, "mktx_event_stream_clients", { service: "api" })).toBe(0);
    for (const pool of ["prisma", "ingest"]) for (const state of ["total", "idle", "waiting"]) expect(sample(samples, "mktx_db_pool_connections", { pool, state })).toBeTypeOf("number");
  });

  it("counts GET /accounts twice under its route pattern and status; an id in the URL never becomes a label", async () => {
    const bearer = await token(randomUUID());
    for (let i = 0; i < 2; i++) expect((await fetch(`${api.url}${BASE_PATH}/accounts`, { headers: { authorization: `Bearer ${bearer}` } })).status).toBe(200);
    const missing = randomUUID();
    expect((await fetch(`${api.url}${BASE_PATH}/accounts/${missing}`, { headers: { authorization: `Bearer ${bearer}` } })).status).toBe(404);
    expect((await fetch(`${api.url}${BASE_PATH}/no-such-route/${missing}`, { headers: { authorization: `Bearer ${bearer}` } })).status).toBe(404);

    const text = await (await scrape(api, `Bearer ${METRICS_TOKEN}`)).text();
    const samples = parseExposition(text);
    expect(sample(samples, "mktx_http_request_duration_seconds_count", { method: "GET", route: `${BASE_PATH}/accounts`, status: "200" })).toBe(2);
    expect(sample(samples, "mktx_http_request_duration_seconds_count", { method: "GET", route: `${BASE_PATH}/accounts/{accountId}`, status: "404" })).toBe(1);
    expect(sample(samples, "mktx_http_request_duration_seconds_count", { method: "GET", route: "unmatched", status: "404" })).toBeGreaterThanOrEqual(1);
    // the buckets of the same series: the +Inf bucket holds both requests
    expect(sample(samples, "mktx_http_request_duration_seconds_bucket", { route: `${BASE_PATH}/accounts`, status: "200", le: "+Inf" })).toBe(2);
    expect(text).not.toContain(missing);
    // those requests ran on Prisma's pool: its connections are counted
    expect(sample(samples, "mktx_db_pool_connections", { pool: "prisma", state: "total" })).toBeGreaterThanOrEqual(1);
    const routes = new Set(samples.filter((s) => s.name === "mktx_http_request_duration_seconds_count").map((s) => s.labels.route));
    for (const route of routes) expect(route).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
  });

  it("counts X's webhook events by kind and the delivery's ingest latency", async () => {
    const body = JSON.stringify(buildInboundDmPayload({ sender: { id: "9001", username: "cust" }, recipient: { id: "777", username: "shop" }, text: "hello", eventId: "5001" }));
    const signature = `sha256=${createHmac("sha256", CONSUMER_SECRET).update(body).digest("base64")}`;
    const res = await fetch(`${api.url}${BASE_PATH}/webhooks/twitter`, { method: "POST", headers: { "content-type": "application/json", "x-twitter-webhooks-signature": signature }, body });
    expect(res.status).toBe(200);
    const samples = parseExposition(await (await scrape(api, `Bearer ${METRICS_TOKEN}`)).text());
    expect(sample(samples, "mktx_webhook_events_total", { kind: "direct_message" })).toBe(1);
    expect(sample(samples, "mktx_webhook_ingest_duration_seconds_count", { result: "stored" })).toBe(1);
    expect(sample(samples, "mktx_http_request_duration_seconds_count", { method: "POST", route: `${BASE_PATH}/webhooks/twitter`, status: "200" })).toBe(1);
  });
});
