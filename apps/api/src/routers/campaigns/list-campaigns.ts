import { Campaign, ListCampaignsInput, paginated } from "@mkt-x/core";
import { listCampaigns } from "@mkt-x/core/server";
import { markPaginated, readProcedure } from "../../trpc/init.ts";

export const listCampaignsProcedure = readProcedure
  .meta({ openapi: { method: "GET", path: "/campaigns", tags: ["campaigns"], summary: "List campaigns", protect: true, errorResponses: { 400: "Invalid query", 401: "Unauthorized" } } })
  .input(ListCampaignsInput)
  .output(paginated(Campaign))
  .query(({ ctx, input }) => {
    markPaginated(ctx);
    return listCampaigns(ctx.db, { merchantId: ctx.merchantId, input });
  });
