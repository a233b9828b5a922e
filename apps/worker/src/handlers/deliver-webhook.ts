import { deliverWebhook, type JobPayload, type RetrySchedule, type TargetPolicy, type WebhookDeliveryDeps } from "@mkt-x/core/server";
import type { HandlerDeps } from "./index.ts";

/** How this worker sends outgoing webhooks; absent: public targets only, 10 s, the default retries. */
export interface WebhookSettings {
  policy: TargetPolicy;
  timeoutMs?: number;
  retry?: RetrySchedule;
}

/** `webhook.deliver`: one attempt of one delivery (the service records it and schedules the next); run by the dispatcher. */
export async function handleDeliverWebhook(deps: HandlerDeps, payload: JobPayload<"webhook.deliver">): Promise<void> {
  await deliverWebhook(deliveryDeps(deps), payload.deliveryId);
}

function deliveryDeps(deps: HandlerDeps): WebhookDeliveryDeps {
  return { db: deps.db, cipher: deps.send.cipher, queue: deps.send.queue, ...(deps.webhooks ?? { policy: { allowPrivate: false } }) };
}
