import { Campaign, CreateCampaignInput } from "@mkt-x/core";
import { createCampaign } from "@mkt-x/core/server";
import { adminProcedure } from "../../trpc/init.ts";

export const createCampaignProcedure = adminProcedure
  .meta({ openapi: { method: "POST", path: "/campaigns", tags: ["campaigns"], summary: "Create a campaign (draft)", description: "schedule: startAt (start automatically then), endAt (stop sending after it), recurrence (daily, weekly, monthly or a cron expression, UTC). accountId picks the sending account; by default each contact's own account sends.", protect: true, errorResponses: { 400: "Invalid input, unknown template, segment or account", 401: "Unauthorized", 403: "Forbidden" } } })
  .input(CreateCampaignInput)
  .output(Campaign)
  .mutation(({ ctx, input }) => createCampaign(ctx.db, { merchantId: ctx.merchantId, input }));
