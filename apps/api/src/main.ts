// Composition root of the API: real database, queue, X client and token verifier.
import { createDb } from "@mkt-x/db";
import pg from "pg";
import { createPgBoss, createJobQueue, createTokenCipher, createWebhookIngestor, parseEncryptionKey, aiProviderFromEnv } from "@mkt-x/core/server";
import { createTwitterXClient } from "@mkt-x/twitter";
import { buildApp } from "./app.ts";
import { loadEnv, ConfigError } from "./env.ts";
import { createTokenVerifier } from "./auth/verify-token.ts";
import { loggerOptions } from "./logger.ts";
import { BASE_PATH } from "./openapi.ts";

let env;
try {
  env = loadEnv();
} catch (e) {
  if (e instanceof ConfigError) {
    console.error(e.message);
    process.exit(1);
  }
  throw e;
}

const db = createDb(env.DATABASE_URL, { poolSize: 10 });
// the API only produces jobs; workers create the queues, but the API must not depend on start order
const boss = createPgBoss(env.DATABASE_URL, { max: 3 });
// a dropped connection is reported here and retried by the pool; it must not crash the API
boss.on("error", (err) => console.error(JSON.stringify({ level: 50, msg: "pg-boss error", err: err.message })));
await boss.start();
// webhook ingest writes through plain pg connections of its own (group commit, see the ingestor)
const ingestPool = new pg.Pool({ connectionString: env.DATABASE_URL, max: 4 });
ingestPool.on("error", (err) => console.error(JSON.stringify({ level: 50, msg: "ingest pool error", err: err.message })));
const ai = aiProviderFromEnv(env);
const publicUrl = env.PUBLIC_BASE_URL ?? `http://localhost:${env.PORT}`;

const app = await buildApp({
  services: {
    db,
    queue: createJobQueue(boss),
    ingestor: createWebhookIngestor({ pool: ingestPool, boss }),
    x: createTwitterXClient({ baseUrl: env.X_API_BASE_URL, consumerKey: env.X_CONSUMER_KEY, consumerSecret: env.X_CONSUMER_SECRET }),
    cipher: createTokenCipher(parseEncryptionKey(env.TOKEN_ENCRYPTION_KEY)),
    webhookUrl: `${publicUrl}${BASE_PATH}/webhooks/twitter`,
    ai,
  },
  verifyToken: createTokenVerifier({ secret: env.JWT_SECRET, jwksUrl: env.JWT_JWKS_URL, issuer: env.JWT_ISSUER, audience: env.JWT_AUDIENCE }),
  consumerSecret: env.X_CONSUMER_SECRET,
  rateLimitPerMinute: env.RATE_LIMIT_PER_MINUTE,
  readiness: async () => {
    await db.$queryRaw`SELECT 1`;
    await boss.getQueues();
  },
  logger: loggerOptions(env.LOG_LEVEL),
  publicUrl,
});

await app.listen({ port: env.PORT, host: env.HOST });

let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  app.log.info({ signal }, "shutting down");
  // stop taking requests, let in-flight ones finish, then release the pools
  await app.close();
  await boss.stop({ graceful: true, timeout: 10_000 });
  await ingestPool.end();
  await db.$disconnect();
  process.exit(0);
};
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
