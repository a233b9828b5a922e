import { AnalyticsPeriodInput, AnalyticsAutomation } from "@mkt-x/core";
import { getAnalyticsAutomation } from "@mkt-x/core/server";
import { readProcedure } from "../../trpc/init.ts";

export const analyticsAutomationProcedure = readProcedure
  .meta({ openapi: { method: "GET", path: "/analytics/automation", tags: ["analytics"], summary: "Automation analytics", description: "startDate/endDate: ISO 8601 dates (YYYY-MM-DD, whole UTC days) or date-times, default the last 30 days. Flows active now or with executions started in the period, with those executions by status. Flows belong to no account: with accountId only executions for that account's contacts count.", protect: true, errorResponses: { 400: "Invalid query", 401: "Unauthorized", 403: "Forbidden" } } })
  .input(AnalyticsPeriodInput)
  .output(AnalyticsAutomation)
  .query(({ ctx, input }) => getAnalyticsAutomation(ctx.db, ctx.merchantId, input));
