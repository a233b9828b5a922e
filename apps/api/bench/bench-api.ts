// The whole API for a benchmark: real database, queue and ingest, listening on a port like in
// production, with the rate limit out of the way and X unreachable (nothing measured calls X).
import type pg from "pg";
import { randomBytes, randomUUID } from "node:crypto";
import { SignJWT } from "jose";
import type { FastifyInstance } from "fastify";
import { createDb, type Db } from "@mkt-x/db";
import { createPgBoss, createJobQueue, createTokenCipher, createWebhookIngestor, ensureQueues, createEmbeddedAiProvider } from "@mkt-x/core/server";
import type { Role } from "@mkt-x/core";
import { createTwitterXClient } from "@mkt-x/twitter";
import { buildApp } from "../src/app.ts";
import { createTokenVerifier } from "../src/auth/verify-token.ts";
import { createLiveEventBus } from "../src/events/live-event-bus.ts";

export interface BenchApi {
  app: FastifyInstance;
  url: string;
  db: Db;
  token(merchantId: string, role: Role): Promise<string>;
  close(): Promise<void>;
}

export async function startBenchApi(opts: { url: string; pool: pg.Pool; consumerSecret?: string }): Promise<BenchApi> {
  const secret = "bench-jwt-secret-0123456789";
  const consumerSecret = opts.consumerSecret ?? "bench-consumer-secret";
  const db = createDb(opts.url, { poolSize: 10 });
  const boss = createPgBoss(opts.url, { max: 4 });
  boss.on("error", () => {});
  await boss.start();
  await ensureQueues(boss);
  const events = createLiveEventBus({ databaseUrl: opts.url, sweepIntervalMs: 0 });
  await events.start();
  const app = await buildApp({
    services: {
      db,
      queue: createJobQueue(boss),
      ingestor: createWebhookIngestor({ pool: opts.pool, boss }),
      x: createTwitterXClient({ baseUrl: "http://127.0.0.1:9", consumerKey: "bench-consumer-key", consumerSecret }),
      cipher: createTokenCipher(randomBytes(32)),
      webhookUrl: "http://127.0.0.1:9/",
      ai: createEmbeddedAiProvider(),
      events,
    },
    verifyToken: createTokenVerifier({ secret }),
    consumerSecret,
    rateLimitPerMinute: 1_000_000_000,
    readiness: async () => {},
  });
  const url = await app.listen({ port: 0, host: "127.0.0.1" });
  return {
    app,
    url,
    db,
    token: (merchantId, role) => new SignJWT({ merchantId, role }).setProtectedHeader({ alg: "HS256" }).setSubject(randomUUID()).setExpirationTime("2h").sign(new TextEncoder().encode(secret)),
    async close() {
      await events.close();
      await app.close();
      await boss.stop({ graceful: false, close: true });
      await db.$disconnect();
    },
  };
}
