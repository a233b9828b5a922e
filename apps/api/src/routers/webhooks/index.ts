import { router } from "../../trpc/init.ts";
import { createWebhookProcedure } from "./create-webhook.ts";
import { listWebhooksProcedure } from "./list-webhooks.ts";
import { getWebhookProcedure } from "./get-webhook.ts";
import { updateWebhookProcedure } from "./update-webhook.ts";
import { deleteWebhookProcedure } from "./delete-webhook.ts";
import { listWebhookDeliveriesProcedure } from "./list-webhook-deliveries.ts";
import { redeliverWebhookProcedure } from "./redeliver-webhook.ts";

/** Outgoing webhooks (to the merchant's own systems), under /integrations/webhooks. */
export const webhooksRouter = router({
  create: createWebhookProcedure,
  list: listWebhooksProcedure,
  get: getWebhookProcedure,
  update: updateWebhookProcedure,
  delete: deleteWebhookProcedure,
  deliveries: listWebhookDeliveriesProcedure,
  redeliver: redeliverWebhookProcedure,
});
