import { CreateWebhookInput, CreatedWebhookSubscription, WEBHOOK_SIGNATURE_DOC } from "@mkt-x/core";
import { createWebhookSubscription } from "@mkt-x/core/server";
import { adminProcedure } from "../../trpc/init.ts";
import { targetPolicy } from "./target-policy.ts";

export const createWebhookProcedure = adminProcedure
  .meta({ openapi: { method: "POST", path: "/integrations/webhooks", tags: ["integrations"], summary: "Subscribe a URL to live events", description: `The answer carries the signing secret: it is shown this once. ${WEBHOOK_SIGNATURE_DOC} The URL must be http(s), at most 2,048 characters, and resolve to public addresses only (loopback, private, link-local and metadata addresses are a 400 unless the service runs with WEBHOOK_ALLOW_PRIVATE_TARGETS=1).`, protect: true, errorResponses: { 400: "Invalid url (not http(s), too long, not public) or unknown event types", 401: "Unauthorized", 403: "Forbidden (owner and admin only)" } } })
  .input(CreateWebhookInput)
  .output(CreatedWebhookSubscription)
  .mutation(({ ctx, input }) => createWebhookSubscription(ctx.db, { merchantId: ctx.merchantId, input, cipher: ctx.services.cipher, targets: targetPolicy(ctx.services) }));
