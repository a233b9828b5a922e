import { Campaign, CampaignIdInput } from "@mkt-x/core";
import { pauseCampaign } from "@mkt-x/core/server";
import { adminProcedure } from "../../trpc/init.ts";
import { lifecycleDeps } from "./deps.ts";

export const pauseCampaignProcedure = adminProcedure
  .meta({ openapi: { method: "POST", path: "/campaigns/{campaignId}/pause", tags: ["campaigns"], summary: "Pause a running or scheduled campaign", description: "New sends stop at once; DMs already handed to X finish.", protect: true, errorResponses: { 400: "Campaign is not running or scheduled", 401: "Unauthorized", 403: "Forbidden", 404: "Campaign not found" } } })
  .input(CampaignIdInput)
  .output(Campaign)
  .mutation(({ ctx, input }) => pauseCampaign(lifecycleDeps(ctx), input.campaignId));
