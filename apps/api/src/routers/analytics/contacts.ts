import { AnalyticsSeriesInput, AnalyticsContacts } from "@mkt-x/core";
import { getAnalyticsContacts } from "@mkt-x/core/server";
import { readProcedure } from "../../trpc/init.ts";

export const analyticsContactsProcedure = readProcedure
  .meta({ openapi: { method: "GET", path: "/analytics/contacts", tags: ["analytics"], summary: "Contact analytics", description: "startDate/endDate: ISO 8601 dates (YYYY-MM-DD, whole UTC days) or date-times, default the last 30 days. Totals as in the overview, and a series per day, week (from Monday) or month, UTC: contacts created and contacts last active in each bucket.", protect: true, errorResponses: { 400: "Invalid query", 401: "Unauthorized", 403: "Forbidden" } } })
  .input(AnalyticsSeriesInput)
  .output(AnalyticsContacts)
  .query(({ ctx, input }) => getAnalyticsContacts(ctx.db, ctx.merchantId, input));
