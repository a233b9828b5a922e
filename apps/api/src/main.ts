// Composition root of the API: real database, queue, X client and token verifier.
import { createHash } from "node:crypto";
import { join } from "node:path";
import { createDb, dbPool } from "@mkt-x/db";
import pg from "pg";
import {
  createPgBoss,
  createJobQueue,
  ensureQueues,
  createTokenCipher,
  createWebhookIngestor,
  parseEncryptionKey,
  parsePreviousKeys,
  aiProviderFromEnv,
  loadDevEnvFile,
  xAppFromEnv,
  unconfiguredXClient,
  sendMessage,
  sendWindowsFromEnv,
  X_APP_NOT_CONFIGURED,
  createMetrics,
  observePool,
} from "@mkt-x/core/server";
import { createTwitterXClient } from "@mkt-x/twitter";
import { buildApp } from "./app.ts";
import { loadEnv, ConfigError } from "./env.ts";
import { createTokenVerifier } from "./auth/verify-token.ts";
import { loggerOptions } from "./logger.ts";
import { signInOptionsFromEnv } from "./auth/sign-in-options.ts";
import { BASE_PATH } from "./openapi.ts";
import { createLiveEventBus } from "./events/live-event-bus.ts";

let env;
try {
  // the repository's .env, in development; src/ and the built dist/ are both two levels below the root
  loadDevEnvFile(join(import.meta.dirname, "..", "..", "..", ".env"));
  env = loadEnv();
} catch (e) {
  if (e instanceof ConfigError) {
    console.error(e.message);
    process.exit(1);
  }
  throw e;
}

const db = createDb(env.DATABASE_URL, { poolSize: 10 });
// the API only produces jobs, but it makes sure the queues it sends to exist: API and workers start
// in any order (creating a queue is idempotent, and concurrent starts are safe)
const boss = createPgBoss(env.DATABASE_URL, { max: 3 });
// a dropped connection is reported here and retried by the pool; it must not crash the API
boss.on("error", (err) => console.error(JSON.stringify({ level: 50, msg: "pg-boss error", err: err.message })));
await boss.start();
await ensureQueues(boss);
// webhook ingest writes through plain pg connections of its own (group commit, see the ingestor)
const ingestPool = new pg.Pool({ connectionString: env.DATABASE_URL, max: 4 });
ingestPool.on("error", (err) => console.error(JSON.stringify({ level: 50, msg: "ingest pool error", err: err.message })));
// Prometheus (GET /metrics with METRICS_TOKEN): the same names as the worker's
const metrics = createMetrics({ service: "api", onCollectError: (err) => console.error(JSON.stringify({ level: 40, msg: "metrics collector failed", err: err instanceof Error ? err.message : String(err) })) });
observePool(metrics, "prisma", () => dbPool(db));
observePool(metrics, "ingest", () => ingestPool);
const ai = aiProviderFromEnv(env);
const publicUrl = env.PUBLIC_BASE_URL ?? `http://localhost:${env.PORT}`;
const xApp = xAppFromEnv(env);
const queue = createJobQueue(boss);
const x = xApp ? createTwitterXClient({ baseUrl: env.X_API_BASE_URL, ...xApp, timeoutMs: 10_000 }) : unconfiguredXClient();
const cipher = createTokenCipher(parseEncryptionKey(env.TOKEN_ENCRYPTION_KEY), parsePreviousKeys(env.TOKEN_ENCRYPTION_KEY_PREVIOUS));
// an agent's reply goes through the same send pipeline right away, so the answer carries X's id
const pipeline = { db, x, cipher, queue, windows: sendWindowsFromEnv(env), mediaPolicy: { allowPrivate: env.WEBHOOK_ALLOW_PRIVATE_TARGETS }, metrics };

// one LISTEN connection per process fans live events out to this instance's SSE and tRPC clients
const events = createLiveEventBus({
  databaseUrl: env.DATABASE_URL,
  log: { warn: (o, msg) => console.error(JSON.stringify({ level: 40, msg, ...o })), error: (o, msg) => console.error(JSON.stringify({ level: 50, msg, ...o })) },
});
await events.start();
metrics.onScrape(() => metrics.eventStreamClients.set(events.size));

const app = await buildApp({
  services: {
    db,
    queue,
    ingestor: createWebhookIngestor({ pool: ingestPool, boss, metrics }),
    x,
    cipher,
    webhookUrl: `${publicUrl}${BASE_PATH}/webhooks/twitter`,
    ai,
    deliverNow: (messageId) => sendMessage(pipeline, messageId),
    xConnect: {
      callbackUrl: `${publicUrl}${BASE_PATH}/accounts/oauth/callback`,
      authorizeBaseUrl: env.X_WEB_BASE_URL,
      adminBaseUrl: env.ADMIN_BASE_URL ?? publicUrl,
      publicBaseUrl: publicUrl,
    },
    events,
    webhookTargets: { allowPrivate: env.WEBHOOK_ALLOW_PRIVATE_TARGETS },
    sendWindows: pipeline.windows,
    dmPriceUsd: env.X_DM_PRICE_USD,
    aiModels: env.AI_MODELS,
  },
  verifyToken: createTokenVerifier({ secret: env.JWT_SECRET, jwksUrl: env.JWT_JWKS_URL, issuer: env.JWT_ISSUER, audience: env.JWT_AUDIENCE }),
  // empty: the X app is not configured, so webhook routes refuse (see webhooks/routes.ts)
  consumerSecret: xApp?.consumerSecret ?? "",
  rateLimitPerMinute: env.RATE_LIMIT_PER_MINUTE,
  // the same on every instance: a visitor of a short link counts once whichever instance answers
  visitorKey: createHash("sha256").update("mkt-x short-link visitors\n").update(env.TOKEN_ENCRYPTION_KEY).digest("base64url"),
  readiness: async () => {
    await db.$queryRaw`SELECT 1`;
    await boss.getQueues();
  },
  logger: loggerOptions(env.LOG_LEVEL),
  metrics: { metrics, token: env.METRICS_TOKEN },
  publicUrl,
  adminDir: env.ADMIN_DIST_DIR ?? join(import.meta.dirname, "../../admin/dist"),
  signIn: signInOptionsFromEnv(env),
  // `pnpm dev` with the X sandbox: POST /dev/simulate-dm asks it to deliver a customer's DM
  ...(env.X_SANDBOX === "1" ? { devSandboxUrl: env.X_API_BASE_URL } : {}),
});

if (!xApp) app.log.warn(`${X_APP_NOT_CONFIGURED}: connecting accounts and X's webhooks are refused`);
await app.listen({ port: env.PORT, host: env.HOST });

let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  app.log.info({ signal }, "shutting down");
  // stop taking requests, let in-flight ones finish, then release the pools
  await events.close();
  await app.close();
  await boss.stop({ graceful: true, timeout: 10_000 });
  await ingestPool.end();
  await db.$disconnect();
  process.exit(0);
};
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
