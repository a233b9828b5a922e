import { Campaign, CampaignIdInput } from "@mkt-x/core";
import { startCampaign } from "@mkt-x/core/server";
import { adminProcedure } from "../../trpc/init.ts";
import { lifecycleDeps } from "./deps.ts";

export const startCampaignProcedure = adminProcedure
  .meta({ openapi: { method: "POST", path: "/campaigns/{campaignId}/start", tags: ["campaigns"], summary: "Start a campaign", description: "Now, or at schedule.startAt when it is in the future (status scheduled). Fan-out: the union of the segments minus opted-out contacts minus, when the account requires consent, contacts who never wrote; the rest is sent through the send pipeline within the send windows.", protect: true, errorResponses: { 400: "Campaign has no segments, an invalid template, a disconnected account, or is not a draft", 401: "Unauthorized", 403: "Forbidden", 404: "Campaign not found" } } })
  .input(CampaignIdInput)
  .output(Campaign)
  .mutation(({ ctx, input }) => startCampaign(lifecycleDeps(ctx), input.campaignId));
