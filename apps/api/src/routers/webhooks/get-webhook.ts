import { WebhookIdInput, WebhookSubscription } from "@mkt-x/core";
import { getWebhookSubscription } from "@mkt-x/core/server";
import { adminProcedure } from "../../trpc/init.ts";

export const getWebhookProcedure = adminProcedure
  .meta({ openapi: { method: "GET", path: "/integrations/webhooks/{id}", tags: ["integrations"], summary: "Get a webhook subscription", description: "Without its secret. A disabled one says why (disabledReason, disabledAt).", protect: true, errorResponses: { 401: "Unauthorized", 403: "Forbidden (owner and admin only)", 404: "Webhook not found" } } })
  .input(WebhookIdInput)
  .output(WebhookSubscription)
  .query(({ ctx, input }) => getWebhookSubscription(ctx.db, { id: input.id }));
