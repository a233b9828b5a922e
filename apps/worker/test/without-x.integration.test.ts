// The real worker process started without X app credentials: it warns once at start, runs its
// queues, and a DM it cannot send is retried later (as after a transient X failure) with the reason
// on the message; the process stays up and the account is not blamed.
import { afterAll, beforeAll, describe, expect, it, inject } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { join } from "node:path";
import type { PgBoss } from "pg-boss";
import { createTestDatabase, type TestDatabase } from "@mkt-x/db/testing";
import { createJobQueue, createPgBoss, createTokenCipher, enqueueOutboundMessage, X_APP_NOT_CONFIGURED } from "@mkt-x/core/server";
import { eventually } from "./harness.ts";

const ROOT = join(import.meta.dirname, "..", "..", "..");
const MERCHANT = "merchant-without-x";
const encryptionKey = randomBytes(32);

let database: TestDatabase;
let boss: PgBoss;
let worker: ChildProcess;
const logLines: { level?: number; msg?: string }[] = [];

beforeAll(async () => {
  database = await createTestDatabase(inject("dbTemplate"));
  database.pool.on("error", () => {});
  boss = createPgBoss(database.url, { max: 2 });
  boss.on("error", () => {});
  await boss.start();
  const { X_CONSUMER_KEY: _key, X_CONSUMER_SECRET: _secret, X_SANDBOX: _sandbox, ...inherited } = process.env;
  worker = spawn(join(ROOT, "node_modules", ".bin", "tsx"), ["src/main.ts"], {
    cwd: join(import.meta.dirname, ".."),
    // production: a developer's .env (which may hold X credentials) must not leak into this test
    env: { ...inherited, NODE_ENV: "production", DATABASE_URL: database.url, TOKEN_ENCRYPTION_KEY: encryptionKey.toString("base64"), LOG_LEVEL: "info" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let buffered = "";
  worker.stdout?.on("data", (chunk: Buffer) => {
    buffered += chunk.toString("utf8");
    const lines = buffered.split("\n");
    buffered = lines.pop() ?? "";
    for (const line of lines) if (line.startsWith("{")) logLines.push(JSON.parse(line) as { level?: number; msg?: string });
  });
  await eventually(async () => logLines.some((l) => l.msg === "worker started") || worker.exitCode !== null, Boolean, 45_000);
  expect(worker.exitCode).toBeNull();
});

afterAll(async () => {
  if (worker && worker.exitCode === null) {
    const exited = new Promise((resolve) => worker.once("exit", resolve));
    worker.kill("SIGTERM");
    await exited;
  }
  await boss?.stop({ graceful: false, close: true });
  await database?.drop();
});

/** An account with (encrypted) tokens, a contact who wrote first, and one inbox reply queued for them. */
async function queueReply() {
  const cipher = createTokenCipher(encryptionKey);
  const db = database.db;
  const account = await db.xAccount.create({
    data: { merchantId: MERCHANT, twitterUserId: `17${Date.now()}`, username: "shop", displayName: "Shop", accessTokenEnc: cipher.encrypt("token"), accessSecretEnc: cipher.encrypt("secret") },
  });
  const contact = await db.contact.create({ data: { merchantId: MERCHANT, accountId: account.id, twitterUserId: `18${Date.now()}`, username: "customer", consentAt: new Date() } });
  const conversation = await db.conversation.create({ data: { merchantId: MERCHANT, accountId: account.id, contactId: contact.id } });
  const { message } = await db.$transaction((tx) =>
    enqueueOutboundMessage(tx, createJobQueue(boss), { merchantId: MERCHANT, accountId: account.id, conversationId: conversation.id, contactId: contact.id, content: "Hello!", origin: "inbox", automated: false, idempotencyKey: randomUUID() }),
  );
  return { account, message };
}

describe("the worker without X_CONSUMER_KEY and X_CONSUMER_SECRET", () => {
  it("starts and warns once naming both variables", () => {
    const warnings = logLines.filter((l) => l.level === 40 && l.msg?.includes("X_CONSUMER_KEY, X_CONSUMER_SECRET"));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.msg).toContain(X_APP_NOT_CONFIGURED);
  });

  it("retries a DM later, with the reason on it, and keeps running", async () => {
    const { account, message } = await queueReply();
    // the first retry comes about a second later (backoff)
    const after = await eventually(() => database.db.message.findUniqueOrThrow({ where: { id: message.id } }), (m) => m.attempts >= 2 && m.leaseUntil === null);
    // not sent, not failed: the pipeline cannot know what X did, so it stays "sending" until X answers
    expect(after).toMatchObject({ status: "sending", error: X_APP_NOT_CONFIGURED, twitterMessageId: null });
    // a missing app credential is not the account's fault
    expect(await database.db.xAccount.findUniqueOrThrow({ where: { id: account.id } })).toMatchObject({ status: "active", lastError: null });
    expect(worker.exitCode).toBeNull();
  });
});
