import { TestCampaignInput, TestSendResult } from "@mkt-x/core";
import { testSendCampaign } from "@mkt-x/core/server";
import { adminProcedure } from "../../trpc/init.ts";

export const testCampaignProcedure = adminProcedure
  .meta({ openapi: { method: "POST", path: "/campaigns/{campaignId}/test", tags: ["campaigns"], summary: "Send a test to specific contacts", description: "Renders the campaign's template with the given variables (then the contact's attributes, then built-ins) and sends it to the listed contacts only. Marked as a test in the conversation; not counted in the campaign's metrics. Opt-out always applies, and consent when the account requires it: such contacts are left out, listed in `skipped` with the reason (`opted_out`, `no_consent`) and as `skipped` entries of `messages`.", protect: true, errorResponses: { 400: "Unknown contacts or no valid template", 401: "Unauthorized", 403: "Forbidden", 404: "Campaign not found" } } })
  .input(TestCampaignInput)
  .output(TestSendResult)
  .mutation(({ ctx, input }) => testSendCampaign({ db: ctx.db, queue: ctx.services.queue, merchantId: ctx.merchantId }, input));
