import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestDatabase } from "@mkt-x/db/testing";
import { createWebhookIngestor, DEAD_LETTER_QUEUE } from "@mkt-x/core/server";
import { buildInboundDmPayload } from "@mkt-x/twitter/sandbox";
import type { PgBoss } from "pg-boss";
import { startWorkerHarness, eventually, type WorkerHarness } from "./harness.ts";

let h: WorkerHarness;
let database: TestDatabase;
let boss: PgBoss;

beforeAll(async () => {
  h = await startWorkerHarness();
  ({ database, boss } = h);
  await h.startWorker();
});
afterAll(async () => {
  await h?.close();
});

const user = (id: string, username: string) => ({ id, username, name: username });

describe("webhook.event consumer", () => {
  it("takes a stored delivery off the queue and settles it (skipped: no account is connected)", async () => {
    const payload = buildInboundDmPayload({ eventId: "9001", sender: user("200", "customer"), recipient: user("100", "shop"), text: "hello", forUserId: "100" });
    const result = await createWebhookIngestor({ pool: database.pool, boss }).ingest(payload);
    expect(result).toEqual({ received: 1, stored: 1, duplicates: 0 });

    const row = await eventually(
      () => database.db.webhookEvent.findUniqueOrThrow({ where: { eventKey: "dm:9001" } }),
      (e) => e.status === "skipped",
    );
    expect(row.skipReason).toMatch(/no connected account/);
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
    expect(h.errors.some((e) => "queue" in e && e.queue === "webhook.event")).toBe(true);
  });
});
