import { ListWebhookDeliveriesInput, WebhookDelivery, paginated } from "@mkt-x/core";
import { listWebhookDeliveries } from "@mkt-x/core/server";
import { adminProcedure, markPaginated } from "../../trpc/init.ts";

export const listWebhookDeliveriesProcedure = adminProcedure
  .meta({ openapi: { method: "GET", path: "/integrations/webhooks/{id}/deliveries", tags: ["integrations"], summary: "List a webhook's deliveries", description: "Newest first, skip/take: status (pending, succeeded, failed), attempts, the last attempt's response code, duration, error and response body (at most 1 KB).", protect: true, errorResponses: { 400: "Invalid query", 401: "Unauthorized", 403: "Forbidden (owner and admin only)", 404: "Webhook not found" } } })
  .input(ListWebhookDeliveriesInput)
  .output(paginated(WebhookDelivery))
  .query(({ ctx, input }) => {
    markPaginated(ctx);
    const { id, ...page } = input;
    return listWebhookDeliveries(ctx.db, { id, page });
  });
