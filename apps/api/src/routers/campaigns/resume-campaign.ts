import { Campaign, CampaignIdInput } from "@mkt-x/core";
import { resumeCampaign } from "@mkt-x/core/server";
import { adminProcedure } from "../../trpc/init.ts";
import { lifecycleDeps } from "./deps.ts";

export const resumeCampaignProcedure = adminProcedure
  .meta({ openapi: { method: "POST", path: "/campaigns/{campaignId}/resume", tags: ["campaigns"], summary: "Resume a paused campaign", description: "Continues with the recipients not yet sent to; nobody gets the same campaign message twice.", protect: true, errorResponses: { 400: "Campaign is not paused", 401: "Unauthorized", 403: "Forbidden", 404: "Campaign not found" } } })
  .input(CampaignIdInput)
  .output(Campaign)
  .mutation(({ ctx, input }) => resumeCampaign(lifecycleDeps(ctx), input.campaignId));
