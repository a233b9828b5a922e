import { deliverWebhook, type JobPayload, type RetrySchedule, type TargetPolicy } from "@mkt-x/core/server";
import type { HandlerDeps } from "./index.ts";

/** How this worker sends outgoing webhooks; absent: public targets only, 10 s, the default retries. */
export interface WebhookSettings {
  policy: TargetPolicy;
  timeoutMs?: number;
  retry?: RetrySchedule;
}

/** `webhook.deliver`: one attempt of one delivery (the service records it and schedules the next). */
export async function handleDeliverWebhook(deps: HandlerDeps, payload: JobPayload<"webhook.deliver">): Promise<void> {
  const settings = deps.webhooks ?? { policy: { allowPrivate: false } };
  await deliverWebhook({ db: deps.db, cipher: deps.send.cipher, queue: deps.send.queue, ...settings }, payload.deliveryId);
}
