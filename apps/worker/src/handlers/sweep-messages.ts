import { sweepStalledMessages, type JobPayload } from "@mkt-x/core/server";
import type { HandlerDeps } from "./index.ts";

/** `message.sweep` (scheduled): fresh jobs for stalled outbound messages, old counters dropped. */
export async function handleSweepMessages(deps: HandlerDeps, _payload: JobPayload<"message.sweep">): Promise<void> {
  const result = await sweepStalledMessages({ db: deps.db, queue: deps.send.queue });
  deps.log.info(result, "message.sweep");
}
