// Bounded job tables: the busy queues keep a finished job for an hour, and pg-boss's maintenance
// pass deletes the older ones, whatever the volume; jobs still to run are never touched.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { createPgBoss, FINISHED_JOB_RETENTION_SECONDS, JOB_NAMES } from "@mkt-x/core/server";
import { startWorkerHarness, type WorkerHarness } from "./harness.ts";

let h: WorkerHarness;
beforeAll(async () => {
  h = await startWorkerHarness();
});
afterAll(async () => {
  await h?.close();
});

const BUSY = ["webhook.event", "message.send", "campaign.dispatch", "domain.event", "flow.step", "webhook.deliver"] as const;

describe("job retention", () => {
  it("the busy queues keep finished jobs an hour; the others keep pg-boss's week", async () => {
    const retention = Object.fromEntries((await h.boss.getQueues()).map((q) => [q.name, q.deleteAfterSeconds]));
    for (const name of BUSY) expect(retention[name], name).toBe(FINISHED_JOB_RETENTION_SECONDS);
    for (const name of JOB_NAMES.filter((n) => !(BUSY as readonly string[]).includes(n))) expect(retention[name], name).toBe(7 * 86400);
  });

  it("a maintenance pass deletes the finished jobs older than that, and keeps the ones waiting to run", async () => {
    const pool = h.database.pool;
    // send jobs queued as producers queue them (each carries its queue's retention), held for a day
    const later = new Date(Date.now() + 86_400_000);
    const ids = async (n: number) => {
      const { rows: before } = await pool.query<{ id: string }>("SELECT id FROM pgboss.job WHERE name = 'message.send'");
      await h.boss.insert("message.send", Array.from({ length: n }, () => ({ data: { messageId: randomUUID() }, startAfter: later })));
      const { rows } = await pool.query<{ id: string }>("SELECT id FROM pgboss.job WHERE name = 'message.send' AND NOT (id = ANY($1::uuid[]))", [before.map((r) => r.id)]);
      return rows;
    };
    const finished = await ids(50);
    const recent = await ids(5);
    const waiting = await ids(1);
    // an hour and a minute ago, and five minutes ago, they ran; the last one is still to run
    await pool.query("UPDATE pgboss.job SET state = 'completed', started_on = now() - interval '2 hours', completed_on = now() - make_interval(secs => $2 + 60) WHERE id = ANY($1::uuid[])", [finished.map((r) => r.id), FINISHED_JOB_RETENTION_SECONDS]);
    await pool.query("UPDATE pgboss.job SET state = 'completed', started_on = now() - interval '5 minutes', completed_on = now() - interval '5 minutes' WHERE id = ANY($1::uuid[])", [recent.map((r) => r.id)]);
    await pool.query("UPDATE pgboss.job SET created_on = now() - interval '2 hours' WHERE id = ANY($1::uuid[])", [waiting.map((r) => r.id)]);

    // the worker's pass runs every JOB_MAINTENANCE_SECONDS; its turn comes now (the queue's last pass forgotten)
    await pool.query("UPDATE pgboss.queue SET maintain_on = NULL WHERE name = 'message.send'");
    const maintenance = createPgBoss(h.database.url, { max: 2 });
    maintenance.on("error", () => {});
    await maintenance.start();
    try {
      await maintenance.supervise("message.send");
    } finally {
      await maintenance.stop({ graceful: false, close: true });
    }
    const left = async (ids: { id: string }[]) => (await pool.query<{ n: number }>("SELECT count(*)::int AS n FROM pgboss.job WHERE id = ANY($1::uuid[])", [ids.map((r) => r.id)])).rows[0]?.n;
    expect(await left(finished)).toBe(0);
    expect(await left(recent)).toBe(5);
    expect(await left(waiting)).toBe(1);
  });
});
