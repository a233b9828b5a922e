import type { Db } from "@mkt-x/db";
import type { JobPayload } from "@mkt-x/core/server";

/**
 * Records a stored X event as seen by the worker. Turning events into contacts, conversations and
 * messages builds on this consumer.
 */
export async function handleWebhookEvent(deps: { db: Db }, payload: JobPayload<"webhook.event">): Promise<void> {
  await deps.db.webhookEvent.updateMany({
    where: { id: payload.webhookEventId, status: "received" },
    data: { status: "seen", processedAt: new Date() },
  });
}
