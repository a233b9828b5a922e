// X's own catch-up: after downtime, X redelivers to the app's webhook every event it delivered or
// tried to deliver in a time window (POST /2/webhooks/replay; each replayed event tagged
// `meta.replay`), which covers what the DM history cannot: mentions and replies, follows, read
// receipts, revocations. Each run asks for the window since the last job X accepted (minute
// granularity, `from` inclusive, `to` exclusive, so consecutive jobs leave no gap), at most the 24
// hours X keeps. A replayed event has its original id, so the webhook's dedupe (webhook_events'
// unique event key) applies it once however often it arrives.
import type { Db } from "@mkt-x/db";
import { XApiError, type XClient } from "../../../ports/x-client.ts";

export interface ReplayDeps {
  db: Db;
  x: XClient;
  now?: () => Date;
}

export interface WebhookReplay {
  webhookId: string;
  /** the window asked for; null when there was nothing new to ask for */
  from: Date | null;
  to: Date | null;
  /** X's job id when it accepted the job */
  jobId?: string;
  /** X answered 429: the window is asked for again at the next run */
  rateLimitedUntil?: Date | null;
  error?: string;
}

/** How far back X replays (its data retention for webhook events). */
export const REPLAY_RETENTION_MS = 24 * 3600_000;
const MINUTE = 60_000;
const floorMinute = (t: number) => Math.floor(t / MINUTE) * MINUTE;
const ceilMinute = (t: number) => Math.ceil(t / MINUTE) * MINUTE;

/** Asks X to replay each webhook's events since its last replay (one webhook per app, usually). */
export async function replayWebhookEvents(deps: ReplayDeps): Promise<WebhookReplay[]> {
  const now = (deps.now?.() ?? new Date()).getTime();
  // the webhooks connected accounts are subscribed to: from their first connection, and never from
  // before a GDPR erasure on any of them (X still holds the erased person's events)
  const hooks = await deps.db.$queryRaw<{ webhook_id: string; connected_at: Date; not_before: Date | null; replayed_until: Date | null }[]>`
    SELECT a.webhook_id, min(a.connected_at) AS connected_at, max(a.catchup_not_before) AS not_before, r.replayed_until
    FROM x_accounts a LEFT JOIN x_webhook_replays r ON r.webhook_id = a.webhook_id
    WHERE a.status = 'active' AND a.webhook_id IS NOT NULL
    GROUP BY a.webhook_id, r.replayed_until
    ORDER BY a.webhook_id`;
  const results: WebhookReplay[] = [];
  for (const hook of hooks) {
    const to = floorMinute(now);
    const from = Math.max(hook.replayed_until?.getTime() ?? floorMinute(hook.connected_at.getTime()), ceilMinute(now - REPLAY_RETENTION_MS), hook.not_before ? ceilMinute(hook.not_before.getTime()) : 0);
    if (to <= from) {
      results.push({ webhookId: hook.webhook_id, from: null, to: null });
      continue;
    }
    try {
      const job = await deps.x.replayWebhookEvents(hook.webhook_id, new Date(from), new Date(to));
      await deps.db.$executeRaw`
        INSERT INTO x_webhook_replays (webhook_id, replayed_until, last_job_id, updated_at) VALUES (${hook.webhook_id}, ${new Date(to)}, ${job.jobId}, now())
        ON CONFLICT (webhook_id) DO UPDATE SET replayed_until = GREATEST(x_webhook_replays.replayed_until, EXCLUDED.replayed_until), last_job_id = EXCLUDED.last_job_id, updated_at = now()`;
      results.push({ webhookId: hook.webhook_id, from: new Date(from), to: new Date(to), jobId: job.jobId });
    } catch (e) {
      // nothing is marked: the next run asks for this window again (with what came since)
      if (e instanceof XApiError && e.kind === "rate_limited") results.push({ webhookId: hook.webhook_id, from: new Date(from), to: new Date(to), rateLimitedUntil: e.resetAt });
      else results.push({ webhookId: hook.webhook_id, from: new Date(from), to: new Date(to), error: e instanceof Error ? e.message : String(e) });
    }
  }
  return results;
}
