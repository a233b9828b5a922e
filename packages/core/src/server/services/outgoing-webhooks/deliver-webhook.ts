// One attempt of one delivery (the `webhook.deliver` job): sign, POST, record. Failures are retried
// by this service's own schedule (exponential, for 24 hours) with a fresh job enqueued in the
// transaction that records the attempt; pg-boss's own retries only cover crashes. Fifty failed
// attempts in a row, over all of a subscription's deliveries, disable the subscription.
import type { Db } from "@mkt-x/db";
import { WEBHOOK_MAX_CONSECUTIVE_FAILURES } from "../../../contract/webhooks.ts";
import type { JobQueue } from "../../jobs/queue.ts";
import type { TokenCipher } from "../../token-cipher.ts";
import { postWebhook, type PostResult } from "./post-webhook.ts";
import { subscriptionSecretPlace } from "./subscriptions.ts";
import type { TargetPolicy } from "./target-policy.ts";

export const WEBHOOK_RETRY_WINDOW_MS = 24 * 3600_000;

export interface RetrySchedule {
  /** the first retry's delay; each next one doubles */
  baseMs: number;
  maxMs: number;
}
export const DEFAULT_RETRY_SCHEDULE: RetrySchedule = { baseMs: 5_000, maxMs: 3600_000 };

export interface WebhookDeliveryDeps {
  db: Db;
  cipher: TokenCipher;
  queue: JobQueue;
  policy: TargetPolicy;
  /** the whole attempt: connect, answer, body (default 10 s) */
  timeoutMs?: number;
  retry?: RetrySchedule;
}

/** Delay before attempt `attempts + 1`, with ±20 % jitter so a receiver's backlog does not come back at once. */
export function retryDelayMs(attempts: number, schedule: RetrySchedule = DEFAULT_RETRY_SCHEDULE, random = Math.random): number {
  const plain = Math.min(schedule.maxMs, schedule.baseMs * 2 ** Math.min(30, Math.max(0, attempts - 1)));
  return Math.round(plain * (0.8 + 0.4 * random()));
}

interface DeliveryRow {
  id: string;
  subscription_id: string;
  body: string;
  status: string;
  retry_until: Date;
  url: string;
  secret_enc: string;
  active: boolean;
  disabled_reason: string | null;
}

export type DeliveryOutcome = "succeeded" | "retrying" | "failed" | "skipped";

export async function deliverWebhook(deps: WebhookDeliveryDeps, deliveryId: string): Promise<DeliveryOutcome> {
  const [outcome] = await deliverWebhooks(deps, [deliveryId]);
  if (outcome instanceof Error) throw outcome;
  return outcome ?? "skipped";
}

/**
 * Attempts several deliveries at once (a fetched batch of jobs): one read for all of them, then
 * each POSTs and records on its own as soon as it is answered, so a slow receiver delays nobody's
 * record but its own. An outcome per delivery, or the error that kept it from being recorded.
 */
export async function deliverWebhooks(deps: WebhookDeliveryDeps, deliveryIds: readonly string[]): Promise<(DeliveryOutcome | Error)[]> {
  const rows = await deps.db.$queryRaw<DeliveryRow[]>`
    SELECT d.id, d.subscription_id, d.body, d.status, d.retry_until, s.url, s.secret_enc, s.active, s.disabled_reason
    FROM webhook_deliveries d JOIN webhook_subscriptions s ON s.id = d.subscription_id AND s.merchant_id = d.merchant_id
    WHERE d.id = ANY (${[...deliveryIds]}::uuid[])`;
  const byId = new Map(rows.map((r) => [r.id, r]));
  return Promise.all(deliveryIds.map((id) => attempt(deps, byId.get(id)).catch((e: unknown) => (e instanceof Error ? e : new Error(String(e))))));
}

