// Liveness and readiness: no token, no envelope, outside the REST base path.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb } from "@mkt-x/db";
import { createEmbeddedAiProvider, createTokenCipher } from "@mkt-x/core/server";
import { createTwitterXClient } from "@mkt-x/twitter";
import { buildApp } from "../src/app.ts";
import { createTokenVerifier } from "../src/auth/verify-token.ts";
import { CONSUMER_KEY, CONSUMER_SECRET, JWT_SECRET, startHarness, UNREACHABLE_WEBHOOK_URL, type Harness } from "./harness.ts";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

describe("/health and /ready", () => {
  it("/health answers 200 without a token", async () => {
    const res = await h.call("GET", `${h.url}/health`, { token: null });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: "ok" });
  });

  it("/ready answers 200 when the database and the queue answer", async () => {
    const res = await h.call("GET", `${h.url}/ready`, { token: null });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: "ready" });
  });

  it("/ready answers 503 when the database is unreachable, while /health stays 200", async () => {
    const url = new URL(h.database.url);
    url.pathname = `/mktx_missing_${randomBytes(4).toString("hex")}`;
    const db = createDb(url.toString(), { poolSize: 1 });
    const x = createTwitterXClient({ baseUrl: UNREACHABLE_WEBHOOK_URL, consumerKey: CONSUMER_KEY, consumerSecret: CONSUMER_SECRET });
    const app = await buildApp({
      services: { db, queue: { send: async () => {}, sendMany: async () => {}, deadLetter: async () => {} }, ingestor: { ingest: async () => ({ received: 0, stored: 0, duplicates: 0 }), drain: async () => {} }, x, cipher: createTokenCipher(randomBytes(32)), webhookUrl: UNREACHABLE_WEBHOOK_URL, ai: createEmbeddedAiProvider() },
      verifyToken: createTokenVerifier({ secret: JWT_SECRET }),
      consumerSecret: CONSUMER_SECRET,
      rateLimitPerMinute: 10,
      readiness: async () => {
        await db.$queryRaw`SELECT 1`;
      },
    });
    try {
      const ready = await app.inject({ method: "GET", url: "/ready" });
      expect(ready.statusCode).toBe(503);
      expect(ready.json()).toEqual({ status: "unavailable" });
      expect(ready.body).not.toMatch(/mktx_missing|ECONN|\n\s+at\s/);
      const health = await app.inject({ method: "GET", url: "/health" });
      expect(health.statusCode).toBe(200);
    } finally {
      await app.close();
      x.close();
      await db.$disconnect();
    }
  });
});
