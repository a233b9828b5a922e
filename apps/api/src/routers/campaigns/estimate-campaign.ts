import { CampaignEstimate, CampaignIdInput } from "@mkt-x/core";
import { estimateCampaign, sendWindowsFromEnv } from "@mkt-x/core/server";
import { adminProcedure } from "../../trpc/init.ts";

const DEFAULT_DM_PRICE_USD = 0.015;

export const estimateCampaignProcedure = adminProcedure
  .meta({ openapi: { method: "POST", path: "/campaigns/{campaignId}/estimate", tags: ["campaigns"], summary: "Estimate a campaign before it starts", description: "What a start would fan out to now (the start's own selection: the union of the segments, recipients left out by reason), when the run would finish at the current send windows (X_TIER, DM_LIMIT_*), and what X would charge (recipients × X_DM_PRICE_USD). Draft or scheduled campaigns only; nothing is sent or stored.", protect: true, errorResponses: { 400: "The campaign is neither draft nor scheduled", 401: "Unauthorized", 403: "Forbidden", 404: "Campaign not found" } } })
  .input(CampaignIdInput)
  .output(CampaignEstimate)
  .mutation(({ ctx, input }) =>
    estimateCampaign(
      {
        db: ctx.db,
        merchantId: ctx.merchantId,
        windows: ctx.services.sendWindows !== undefined ? ctx.services.sendWindows : sendWindowsFromEnv({ DM_SEND_WINDOWS: "on" }),
        dmPriceUsd: ctx.services.dmPriceUsd ?? DEFAULT_DM_PRICE_USD,
      },
      input.campaignId,
    ),
  );
