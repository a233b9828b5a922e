import { startFlowsForEvent, type JobPayload } from "@mkt-x/core/server";
import type { HandlerDeps } from "./index.ts";

/**
 * `domain.event`: what happened (a new follower, a message received). Every active flow whose
 * trigger matches starts an execution (once per event, however often it is delivered).
 */
export async function handleDomainEvent(deps: HandlerDeps, payload: JobPayload<"domain.event">): Promise<void> {
  const { started } = await startFlowsForEvent({ db: deps.db, queue: deps.send.queue }, payload);
  deps.log.info({ ...payload, started }, "domain.event");
}
