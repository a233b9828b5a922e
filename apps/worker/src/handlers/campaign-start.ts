import { startCampaignRun, type JobPayload } from "@mkt-x/core/server";
import type { HandlerDeps } from "./index.ts";

/** `campaign.start`: fan-out of one run, at its start time. */
export async function handleCampaignStart(deps: HandlerDeps, payload: JobPayload<"campaign.start">): Promise<void> {
  const result = await startCampaignRun(deps.campaigns, payload);
  deps.log.info({ ...payload, result }, "campaign.start");
}
