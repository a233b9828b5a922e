import type { Db } from "@mkt-x/db";
import type { JobQueue } from "../../jobs/queue.ts";
import { splitWebhookDelivery } from "./split-webhook-delivery.ts";

export interface IngestResult {
  received: number;
  stored: number;
  duplicates: number;
}

/**
 * Stores a signed delivery from X durably and enqueues its processing in the same transaction.
 * Events already stored (a replay, a double delivery) are skipped: they have their effects once.
 */
export async function ingestWebhookDelivery(deps: { db: Db; queue: JobQueue }, body: unknown): Promise<IngestResult> {
  const events = splitWebhookDelivery(body);
  const stored = await deps.db.$transaction(async (tx) => {
    const rows = await tx.webhookEvent.createManyAndReturn({
      data: events.map((e) => ({ eventKey: e.eventKey, kind: e.kind, forUserId: e.forUserId, payload: e.payload as object })),
      skipDuplicates: true,
      select: { id: true },
    });
    await deps.queue.sendMany("webhook.event", rows.map((r) => ({ webhookEventId: r.id })), { tx });
    return rows.length;
  });
  return { received: events.length, stored, duplicates: events.length - stored };
}