async function attempt(deps: WebhookDeliveryDeps, row: DeliveryRow | undefined): Promise<DeliveryOutcome> {
  // deleted with its subscription, or already settled (a duplicate job): nothing to do
  if (!row || row.status !== "pending") return "skipped";
  if (!row.active) {
    await deps.db.$executeRaw`
      UPDATE webhook_deliveries SET status = 'failed', next_attempt_at = NULL,
        error = ${`not sent: the webhook is disabled (${row.disabled_reason ?? "disabled"})`}
      WHERE id = ${row.id}::uuid AND status = 'pending'`;
    return "failed";
  }
  const result = await postWebhook({ url: row.url, deliveryId: row.id, body: row.body, secret: deps.cipher.decrypt(row.secret_enc, subscriptionSecretPlace(row.subscription_id)), policy: deps.policy, timeoutMs: deps.timeoutMs });
  return result.ok ? recordSuccess(deps, row, result) : recordFailure(deps, row, result);
}

async function recordSuccess(deps: WebhookDeliveryDeps, row: DeliveryRow, result: PostResult): Promise<DeliveryOutcome> {
  // one statement (the hot path); the subscription's row is written only when there is a count to
  // clear, so successes do not queue on it
  await deps.db.$executeRaw`
    WITH d AS (
      UPDATE webhook_deliveries SET status = 'succeeded', attempts = attempts + 1, response_code = ${result.status}, response_body = ${result.body},
        duration_ms = ${result.durationMs}, error = NULL, last_attempt_at = now(), next_attempt_at = NULL
      WHERE id = ${row.id}::uuid
      RETURNING subscription_id
    )
    UPDATE webhook_subscriptions s SET consecutive_failures = 0 FROM d WHERE s.id = d.subscription_id AND s.consecutive_failures <> 0`;
  return "succeeded";
}

async function recordFailure(deps: WebhookDeliveryDeps, row: DeliveryRow, result: PostResult): Promise<DeliveryOutcome> {
  const error = result.error ?? "failed";
  return deps.db.$transaction(async (tx) => {
    const reason = `${WEBHOOK_MAX_CONSECUTIVE_FAILURES} failed attempts in a row; the last: ${error}`.slice(0, 1000);
    const [subscription] = await tx.$queryRaw<{ active: boolean }[]>`
      UPDATE webhook_subscriptions SET
        consecutive_failures = consecutive_failures + 1,
        active = active AND consecutive_failures + 1 < ${WEBHOOK_MAX_CONSECUTIVE_FAILURES},
        disabled_reason = CASE WHEN active AND consecutive_failures + 1 >= ${WEBHOOK_MAX_CONSECUTIVE_FAILURES} THEN ${reason} ELSE disabled_reason END,
        disabled_at = CASE WHEN active AND consecutive_failures + 1 >= ${WEBHOOK_MAX_CONSECUTIVE_FAILURES} THEN now() ELSE disabled_at END
      WHERE id = ${row.subscription_id}::uuid
      RETURNING active`;
    const counted = await tx.$queryRaw<{ attempts: number }[]>`
      UPDATE webhook_deliveries SET attempts = attempts + 1, response_code = ${result.status}, response_body = ${result.body},
        duration_ms = ${result.durationMs}, error = ${error.slice(0, 1000)}, last_attempt_at = now()
      WHERE id = ${row.id}::uuid
      RETURNING attempts`;
    const attempts = counted[0]?.attempts ?? 1;
    const nextAt = new Date(Date.now() + retryDelayMs(attempts, deps.retry));
    let outcome: DeliveryOutcome = "retrying";
    if (!subscription?.active) outcome = "failed";
    else if (nextAt > row.retry_until) outcome = "failed";
    if (outcome === "failed") {
      const why = !subscription?.active ? "the webhook was disabled" : "retries gave up after 24 hours";
      await tx.$executeRaw`UPDATE webhook_deliveries SET status = 'failed', next_attempt_at = NULL, error = ${`${error.slice(0, 900)} (${why})`} WHERE id = ${row.id}::uuid`;
    } else {
      await tx.$executeRaw`UPDATE webhook_deliveries SET next_attempt_at = ${nextAt} WHERE id = ${row.id}::uuid`;
      await deps.queue.send("webhook.deliver", { deliveryId: row.id, subscriptionId: row.subscription_id }, { tx, startAfter: nextAt });
    }
    return outcome;
  });
}
