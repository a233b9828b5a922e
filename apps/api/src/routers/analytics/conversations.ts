import { AnalyticsSeriesInput, AnalyticsConversations } from "@mkt-x/core";
import { getAnalyticsConversations } from "@mkt-x/core/server";
import { readProcedure } from "../../trpc/init.ts";

export const analyticsConversationsProcedure = readProcedure
  .meta({ openapi: { method: "GET", path: "/analytics/conversations", tags: ["analytics"], summary: "Conversation analytics", description: "startDate/endDate: ISO 8601 dates (YYYY-MM-DD, whole UTC days) or date-times, default the last 30 days. Conversations started in the period (open/closed: status now), the mean response time, DMs received and sent (accepted by X, by sentAt), and a series per day, week or month (UTC).", protect: true, errorResponses: { 400: "Invalid query", 401: "Unauthorized", 403: "Forbidden" } } })
  .input(AnalyticsSeriesInput)
  .output(AnalyticsConversations)
  .query(({ ctx, input }) => getAnalyticsConversations(ctx.db, ctx.merchantId, input));
