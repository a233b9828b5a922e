// Insurance for "nothing accepted is ever lost": an outbound message left queued or mid-send for
// longer than any retry schedule (its job exhausted its retries while the database was down, say)
// gets a fresh job. The pipeline's lease and reconciliation make a spare job harmless.
import type { Db } from "@mkt-x/db";
import type { JobQueue } from "../../jobs/queue.ts";
import { sweepSendCounters } from "./send-windows.ts";

export async function sweepStalledMessages(deps: { db: Db; queue: JobQueue }, opts: { olderThanMs?: number; limit?: number; now?: Date } = {}): Promise<{ requeued: number; countersDeleted: number }> {
  const now = opts.now ?? new Date();
  const before = new Date(now.getTime() - (opts.olderThanMs ?? 15 * 60_000));
  const stalled = await deps.db.$queryRaw<{ id: string }[]>`
    SELECT m.id FROM messages m
    WHERE m.status IN ('queued', 'sending') AND m.direction = 'outbound' AND m.updated_at < ${before}
      AND (m.lease_until IS NULL OR m.lease_until < ${now})
      AND NOT EXISTS (
        SELECT 1 FROM pgboss.job j
        WHERE j.name = 'message.send' AND j.state IN ('created', 'retry', 'active') AND j.data->>'messageId' = m.id::text
      )
    ORDER BY m.updated_at LIMIT ${opts.limit ?? 1000}`;
  await deps.queue.sendMany("message.send", stalled.map((r) => ({ messageId: r.id })));
  const countersDeleted = await sweepSendCounters(deps.db, now);
  return { requeued: stalled.length, countersDeleted };
}
