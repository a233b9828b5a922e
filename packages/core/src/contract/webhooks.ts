// Outgoing webhooks (CONTRACT.md "Outgoing webhooks"): subscriptions of a merchant's own systems to
// live event types, and the deliveries made to them.
import { z } from "zod";
import { EntityId, JsonBoolean, PageInput, Uuid } from "./common.ts";
import { LIVE_EVENT_TYPES, LiveEventType } from "./events.ts";

export const MAX_WEBHOOK_URL_CHARS = 2_048;
export const MAX_WEBHOOK_DESCRIPTION_CHARS = 500;
/** what is kept of a receiver's answer, in bytes */
export const MAX_WEBHOOK_RESPONSE_BYTES = 1_024;
/** failed attempts in a row (over all of a subscription's deliveries) that turn it off */
export const WEBHOOK_MAX_CONSECUTIVE_FAILURES = 50;
export const WEBHOOK_DELIVERY_STATUSES = ["pending", "succeeded", "failed"] as const;

export const WEBHOOK_SIGNATURE_DOC =
  "Each delivery is POST url with the JSON body { id, type, at, merchantId, data } and the headers Mktx-Webhook-Id (the delivery id, the same across retries: dedupe by it), Mktx-Webhook-Timestamp (epoch seconds) and Mktx-Webhook-Signature: v1=<hex HMAC-SHA256 of `${timestamp}.${raw body}` keyed with the secret>.";

// The address rule is checked by the service (it needs DNS); here only the shape.
const WebhookUrl = z
  .string()
  .trim()
  .min(1, { message: "url is required" })
  .max(MAX_WEBHOOK_URL_CHARS, { message: `url is at most ${MAX_WEBHOOK_URL_CHARS} characters` })
  .meta({ description: "an http(s) URL that resolves to public addresses (loopback, private, link-local and metadata addresses are refused unless WEBHOOK_ALLOW_PRIVATE_TARGETS=1)", example: "https://example.com/hooks/mktx" });

const WebhookEvents = z
  .array(LiveEventType)
  .min(1, { message: "at least one event type" })
  .max(LIVE_EVENT_TYPES.length * 4)
  .transform((types) => [...new Set(types)])
  .meta({ description: `the live event types to deliver: ${LIVE_EVENT_TYPES.join(", ")}` });

const Description = z.string().trim().max(MAX_WEBHOOK_DESCRIPTION_CHARS, { message: `description is at most ${MAX_WEBHOOK_DESCRIPTION_CHARS} characters` });

export const CreateWebhookInput = z.strictObject({ url: WebhookUrl, events: WebhookEvents, description: Description.optional() });
export type CreateWebhookInput = z.infer<typeof CreateWebhookInput>;

export const WebhookIdInput = z.object({ id: EntityId });

export const WebhookChanges = z.strictObject({
  url: WebhookUrl.optional(),
  events: WebhookEvents.optional(),
  description: Description.nullable().optional().meta({ description: "null clears it" }),
  active: JsonBoolean.optional().meta({ description: "false pauses deliveries; true re-enables a disabled subscription and resets its failure count" }),
});
export type WebhookChanges = z.infer<typeof WebhookChanges>;
export const UpdateWebhookInput = WebhookChanges.extend({ id: EntityId });

export const WebhookSubscription = z.object({
  id: Uuid,
  url: z.string(),
  events: z.array(LiveEventType),
  description: z.string().nullable(),
  active: z.boolean(),
  consecutiveFailures: z.number().int().meta({ description: `failed attempts in a row; at ${WEBHOOK_MAX_CONSECUTIVE_FAILURES} the subscription is disabled` }),
  disabledReason: z.string().nullable(),
  disabledAt: z.iso.datetime().nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type WebhookSubscription = z.infer<typeof WebhookSubscription>;

/** The answer of create: the only time the signing secret is shown. */
export const CreatedWebhookSubscription = WebhookSubscription.extend({
  secret: z.string().meta({ description: "the signing secret, shown this once: keep it to verify Mktx-Webhook-Signature" }),
});

export const ListWebhooksInput = PageInput;

export const WebhookDelivery = z.object({
  id: Uuid.meta({ description: "the Mktx-Webhook-Id header of every attempt" }),
  subscriptionId: Uuid,
  eventId: z.string().meta({ description: "the live event's id (the body's id)" }),
  eventType: LiveEventType,
  status: z.enum(WEBHOOK_DELIVERY_STATUSES).meta({ description: "pending (not yet delivered, retrying), succeeded (a 2xx answer), failed (retries over or the subscription disabled)" }),
  attempts: z.number().int(),
  responseCode: z.number().int().nullable().meta({ description: "the last attempt's HTTP status, null when no answer came" }),
  responseBody: z.string().nullable().meta({ description: `the last answer's body, at most ${MAX_WEBHOOK_RESPONSE_BYTES} bytes` }),
  durationMs: z.number().int().nullable(),
  error: z.string().nullable().meta({ description: "why the last attempt failed" }),
  createdAt: z.iso.datetime(),
  lastAttemptAt: z.iso.datetime().nullable(),
  nextAttemptAt: z.iso.datetime().nullable(),
});
export type WebhookDelivery = z.infer<typeof WebhookDelivery>;

export const ListWebhookDeliveriesInput = PageInput.extend({ id: EntityId });
export const RedeliverWebhookInput = z.object({ id: EntityId, deliveryId: EntityId });
