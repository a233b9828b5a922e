import { runFlowStep, type JobPayload } from "@mkt-x/core/server";
import type { HandlerDeps } from "./index.ts";

/** `flow.step`: one node of one automation flow execution. */
export async function handleFlowStep(deps: HandlerDeps, payload: JobPayload<"flow.step">): Promise<void> {
  const result = await runFlowStep({ db: deps.db, queue: deps.send.queue }, payload);
  deps.log.info({ ...payload, result }, "flow.step");
}
