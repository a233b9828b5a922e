import { z } from "zod";
import { WebhookIdInput } from "@mkt-x/core";
import { deleteWebhookSubscription } from "@mkt-x/core/server";
import { adminProcedure } from "../../trpc/init.ts";

export const deleteWebhookProcedure = adminProcedure
  .meta({ openapi: { method: "DELETE", path: "/integrations/webhooks/{id}", tags: ["integrations"], summary: "Delete a webhook subscription", description: "With its delivery history; nothing more is sent to it.", protect: true, errorResponses: { 401: "Unauthorized", 403: "Forbidden (owner and admin only)", 404: "Webhook not found" } } })
  .input(WebhookIdInput)
  .output(z.null())
  .mutation(({ ctx, input }) => deleteWebhookSubscription(ctx.db, { id: input.id }));
