// Composition root of the worker.
import pino from "pino";
import { createDb } from "@mkt-x/db";
import { createPgBoss, createJobQueue, createTokenCipher, parseEncryptionKey, aiProviderFromEnv } from "@mkt-x/core/server";
import { createTwitterXClient } from "@mkt-x/twitter";
import { loadEnv } from "./env.ts";
import { startWorker } from "./worker.ts";

let env;
try {
  env = loadEnv();
} catch (e) {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
}

const log = pino({ level: env.LOG_LEVEL, name: "worker" });
const db = createDb(env.DATABASE_URL, { poolSize: env.WORKER_CONCURRENCY + 2 });
const boss = createPgBoss(env.DATABASE_URL, { max: env.WORKER_CONCURRENCY + 2 });
boss.on("error", (err) => log.error({ err: err.message }, "pg-boss error"));
await boss.start();
const send = {
  db,
  x: createTwitterXClient({ baseUrl: env.X_API_BASE_URL, consumerKey: env.X_CONSUMER_KEY, consumerSecret: env.X_CONSUMER_SECRET, timeoutMs: 10_000 }),
  cipher: createTokenCipher(parseEncryptionKey(env.TOKEN_ENCRYPTION_KEY)),
  queue: createJobQueue(boss),
  windows: env.DM_SEND_WINDOWS === "on" ? { accountPer15m: env.DM_LIMIT_ACCOUNT_15M, accountPer24h: env.DM_LIMIT_ACCOUNT_24H, appPer24h: env.DM_LIMIT_APP_24H, accountCampaignPer24h: env.DM_LIMIT_CAMPAIGN_ACCOUNT_24H } : null,
};
const campaigns = { db, queue: send.queue, publicBaseUrl: env.PUBLIC_BASE_URL, windows: send.windows };
const ai = aiProviderFromEnv(env);
const worker = await startWorker({ boss, deps: { db, send, campaigns, ai, log }, log });

let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, "worker shutting down");
  await worker.stop();
  await db.$disconnect();
  process.exit(0);
};
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
