// The real API process started without X app credentials (CONTRACT.md: unset outside dev): it
// serves everything that does not need X, warns once at start, and refuses what does need X
// clearly: connect answers like an unreachable X, CRC 503, deliveries 401 with nothing stored.
import { afterAll, beforeAll, describe, expect, it, inject } from "vitest";
import { createHmac, randomBytes, randomUUID } from "node:crypto";
import { SignJWT } from "jose";
import { createTestDatabase, type TestDatabase } from "@mkt-x/db/testing";
import { X_APP_NOT_CONFIGURED } from "@mkt-x/core/server";
import { BASE_PATH } from "../src/openapi.ts";
import { startApiProcess, type ApiProcess } from "./api-process.ts";

const JWT_SECRET = "without-x-secret-0123456789";

let database: TestDatabase;
let api: ApiProcess;
let base: string;

beforeAll(async () => {
  database = await createTestDatabase(inject("dbTemplate"));
  database.pool.on("error", () => {});
  const { X_CONSUMER_KEY: _key, X_CONSUMER_SECRET: _secret, X_SANDBOX: _sandbox, ...inherited } = process.env;
  api = await startApiProcess({
    ...inherited,
    // production: a developer's .env (which may hold X credentials) must not leak into this test
    NODE_ENV: "production",
    DATABASE_URL: database.url,
    JWT_SECRET,
    TOKEN_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: "info",
  });
  base = `${api.url}${BASE_PATH}`;
});

afterAll(async () => {
  await api?.stop();
  await database?.drop();
});

const token = () =>
  new SignJWT({ merchantId: randomUUID(), role: "owner" }).setProtectedHeader({ alg: "HS256" }).setSubject(randomUUID()).setExpirationTime("1h").sign(new TextEncoder().encode(JWT_SECRET));

async function call(method: string, path: string, opts: { bearer?: string; body?: string; headers?: Record<string, string> } = {}) {
  const headers = { ...(opts.bearer ? { authorization: `Bearer ${opts.bearer}` } : {}), ...(opts.body !== undefined ? { "content-type": "application/json" } : {}), ...opts.headers };
  const res = await fetch(`${base}${path}`, { method, headers, body: opts.body });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const storedEvents = async () => (await database.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM webhook_events")).rows[0]?.n;

describe("the API without X_CONSUMER_KEY and X_CONSUMER_SECRET", () => {
  it("starts, serves what does not need X, and warns once naming both variables", async () => {
    expect((await fetch(`${base.replace(BASE_PATH, "")}/health`)).status).toBe(200);
    const list = await call("GET", "/accounts", { bearer: await token() });
    expect(list).toMatchObject({ status: 200, body: { success: true, data: [] } });
    const warnings = api.logLines.filter((l) => l.level === 40 && l.msg?.includes("X_CONSUMER_KEY, X_CONSUMER_SECRET"));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.msg).toContain(X_APP_NOT_CONFIGURED);
  });

  it("answers a connect the way it answers when X cannot be reached, and stores no account", async () => {
    const bearer = await token();
    const res = await call("POST", "/accounts", { bearer, body: JSON.stringify({ oauthToken: "1-token", oauthTokenSecret: "secret" }) });
    expect(res).toMatchObject({ status: 502, body: { success: false, code: "TWITTER_API_ERROR" } });
    expect((await call("GET", "/accounts", { bearer })).body).toMatchObject({ data: [] });
  });

  it("answers connect with X's start the same way (502 TWITTER_API_ERROR), keeping no pending attempt", async () => {
    const res = await call("POST", "/accounts/oauth/start", { bearer: await token(), body: "{}" });
    expect(res).toMatchObject({ status: 502, body: { success: false, code: "TWITTER_API_ERROR" } });
    expect((await database.pool.query("SELECT 1 FROM x_oauth_requests")).rows).toEqual([]);
  });

  it.each(["/webhooks/verify", "/webhooks/twitter"])("answers the CRC on %s with 503 in the envelope", async (path) => {
    const res = await call("GET", `${path}?crc_token=T`);
    expect(res).toEqual({ status: 503, body: { success: false, code: "SERVICE_UNAVAILABLE", error: X_APP_NOT_CONFIGURED } });
  });

  it("refuses every delivery with 401 and stores nothing, even one signed with an empty key", async () => {
    const body = JSON.stringify({ for_user_id: "1", direct_message_events: [] });
    const signedWithEmptyKey = `sha256=${createHmac("sha256", "").update(body).digest("base64")}`;
    const attempts: Record<string, string>[] = [{}, { "x-twitter-webhooks-signature": signedWithEmptyKey }];
    for (const headers of attempts) {
      const res = await call("POST", "/webhooks/twitter", { body, headers });
      expect(res).toMatchObject({ status: 401, body: { success: false, code: "UNAUTHORIZED" } });
    }
    expect(await storedEvents()).toBe(0);
  });
});
