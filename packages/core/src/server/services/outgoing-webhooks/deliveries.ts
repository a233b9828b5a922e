// The delivery history of a subscription, and redelivering one of them.
import type { WebhookDeliveryModel } from "@mkt-x/db";
import { AppError, notFound } from "../../../errors.ts";
import { isUuid, pagination, type PageInput, type Pagination } from "../../../contract/common.ts";
import type { LiveEventType } from "../../../contract/events.ts";
import type { WebhookDelivery } from "../../../contract/webhooks.ts";
import type { ScopedDb } from "../../scoped-db.ts";
import type { JobQueue } from "../../jobs/queue.ts";
import { findWebhookSubscription } from "./subscriptions.ts";
import { WEBHOOK_RETRY_WINDOW_MS } from "./deliver-webhook.ts";

export function toWebhookDeliveryDto(row: WebhookDeliveryModel): WebhookDelivery {
  return {
    id: row.id,
    subscriptionId: row.subscriptionId,
    eventId: row.eventId.toString(),
    eventType: row.eventType as LiveEventType,
    status: row.status as WebhookDelivery["status"],
    attempts: row.attempts,
    responseCode: row.responseCode,
    responseBody: row.responseBody,
    durationMs: row.durationMs,
    error: row.error,
    createdAt: row.createdAt.toISOString(),
    lastAttemptAt: row.lastAttemptAt?.toISOString() ?? null,
    nextAttemptAt: row.status === "pending" ? (row.nextAttemptAt?.toISOString() ?? null) : null,
  };
}

/** Newest first. */
export async function listWebhookDeliveries(db: ScopedDb, opts: { id: string; page: PageInput }): Promise<{ data: WebhookDelivery[]; pagination: Pagination }> {
  const subscription = await findWebhookSubscription(db, opts.id);
  const where = { subscriptionId: subscription.id };
  const [rows, total] = await Promise.all([
    db.webhookDelivery.findMany({ where, orderBy: [{ createdAt: "desc" }, { eventId: "desc" }], skip: opts.page.skip, take: opts.page.take }),
    db.webhookDelivery.count({ where }),
  ]);
  return { data: rows.map(toWebhookDeliveryDto), pagination: pagination(opts.page, total) };
}

/**
 * Sends a delivery again, under its own id (receivers dedupe by Mktx-Webhook-Id), with a fresh 24 h
 * of retries. A pending delivery is already on its way (409), and a disabled subscription sends
 * nothing until it is re-enabled (409).
 */
export async function redeliverWebhook(db: ScopedDb, opts: { merchantId: string; id: string; deliveryId: string; queue: JobQueue; now?: Date }): Promise<WebhookDelivery> {
  const subscription = await findWebhookSubscription(db, opts.id);
  if (!isUuid(opts.deliveryId)) throw notFound("Delivery", opts.deliveryId);
  if (!subscription.active) throw new AppError("CONFLICT", "Webhook is disabled: re-enable it (PUT active: true) first", { field: "id", reason: subscription.disabledReason ?? "disabled" });
  const now = opts.now ?? new Date();
  // the job is enqueued in the transaction that marks the delivery pending
  const row = await db.$transaction(async (tx) => {
    const updated = await tx.webhookDelivery.updateManyAndReturn({
      where: { id: opts.deliveryId, merchantId: opts.merchantId, subscriptionId: subscription.id, status: { not: "pending" } },
      data: { status: "pending", nextAttemptAt: now, retryUntil: new Date(now.getTime() + WEBHOOK_RETRY_WINDOW_MS) },
    });
    const delivery = updated[0];
    if (!delivery) {
      const existing = await tx.webhookDelivery.findFirst({ where: { id: opts.deliveryId, merchantId: opts.merchantId, subscriptionId: subscription.id } });
      if (!existing) throw notFound("Delivery", opts.deliveryId);
      throw new AppError("CONFLICT", "Delivery is still pending: it is being retried", { field: "deliveryId", reason: "pending" });
    }
    await opts.queue.send("webhook.deliver", { deliveryId: delivery.id, subscriptionId: subscription.id }, { tx });
    return delivery;
  });
  return toWebhookDeliveryDto(row);
}
