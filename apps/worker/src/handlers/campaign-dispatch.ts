import { dispatchCampaign, type JobPayload } from "@mkt-x/core/server";
import type { HandlerDeps } from "./index.ts";

/** `campaign.dispatch`: one batch of a running campaign's recipients into the send pipeline. */
export async function handleCampaignDispatch(deps: HandlerDeps, payload: JobPayload<"campaign.dispatch">): Promise<void> {
  const result = await dispatchCampaign(deps.campaigns, payload);
  deps.log.info({ ...payload, result }, "campaign.dispatch");
}
