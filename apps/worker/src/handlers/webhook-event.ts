import { processWebhookEvent, type JobPayload } from "@mkt-x/core/server";
import type { HandlerDeps } from "./index.ts";

/** `webhook.event`: applies one stored X event (contacts, conversations, messages, opt-outs, reads). */
export async function handleWebhookEvent(deps: HandlerDeps, payload: JobPayload<"webhook.event">): Promise<void> {
  const outcome = await processWebhookEvent({ db: deps.db, queue: deps.send.queue }, payload.webhookEventId);
  deps.log.info({ webhookEventId: payload.webhookEventId, ...outcome }, "webhook.event");
}
