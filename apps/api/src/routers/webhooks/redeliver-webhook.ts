import { RedeliverWebhookInput, WebhookDelivery } from "@mkt-x/core";
import { redeliverWebhook } from "@mkt-x/core/server";
import { adminProcedure } from "../../trpc/init.ts";

export const redeliverWebhookProcedure = adminProcedure
  .meta({ openapi: { method: "POST", path: "/integrations/webhooks/{id}/deliveries/{deliveryId}/redeliver", tags: ["integrations"], summary: "Send a delivery again", description: "Queues the delivery again under the same Mktx-Webhook-Id, with a fresh 24 hours of retries; the answer is the delivery, pending. No body is needed.", protect: true, errorResponses: { 401: "Unauthorized", 403: "Forbidden (owner and admin only)", 404: "Webhook or delivery not found", 409: "The delivery is still pending, or the webhook is disabled" } } })
  .input(RedeliverWebhookInput)
  .output(WebhookDelivery)
  .mutation(({ ctx, input }) => redeliverWebhook(ctx.db, { merchantId: ctx.merchantId, id: input.id, deliveryId: input.deliveryId, queue: ctx.services.queue }));
