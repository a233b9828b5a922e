import { Campaign, CampaignIdInput } from "@mkt-x/core";
import { cancelCampaign } from "@mkt-x/core/server";
import { adminProcedure } from "../../trpc/init.ts";
import { lifecycleDeps } from "./deps.ts";

export const cancelCampaignProcedure = adminProcedure
  .meta({ openapi: { method: "POST", path: "/campaigns/{campaignId}/cancel", tags: ["campaigns"], summary: "Cancel a campaign", description: "Ends it for good: recipients not yet sent to are skipped (reason cancelled).", protect: true, errorResponses: { 400: "Campaign is completed", 401: "Unauthorized", 403: "Forbidden", 404: "Campaign not found" } } })
  .input(CampaignIdInput)
  .output(Campaign)
  .mutation(({ ctx, input }) => cancelCampaign(lifecycleDeps(ctx), input.campaignId));
