import { afterAll, beforeAll, describe, expect, it, inject } from "vitest";
import { createTestDatabase, type TestDatabase } from "@mkt-x/db/testing";
import { createPgBoss, createJobQueue, ingestWebhookDelivery, DEAD_LETTER_QUEUE, type JobQueue } from "@mkt-x/core/server";
import { buildInboundDmPayload } from "@mkt-x/twitter/sandbox";
import type { PgBoss } from "pg-boss";
import { startWorker } from "../src/worker.ts";

let database: TestDatabase;
let boss: PgBoss;
let queue: JobQueue;
let worker: { stop: () => Promise<void> };
const errors: object[] = [];

beforeAll(async () => {
  database = await createTestDatabase(inject("dbTemplate"));
  boss = createPgBoss(database.url, { max: 3 });
  await boss.start();
  queue = createJobQueue(boss);
  worker = await startWorker({ boss, deps: { db: database.db }, log: { info: () => {}, error: (o) => errors.push(o) }, pollingIntervalSeconds: 0.5 });
});
afterAll(async () => {
  await worker?.stop();
  await database?.drop();
});

/** Polls the database (not a sleep): resolves when the predicate holds, fails after the timeout. */
async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`condition not met in ${timeoutMs} ms; last value ${JSON.stringify(v)}`);
    await new Promise((r) => setImmediate(r));
  }
}

const user = (id: string, username: string) => ({ id, username, name: username });

describe("webhook.event consumer", () => {
  it("takes a stored delivery off the queue and records it as seen", async () => {
    const payload = buildInboundDmPayload({ eventId: "9001", sender: user("200", "customer"), recipient: user("100", "shop"), text: "hello", forUserId: "100" });
    const result = await ingestWebhookDelivery({ db: database.db, queue }, payload);
    expect(result).toEqual({ received: 1, stored: 1, duplicates: 0 });

    const row = await eventually(
      () => database.db.webhookEvent.findUniqueOrThrow({ where: { eventKey: "dm:9001" } }),
      (e) => e.status === "seen",
    );
    expect(row.processedAt).toBeInstanceOf(Date);
    expect(row.kind).toBe("direct_message");
    const jobs = await eventually(
      async () => (await database.pool.query("SELECT state FROM pgboss.job WHERE name = 'webhook.event'")).rows,
      (rows) => rows.length === 1 && rows[0].state === "completed",
    );
    expect(jobs).toHaveLength(1);
  });

  it("sends a payload that does not match the registry to the dead letters instead of retrying it", async () => {
    await boss.send("webhook.event", { webhookEventId: "not-a-uuid" });
    const dead = await eventually(
      async () => (await database.pool.query("SELECT data FROM pgboss.job WHERE name = $1", [DEAD_LETTER_QUEUE])).rows,
      (rows) => rows.length === 1,
    );
    expect(dead[0].data).toEqual({ webhookEventId: "not-a-uuid" });
    expect(errors.some((e) => "queue" in e && e.queue === "webhook.event")).toBe(true);
  });
});
