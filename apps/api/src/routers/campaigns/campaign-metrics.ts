import { CampaignIdInput, CampaignMetricsDetails } from "@mkt-x/core";
import { campaignMetricsDetails, loadCampaign } from "@mkt-x/core/server";
import { readProcedure } from "../../trpc/init.ts";

export const campaignMetricsProcedure = readProcedure
  .meta({ openapi: { method: "GET", path: "/campaigns/{campaignId}/metrics", tags: ["campaigns"], summary: "Campaign performance", description: "totalSent = delivered + failed; delivered = accepted by X; opened = read receipt; clicked = a tracked link followed; replied = an inbound DM within 72 h of the send. Rates over delivered (deliveryRate over totalSent), 0 when the denominator is 0. Timeline per hour, per day for campaigns longer than a week.", protect: true, errorResponses: { 401: "Unauthorized", 404: "Campaign not found" } } })
  .input(CampaignIdInput)
  .output(CampaignMetricsDetails)
  .query(async ({ ctx, input }) => {
    const campaign = await loadCampaign(ctx.db, input.campaignId);
    return campaignMetricsDetails(ctx.db, ctx.merchantId, campaign.id);
  });
