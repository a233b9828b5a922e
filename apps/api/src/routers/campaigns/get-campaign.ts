import { Campaign, CampaignIdInput } from "@mkt-x/core";
import { campaignDto, loadCampaign } from "@mkt-x/core/server";
import { readProcedure } from "../../trpc/init.ts";

export const getCampaignProcedure = readProcedure
  .meta({ openapi: { method: "GET", path: "/campaigns/{campaignId}", tags: ["campaigns"], summary: "Get a campaign with its metrics", protect: true, errorResponses: { 401: "Unauthorized", 404: "Campaign not found" } } })
  .input(CampaignIdInput)
  .output(Campaign)
  .query(async ({ ctx, input }) => campaignDto(ctx.db, ctx.merchantId, await loadCampaign(ctx.db, input.campaignId)));
