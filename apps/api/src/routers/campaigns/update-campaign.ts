import { Campaign, UpdateCampaignInput } from "@mkt-x/core";
import { updateCampaign } from "@mkt-x/core/server";
import { adminProcedure } from "../../trpc/init.ts";

export const updateCampaignProcedure = adminProcedure
  .meta({ openapi: { method: "PUT", path: "/campaigns/{campaignId}", tags: ["campaigns"], summary: "Update a draft or scheduled campaign", protect: true, errorResponses: { 400: "Cannot update running/completed campaigns, or invalid input", 401: "Unauthorized", 403: "Forbidden", 404: "Campaign not found" } } })
  .input(UpdateCampaignInput)
  .output(Campaign)
  .mutation(({ ctx, input }) => updateCampaign(ctx.db, { merchantId: ctx.merchantId, queue: ctx.services.queue, input }));
