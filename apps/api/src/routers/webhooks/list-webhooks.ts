import { ListWebhooksInput, WebhookSubscription, paginated } from "@mkt-x/core";
import { listWebhookSubscriptions } from "@mkt-x/core/server";
import { adminProcedure, markPaginated } from "../../trpc/init.ts";

export const listWebhooksProcedure = adminProcedure
  .meta({ openapi: { method: "GET", path: "/integrations/webhooks", tags: ["integrations"], summary: "List webhook subscriptions", description: "Newest first, skip/take. Secrets are never shown again.", protect: true, errorResponses: { 400: "Invalid query", 401: "Unauthorized", 403: "Forbidden (owner and admin only)" } } })
  .input(ListWebhooksInput)
  .output(paginated(WebhookSubscription))
  .query(({ ctx, input }) => {
    markPaginated(ctx);
    return listWebhookSubscriptions(ctx.db, { page: input });
  });
