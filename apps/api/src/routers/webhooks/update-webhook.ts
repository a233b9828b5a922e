import { UpdateWebhookInput, WebhookSubscription } from "@mkt-x/core";
import { updateWebhookSubscription } from "@mkt-x/core/server";
import { adminProcedure } from "../../trpc/init.ts";
import { targetPolicy } from "./target-policy.ts";

export const updateWebhookProcedure = adminProcedure
  .meta({ openapi: { method: "PUT", path: "/integrations/webhooks/{id}", tags: ["integrations"], summary: "Change a webhook subscription", description: "url, events, description and active, each optional: what is left out stays. active: true re-enables a disabled subscription and resets its failure count; active: false pauses it. A new url passes the same address rule as on create.", protect: true, errorResponses: { 400: "Invalid url or event types", 401: "Unauthorized", 403: "Forbidden (owner and admin only)", 404: "Webhook not found" } } })
  .input(UpdateWebhookInput)
  .output(WebhookSubscription)
  .mutation(({ ctx, input }) => {
    const { id, ...changes } = input;
    return updateWebhookSubscription(ctx.db, { id, changes, targets: targetPolicy(ctx.services) });
  });
