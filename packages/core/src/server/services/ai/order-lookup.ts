// Asks the merchant's shop about an order: one signed POST (the outgoing webhooks' signature and
// address rule, no redirects, 3 s), and only what the answer says is kept: status, dates and a
// tracking URL, each checked. Anything else (a hang, a redirect, garbage, a private address) is a
// failure the bot answers by handing over, never by guessing.
import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { OrderLookup } from "../../../ports/ai-provider.ts";
import type { ScopedDb } from "../../scoped-db.ts";
import { secretPlace, type TokenCipher } from "../../token-cipher.ts";

/** The order endpoint's signing secret is encrypted for its merchant's settings row. */
export const orderLookupSecretPlace = (merchantId: string): string => secretPlace("ai_settings", "order_lookup_secret_enc", merchantId);
import { postWebhook } from "../outgoing-webhooks/post-webhook.ts";
import type { TargetPolicy } from "../outgoing-webhooks/target-policy.ts";

export const ORDER_LOOKUP_TIMEOUT_MS = 3_000;

const Text = z.string().trim().min(1).max(100);
const Day = z
  .string()
  .trim()
  .max(40)
  .refine((v) => !Number.isNaN(Date.parse(v)), { message: "not a date" });
const OrderReply = z.object({
  status: Text,
  shippedAt: Day.nullish(),
  expectedAt: Day.nullish(),
  estimatedDelivery: Day.nullish(),
  trackingUrl: z
    .string()
    .trim()
    .max(500)
    .refine((v) => /^https?:\/\//i.test(v) && URL.canParse(v))
    .nullish(),
});

export interface OrderLookupRuntime {
  cipher: TokenCipher;
  policy?: TargetPolicy | undefined;
  timeoutMs?: number;
}

/** The shop's answer about one order, or why there is none (not configured, failed, not found). */
export async function lookupOrder(db: ScopedDb, opts: { merchantId: string; orderId: string; runtime: OrderLookupRuntime | undefined }): Promise<OrderLookup> {
  const { orderId } = opts;
  const settings = await db.aiSettings.findFirst({ select: { orderLookupUrl: true, orderLookupSecretEnc: true } });
  if (!settings?.orderLookupUrl || !settings.orderLookupSecretEnc || !opts.runtime) return { ok: false, orderId, reason: "not_configured" };
  let secret: string;
  try {
    secret = opts.runtime.cipher.decrypt(settings.orderLookupSecretEnc, orderLookupSecretPlace(opts.merchantId));
  } catch {
    return { ok: false, orderId, reason: "failed" };
  }
  const body = JSON.stringify({ id: randomUUID(), type: "order.lookup", at: new Date().toISOString(), merchantId: opts.merchantId, data: { orderId } });
  const res = await postWebhook({ url: settings.orderLookupUrl, deliveryId: randomUUID(), body, secret, policy: opts.runtime.policy ?? { allowPrivate: false }, timeoutMs: opts.runtime.timeoutMs ?? ORDER_LOOKUP_TIMEOUT_MS });
  if (res.status === 404) return { ok: false, orderId, reason: "not_found" };
  if (!res.ok || res.body === null) return { ok: false, orderId, reason: "failed" };
  let json: unknown;
  try {
    json = JSON.parse(res.body);
  } catch {
    return { ok: false, orderId, reason: "failed" };
  }
  const parsed = OrderReply.safeParse(json);
  if (!parsed.success) return { ok: false, orderId, reason: "failed" };
  const r = parsed.data;
  return { ok: true, orderId, status: r.status, shippedAt: r.shippedAt ?? null, expectedAt: r.expectedAt ?? r.estimatedDelivery ?? null, trackingUrl: r.trackingUrl ?? null };
}
