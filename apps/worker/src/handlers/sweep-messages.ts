import { sweepStalledMessages, sweepStalledWebhookEvents, type JobPayload } from "@mkt-x/core/server";
import type { HandlerDeps } from "./index.ts";

/**
 * `message.sweep` (scheduled): fresh jobs for stalled outbound messages and for stored X events
 * never applied, old counters dropped.
 */
export async function handleSweepMessages(deps: HandlerDeps, _payload: JobPayload<"message.sweep">): Promise<void> {
  const result = await sweepStalledMessages({ db: deps.db, queue: deps.send.queue });
  const events = await sweepStalledWebhookEvents({ db: deps.db, queue: deps.send.queue });
  deps.log.info({ ...result, webhookEvents: events }, "message.sweep");
}
