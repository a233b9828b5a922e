import { replyWithAi, startFlowsForEvent, type JobPayload } from "@mkt-x/core/server";
import type { HandlerDeps } from "./index.ts";

/**
 * `domain.event`: what happened (a new follower, a message received). Every active flow whose
 * trigger matches starts an execution (once per event, however often it is delivered), and an
 * inbound message may get an automatic AI reply (core's ai/auto-reply.ts). Flows and AI run independently: a
 * failure of one does not keep the other from running; the first error is rethrown after both
 * ran, so the job is retried (both sides are idempotent).
 */
export async function handleDomainEvent(deps: HandlerDeps, payload: JobPayload<"domain.event">): Promise<void> {
  const [flows, ai] = await Promise.allSettled([startFlowsForEvent({ db: deps.db, queue: deps.send.queue }, payload), replyWithAi({ db: deps.db, ai: deps.ai, queue: deps.send.queue, cipher: deps.send.cipher, webhookPolicy: deps.webhooks?.policy }, payload)]);
  deps.log.info(
    {
      ...payload,
      ...(flows.status === "fulfilled" ? { started: flows.value.started } : { flowsError: errorMessage(flows.reason) }),
      ...(ai.status === "fulfilled" ? { ai: ai.value } : { aiError: errorMessage(ai.reason) }),
    },
    "domain.event",
  );
  if (flows.status === "rejected") throw flows.reason;
  if (ai.status === "rejected") throw ai.reason;
}

const errorMessage = (e: unknown): string => (e instanceof Error ? e.message : String(e));
