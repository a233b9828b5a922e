// Insurance for "nothing accepted is ever lost": an outbound message left queued or mid-send for
// longer than any retry schedule (its job exhausted its retries while the database was down, say)
// gets a fresh job. The pipeline's lease and reconciliation make a spare job harmless.
import type { Db, Tx } from "@mkt-x/db";
import type { JobQueue } from "../../jobs/queue.ts";
import { sweepSendCounters } from "./send-windows.ts";
import { LANE_PRIORITY, laneOf } from "../../../domain/send-lanes.ts";

export async function sweepStalledMessages(deps: { db: Db; queue: JobQueue }, opts: { olderThanMs?: number; limit?: number; now?: Date } = {}): Promise<{ requeued: number; countersDeleted: number }> {
  const now = opts.now ?? new Date();
  const requeued = await requeueStalledMessages(deps, { ...opts, now });
  const countersDeleted = await sweepSendCounters(deps.db, now);
  return { requeued, countersDeleted };
}

/**
 * Fresh jobs for outbound messages left queued or mid-send, untouched for `olderThanMs`, with no
 * lease held and no job of theirs left in the queue. Also run by the worker's settle pass every few
 * seconds (with a short `olderThanMs`), so a campaign whose jobs gave up does not wait for the sweep.
 */
export async function requeueStalledMessages(deps: { db: Db | Tx; queue: JobQueue }, opts: { olderThanMs?: number; limit?: number; now?: Date; tx?: Tx } = {}): Promise<number> {
  const now = opts.now ?? new Date();
  const before = new Date(now.getTime() - (opts.olderThanMs ?? 15 * 60_000));
  const stalled = await deps.db.$queryRaw<{ id: string; origin: string }[]>`
    SELECT m.id, m.origin FROM messages m
    WHERE m.status IN ('queued', 'sending') AND m.direction = 'outbound' AND m.updated_at < ${before}
      AND (m.lease_until IS NULL OR m.lease_until < ${now})
      AND NOT EXISTS (
        SELECT 1 FROM pgboss.job j
        WHERE j.name = 'message.send' AND j.state IN ('created', 'retry', 'active') AND j.data->>'messageId' = m.id::text
      )
    ORDER BY m.updated_at LIMIT ${opts.limit ?? 1000}`;
  // each back in its lane's place in the queue: a stalled reply still goes before campaign sends
  const byPriority = new Map<number, string[]>();
  for (const r of stalled) {
    const priority = LANE_PRIORITY[laneOf(r.origin)];
    byPriority.set(priority, [...(byPriority.get(priority) ?? []), r.id]);
  }
  for (const [priority, ids] of byPriority) await deps.queue.sendMany("message.send", ids.map((messageId) => ({ messageId })), { priority, ...(opts.tx ? { tx: opts.tx } : {}) });
  return stalled.length;
}

/** fresh jobs an unapplied X event gets from the sweep before it is marked failed */
export const WEBHOOK_EVENT_MAX_SWEEPS = 3;

/**
 * The same insurance for inbound X events: one stored but never applied (its `webhook.event` job
 * gave up, e.g. while the database was down) and with no job left gets a fresh one, at most
 * WEBHOOK_EVENT_MAX_SWEEPS times; after that it is marked failed with the reason. Applying an event
 * is idempotent (one transaction per event), so a spare job is harmless.
 */
export async function sweepStalledWebhookEvents(deps: { db: Db; queue: JobQueue }, opts: { olderThanMs?: number; limit?: number; now?: Date } = {}): Promise<{ requeued: number; gaveUp: number }> {
  const now = opts.now ?? new Date();
  const before = new Date(now.getTime() - (opts.olderThanMs ?? 15 * 60_000));
  return deps.db.$transaction(async (tx) => {
    const stalled = await tx.$queryRaw<{ id: string; sweeps: number }[]>`
      SELECT e.id, e.sweeps FROM webhook_events e
      WHERE e.status = 'received' AND e.received_at < ${before}
        AND NOT EXISTS (
          SELECT 1 FROM pgboss.job j
          WHERE j.name = 'webhook.event' AND j.state IN ('created', 'retry', 'active') AND j.data->>'webhookEventId' = e.id::text
        )
      ORDER BY e.received_at LIMIT ${opts.limit ?? 1000}
      FOR UPDATE SKIP LOCKED`;
    const retry = stalled.filter((e) => e.sweeps < WEBHOOK_EVENT_MAX_SWEEPS).map((e) => e.id);
    const gaveUp = stalled.filter((e) => e.sweeps >= WEBHOOK_EVENT_MAX_SWEEPS).map((e) => e.id);
    if (retry.length > 0) {
      await tx.$executeRaw`UPDATE webhook_events SET sweeps = sweeps + 1 WHERE id = ANY(${retry}::uuid[])`;
      await deps.queue.sendMany("webhook.event", retry.map((webhookEventId) => ({ webhookEventId })), { tx });
    }
    if (gaveUp.length > 0) {
      await tx.$executeRaw`
        UPDATE webhook_events SET status = 'failed', skip_reason = ${`not applied after ${WEBHOOK_EVENT_MAX_SWEEPS} fresh jobs from the sweep`}, processed_at = ${now}
        WHERE id = ANY(${gaveUp}::uuid[])`;
    }
    return { requeued: retry.length, gaveUp: gaveUp.length };
  });
}
