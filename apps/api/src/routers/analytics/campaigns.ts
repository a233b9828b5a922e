import { AnalyticsCampaignsInput, AnalyticsCampaigns } from "@mkt-x/core";
import { getAnalyticsCampaigns } from "@mkt-x/core/server";
import { readProcedure } from "../../trpc/init.ts";

export const analyticsCampaignsProcedure = readProcedure
  .meta({ openapi: { method: "GET", path: "/analytics/campaigns", tags: ["analytics"], summary: "Campaign performance", description: "startDate/endDate: ISO 8601 dates (YYYY-MM-DD, whole UTC days) or date-times, default the last 30 days. The campaigns that ran during the period (started by endDate and not completed before startDate), or the one campaignId names. Metrics are each campaign's totals: totalSent = delivered + failed; rates over delivered (deliveryRate over totalSent), 0 when the denominator is 0.", protect: true, errorResponses: { 400: "Invalid query", 401: "Unauthorized", 403: "Forbidden" } } })
  .input(AnalyticsCampaignsInput)
  .output(AnalyticsCampaigns)
  .query(({ ctx, input }) => getAnalyticsCampaigns(ctx.db, ctx.merchantId, input));
