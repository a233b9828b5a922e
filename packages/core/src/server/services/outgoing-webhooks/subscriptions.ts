// A merchant's outgoing webhook subscriptions: create (the secret shown once), list, get, change,
// delete. Every target passes the address rule (target-policy.ts) before it is stored.
import { randomBytes, randomUUID } from "node:crypto";
import type { WebhookSubscriptionModel } from "@mkt-x/db";
import { notFound } from "../../../errors.ts";
import { isUuid, pagination, type PageInput, type Pagination } from "../../../contract/common.ts";
import type { LiveEventType } from "../../../contract/events.ts";
import type { CreateWebhookInput, WebhookChanges, WebhookSubscription } from "../../../contract/webhooks.ts";
import type { ScopedDb } from "../../scoped-db.ts";
import { secretPlace, type TokenCipher } from "../../token-cipher.ts";

/** A subscription's signing secret is encrypted for its row. */
export const subscriptionSecretPlace = (subscriptionId: string): string => secretPlace("webhook_subscriptions", "secret_enc", subscriptionId);
import { validateTarget, type TargetPolicy } from "./target-policy.ts";

export function toWebhookSubscriptionDto(row: WebhookSubscriptionModel): WebhookSubscription {
  return {
    id: row.id,
    url: row.url,
    events: row.events as LiveEventType[],
    description: row.description,
    active: row.active,
    consecutiveFailures: row.consecutiveFailures,
    disabledReason: row.disabledReason,
    disabledAt: row.disabledAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** The merchant's subscription, or a 404 (also for ids that are not UUIDs and other merchants'). */
export async function findWebhookSubscription(db: ScopedDb, id: string): Promise<WebhookSubscriptionModel> {
  if (!isUuid(id)) throw notFound("Webhook", id);
  const row = await db.webhookSubscription.findFirst({ where: { id } });
  if (!row) throw notFound("Webhook", id);
  return row;
}

export async function createWebhookSubscription(
  db: ScopedDb,
  opts: { merchantId: string; input: CreateWebhookInput; cipher: TokenCipher; targets: TargetPolicy },
): Promise<WebhookSubscription & { secret: string }> {
  const url = await validateTarget(opts.input.url, opts.targets);
  const secret = `whsec_${randomBytes(32).toString("base64url")}`;
  const id = randomUUID();
  const row = await db.webhookSubscription.create({
    data: { id, merchantId: opts.merchantId, url, events: opts.input.events, description: opts.input.description || null, secretEnc: opts.cipher.encrypt(secret, subscriptionSecretPlace(id)) },
  });
  return { ...toWebhookSubscriptionDto(row), secret };
}

export async function listWebhookSubscriptions(db: ScopedDb, opts: { page: PageInput }): Promise<{ data: WebhookSubscription[]; pagination: Pagination }> {
  const [rows, total] = await Promise.all([
    db.webhookSubscription.findMany({ orderBy: [{ createdAt: "desc" }, { id: "asc" }], skip: opts.page.skip, take: opts.page.take }),
    db.webhookSubscription.count(),
  ]);
  return { data: rows.map(toWebhookSubscriptionDto), pagination: pagination(opts.page, total) };
}

export async function getWebhookSubscription(db: ScopedDb, opts: { id: string }): Promise<WebhookSubscription> {
  return toWebhookSubscriptionDto(await findWebhookSubscription(db, opts.id));
}

/**
 * Applies what is given. `active: true` on a disabled subscription re-enables it with a clean
 * failure count; `active: false` pauses it (its pending deliveries then fail as disabled).
 */
export async function updateWebhookSubscription(db: ScopedDb, opts: { id: string; changes: WebhookChanges; targets: TargetPolicy }): Promise<WebhookSubscription> {
  const current = await findWebhookSubscription(db, opts.id);
  const { changes } = opts;
  const url = changes.url !== undefined ? await validateTarget(changes.url, opts.targets) : undefined;
  const enabling = changes.active === true && !current.active;
  const pausing = changes.active === false && current.active;
  const result = await db.webhookSubscription.updateMany({
    where: { id: current.id },
    data: {
      ...(url !== undefined ? { url } : {}),
      ...(changes.events !== undefined ? { events: changes.events } : {}),
      ...(changes.description !== undefined ? { description: changes.description || null } : {}),
      ...(enabling ? { active: true, consecutiveFailures: 0, disabledReason: null, disabledAt: null } : {}),
      ...(pausing ? { active: false, disabledReason: "paused by a user", disabledAt: new Date() } : {}),
    },
  });
  if (result.count === 0) throw notFound("Webhook", opts.id);
  return getWebhookSubscription(db, { id: current.id });
}

/** Deletes the subscription and its delivery history; jobs still queued for it find nothing to do. */
export async function deleteWebhookSubscription(db: ScopedDb, opts: { id: string }): Promise<null> {
  const current = await findWebhookSubscription(db, opts.id);
  const result = await db.webhookSubscription.deleteMany({ where: { id: current.id } });
  if (result.count === 0) throw notFound("Webhook", opts.id);
  return null;
}
