// Composition root of the worker.
import { join } from "node:path";
import pino from "pino";
import { createDb, dbPool } from "@mkt-x/db";
import { createPgBoss, createJobQueue, createTokenCipher, parseEncryptionKey, parsePreviousKeys, aiProviderFromEnv, loadDevEnvFile, xAppFromEnv, unconfiguredXClient, sendWindowsFromEnv, X_APP_NOT_CONFIGURED, createMetrics, observePool, observeQueueDepth, JOB_NAMES, DEAD_LETTER_QUEUE } from "@mkt-x/core/server";
import { createTwitterXClient } from "@mkt-x/twitter";
import { loadEnv } from "./env.ts";
import { startWorker } from "./worker.ts";
import { startWebhookRelay } from "./webhook-relay.ts";
import { startMetricsServer } from "./metrics-server.ts";

let env;
try {
  // the repository's .env, in development; src/ and the built dist/ are both two levels below the root
  loadDevEnvFile(join(import.meta.dirname, "..", "..", "..", ".env"));
  env = loadEnv();
} catch (e) {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
}

const log = pino({ level: env.LOG_LEVEL, name: "worker" });
const xApp = xAppFromEnv(env);
if (!xApp) log.warn(`${X_APP_NOT_CONFIGURED}: DMs stay unsent (retried, then failed) until they are set`);
const db = createDb(env.DATABASE_URL, { poolSize: env.WORKER_CONCURRENCY + 2 });
// a dead worker's jobs (heartbeat stopped) are noticed within seconds: see JOB_HEARTBEAT_SECONDS
const boss = createPgBoss(env.DATABASE_URL, { max: env.WORKER_CONCURRENCY + 2, superviseSeconds: 5 });
boss.on("error", (err) => log.error({ err: err.message }, "pg-boss error"));
await boss.start();
// Prometheus: the same names as the API's; queue depth is one grouped count at each scrape
const metrics = createMetrics({ service: "worker", onCollectError: (err) => log.warn({ err: err instanceof Error ? err.message : String(err) }, "metrics collector failed") });
observePool(metrics, "prisma", () => dbPool(db));
observeQueueDepth(metrics, { queues: [...JOB_NAMES, DEAD_LETTER_QUEUE], query: (sql) => db.$queryRawUnsafe(sql) });
const send = {
  db,
  x: xApp ? createTwitterXClient({ baseUrl: env.X_API_BASE_URL, ...xApp, timeoutMs: 10_000 }) : unconfiguredXClient(),
  cipher: createTokenCipher(parseEncryptionKey(env.TOKEN_ENCRYPTION_KEY), parsePreviousKeys(env.TOKEN_ENCRYPTION_KEY_PREVIOUS)),
  queue: createJobQueue(boss),
  windows: sendWindowsFromEnv(env),
  // attachment URLs are fetched under the outgoing-webhook address rule
  mediaPolicy: { allowPrivate: env.WEBHOOK_ALLOW_PRIVATE_TARGETS },
  metrics,
};
const campaigns = { db, queue: send.queue, publicBaseUrl: env.PUBLIC_BASE_URL, windows: send.windows };
const ai = aiProviderFromEnv(env);
const webhooks = { policy: { allowPrivate: env.WEBHOOK_ALLOW_PRIVATE_TARGETS } };
const worker = await startWorker({ boss, deps: { db, send, campaigns, ai, log, webhooks }, log, metrics });
// catch up on what X sent while no worker ran (the schedule repeats it every 15 minutes)
await send.queue.send("dm.catchup", {});
const relay = await startWebhookRelay({ db, queue: send.queue, databaseUrl: env.DATABASE_URL, log, onDeliveries: worker.nudge });
// without METRICS_TOKEN nothing listens: an open port would show the queues to anyone who can reach it
const metricsServer = env.METRICS_TOKEN ? await startMetricsServer({ metrics, token: env.METRICS_TOKEN, port: env.WORKER_METRICS_PORT, host: env.WORKER_METRICS_HOST }) : null;
if (metricsServer) log.info({ port: metricsServer.port }, "worker metrics listening");

let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, "worker shutting down");
  await metricsServer?.close();
  await relay.stop();
  await worker.stop();
  await db.$disconnect();
  process.exit(0);
};
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
