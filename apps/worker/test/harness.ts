// A real worker on a fresh database: pg-boss, the send pipeline against the X sandbox over HTTP.
import { inject } from "vitest";
import { randomBytes } from "node:crypto";
import type { PgBoss } from "pg-boss";
import { createTestDatabase, type TestDatabase } from "@mkt-x/db/testing";
import { createEmbeddedAiProvider, createPgBoss, createJobQueue, createTokenCipher, type CampaignRunDeps, type JobQueue, type SendPipelineDeps, type SendWindowLimits, type TokenCipher } from "@mkt-x/core/server";
import { createTwitterXClient } from "@mkt-x/twitter";
import { createXSandbox, type XSandbox } from "@mkt-x/twitter/sandbox";
import { startWorker } from "../src/worker.ts";
import type { WebhookSettings } from "../src/handlers/deliver-webhook.ts";

export const CONSUMER_KEY = "worker-test-key";
export const CONSUMER_SECRET = "worker-test-secret";

export interface WorkerHarness {
  database: TestDatabase;
  boss: PgBoss;
  queue: JobQueue;
  sandbox: XSandbox;
  cipher: TokenCipher;
  /** the cipher's key, for a worker process started on the same database (TOKEN_ENCRYPTION_KEY) */
  encryptionKey: Buffer;
  send: SendPipelineDeps;
  campaigns: CampaignRunDeps;
  errors: object[];
  startWorker(opts?: { webhooks?: WebhookSettings }): Promise<{ stop: () => Promise<void>; nudge: () => void }>;
  close(): Promise<void>;
}

export async function startWorkerHarness(opts: { windows?: SendWindowLimits | null; send?: Partial<SendPipelineDeps>; campaigns?: Partial<CampaignRunDeps> } = {}): Promise<WorkerHarness> {
  const database = await createTestDatabase(inject("dbTemplate"));
  const sandbox = createXSandbox({ consumerKey: CONSUMER_KEY, consumerSecret: CONSUMER_SECRET });
  const sandboxUrl = await sandbox.listen();
  const boss = createPgBoss(database.url, { max: 4 });
  boss.on("error", () => {});
  await boss.start();
  const queue = createJobQueue(boss);
  const encryptionKey = randomBytes(32);
  const cipher = createTokenCipher(encryptionKey);
  const send: SendPipelineDeps = {
    db: database.db,
    x: createTwitterXClient({ baseUrl: sandboxUrl, consumerKey: CONSUMER_KEY, consumerSecret: CONSUMER_SECRET, timeoutMs: 2000 }),
    cipher,
    queue,
    windows: opts.windows === undefined ? null : opts.windows,
    ...opts.send,
  };
  const campaigns: CampaignRunDeps = { db: database.db, queue, publicBaseUrl: "https://mktx.test", windows: send.windows, pollMs: 200, ...opts.campaigns };
  const errors: object[] = [];
  const running: { stop: () => Promise<void> }[] = [];
  return {
    database,
    boss,
    queue,
    sandbox,
    cipher,
    encryptionKey,
    send,
    campaigns,
    errors,
    async startWorker(workerOpts = {}) {
      const w = await startWorker({ boss, deps: { db: database.db, send, campaigns, ai: createEmbeddedAiProvider(), log: { info: () => {} }, ...workerOpts }, log: { info: () => {}, error: (o) => errors.push(o) }, pollingIntervalSeconds: 0.5 });
      running.push(w);
      return w;
    },
    async close() {
      for (const w of running) await w.stop().catch(() => {});
      await boss.stop({ graceful: false, close: true }).catch(() => {});
      await sandbox.close();
      await database.drop();
    },
  };
}

/** Polls (never sleeps a fixed time): resolves when the predicate holds, fails after the timeout. */
export async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`condition not met in ${timeoutMs} ms; last value ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
