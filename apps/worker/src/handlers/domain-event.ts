import type { JobPayload } from "@mkt-x/core/server";
import type { HandlerDeps } from "./index.ts";

/**
 * `domain.event`: what happened (a new follower, a message received). Automation flows subscribe
 * here; until a flow exists for the trigger the event is only logged.
 */
export async function handleDomainEvent(deps: HandlerDeps, payload: JobPayload<"domain.event">): Promise<void> {
  deps.log.info({ ...payload }, "domain.event");
}
