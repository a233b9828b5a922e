import { AnalyticsOverviewInput, AnalyticsOverview } from "@mkt-x/core";
import { getAnalyticsOverview } from "@mkt-x/core/server";
import { readProcedure } from "../../trpc/init.ts";

export const analyticsOverviewProcedure = readProcedure
  .meta({ openapi: { method: "GET", path: "/analytics/overview", tags: ["analytics"], summary: "Dashboard overview", description: "startDate/endDate: ISO 8601 dates (YYYY-MM-DD, whole UTC days) or date-times, both required. contacts.total = created by endDate, new = created in the period, active = last interaction in the period; conversations started in the period (open/closed: status now), averageResponseTime over customer turns of the period; campaigns.active = running, scheduled or paused now, completed = completed in the period, totalMessagesSent = campaign DMs sent in the period; activeFlows now, totalExecutions started in the period. accountId narrows everything to one X account.", protect: true, errorResponses: { 400: "Invalid query", 401: "Unauthorized", 403: "Forbidden" } } })
  .input(AnalyticsOverviewInput)
  .output(AnalyticsOverview)
  .query(({ ctx, input }) => getAnalyticsOverview(ctx.db, ctx.merchantId, input));
