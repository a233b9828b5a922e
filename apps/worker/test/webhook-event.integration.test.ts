import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestDatabase } from "@mkt-x/db/testing";
import { createWebhookIngestor, sweepStalledWebhookEvents, DEAD_LETTER_QUEUE, WEBHOOK_EVENT_MAX_SWEEPS } from "@mkt-x/core/server";
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

  it("an event whose job gave up is found by the sweep and applied; one that never applies is marked failed after the bounded sweeps", async () => {
    const ingest = createWebhookIngestor({ pool: database.pool, boss });
    // stored an hour ago, its job long gone (gave up while the database was down, say)
    await ingest.ingest(buildInboundDmPayload({ eventId: "9101", sender: user("300", "late"), recipient: user("100", "shop"), text: "lost?", forUserId: "100" }));
    const lost = await database.db.webhookEvent.findUniqueOrThrow({ where: { eventKey: "dm:9101" } });
    await database.pool.query("DELETE FROM pgboss.job WHERE name = 'webhook.event' AND data->>'webhookEventId' = $1", [lost.id]);
    await database.pool.query("UPDATE webhook_events SET status = 'received', processed_at = NULL, received_at = now() - interval '1 hour' WHERE id = $1", [lost.id]);

    expect(await sweepStalledWebhookEvents({ db: database.db, queue: h.queue })).toEqual({ requeued: 1, gaveUp: 0 });
    // the fresh job is waiting or done: a second sweep adds nothing
    const applied = await eventually(() => database.db.webhookEvent.findUniqueOrThrow({ where: { id: lost.id } }), (e) => e.status !== "received");
    expect(applied).toMatchObject({ status: "skipped", sweeps: 1 });
    expect(await sweepStalledWebhookEvents({ db: database.db, queue: h.queue })).toEqual({ requeued: 0, gaveUp: 0 });

    // an event that stays unapplied whatever happens gets the bounded number of fresh jobs, then fails with the reason
    await database.pool.query("UPDATE webhook_events SET status = 'received', processed_at = NULL, sweeps = $2 WHERE id = $1", [lost.id, WEBHOOK_EVENT_MAX_SWEEPS]);
    await database.pool.query("DELETE FROM pgboss.job WHERE name = 'webhook.event' AND data->>'webhookEventId' = $1", [lost.id]);
    expect(await sweepStalledWebhookEvents({ db: database.db, queue: h.queue })).toEqual({ requeued: 0, gaveUp: 1 });
    expect(await database.db.webhookEvent.findUniqueOrThrow({ where: { id: lost.id } })).toMatchObject({ status: "failed", skipReason: expect.stringContaining("not applied") });
  });
});
