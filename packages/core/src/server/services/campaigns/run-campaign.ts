// The worker side of campaigns: fan-out of a run and its dispatch.
//
// Fan-out is one set-based INSERT … SELECT: the union of the segments (compiled predicates, no
// filtering in JavaScript) minus opted-out contacts minus, when the account requires consent,
// contacts who never wrote; the left-out are stored as skipped with their reason, so they are
// counted. The unique (campaign, run, contact) key makes a retried fan-out a no-op.
//
// Dispatch claims pending recipients in batches (FOR UPDATE SKIP LOCKED), renders the template,
// rewrites links, and writes the DMs and their send jobs in one transaction. It keeps a bounded
// number of the campaign's DMs in flight, so a pause takes effect at once and a campaign larger
// than today's send windows simply waits in the pipeline's windows and goes on when they reopen.
import { Prisma, type Db, type Tx } from "@mkt-x/db";
import { laneCeiling } from "../../../domain/send-lanes.ts";
import { CAMPAIGN_STEPS, mayTake } from "../../../domain/state-transitions.ts";
import { openConversations } from "../conversations/conversation-rows.ts";
import { nextRun } from "../../../domain/recurrence.ts";
import type { JobQueue } from "../../jobs/queue.ts";
import type { SendWindowLimits } from "../messages/send-windows.ts";
import { dmFields, explicitVariables, loadComposer } from "../templates/compose-message.ts";
import { enqueueOutboundMessages, type OutboundMessageInput } from "../messages/enqueue-outbound-message.ts";
import { segmentsPredicate } from "./segments-predicate.ts";
import { emitCampaignEvents } from "../../events/emit-events.ts";
import { rewriteLinks, type ShortLinkRow } from "./short-links.ts";

export interface CampaignRunDeps {
  db: Db;
  queue: JobQueue;
  /** base of the short links (/r/{code}) */
  publicBaseUrl: string;
  /** for the expected finish time; null: windows off */
  windows: SendWindowLimits | null;
  now?: () => Date;
  /** DMs of one campaign queued or being sent at once */
  maxInFlight?: number;
  /** how long the dispatcher waits before looking again when it has nothing to do right now */
  pollMs?: number;
}

const DEFAULT_MAX_IN_FLIGHT = 1000;

export async function startCampaignRun(deps: CampaignRunDeps, job: { campaignId: string; run: number; startAt: string }): Promise<string> {
  const now = deps.now?.() ?? new Date();
  return deps.db.$transaction(
    async (tx) => {
      const rows = await tx.$queryRaw<{ id: string; merchant_id: string; status: string; run: number; start_at: Date | null; account_id: string | null }[]>`
        SELECT id, merchant_id, status, run, start_at, account_id FROM campaigns WHERE id = ${job.campaignId}::uuid FOR UPDATE`;
      const c = rows[0];
      if (!c) return "no such campaign";
      if (!mayTake(CAMPAIGN_STEPS.begin, c.status)) return `campaign is ${c.status}`;
      if (c.run >= job.run) {
        // this run was fanned out already (a retried job): make sure it is being dispatched
        await deps.queue.send("campaign.dispatch", { campaignId: c.id, run: c.run }, { tx });
        return "already started";
      }
      // a start job of a schedule that has since moved does nothing
      if (c.status === "scheduled" && c.start_at && c.start_at.toISOString() !== job.startAt) return "schedule moved";

      const selection = await fanOutSelection(tx, { merchantId: c.merchant_id, campaignId: c.id, accountId: c.account_id });
      await tx.$executeRaw`
        UPDATE campaigns SET status = 'running', run = ${job.run}, started_at = COALESCE(started_at, ${now}), completed_at = NULL, paused_at = NULL, updated_at = now()
        WHERE id = ${c.id}::uuid`;
      // (emitted after the fan-out below, so its counts include the skipped recipients)
      const inserted = await tx.$executeRaw`
        INSERT INTO campaign_recipients (merchant_id, campaign_id, contact_id, run, status, skip_reason)
        SELECT ${c.merchant_id}, ${c.id}::uuid, f.contact_id, ${job.run}, CASE WHEN f.skip_reason IS NULL THEN 'pending' ELSE 'skipped' END, f.skip_reason
        FROM (${selection}) f
        ON CONFLICT (campaign_id, run, contact_id) DO NOTHING`;
      await emitCampaignEvents(tx, [c.id]);
      await deps.queue.send("campaign.dispatch", { campaignId: c.id, run: job.run }, { tx });
      return `fanned out ${inserted} recipient(s)`;
    },
    { timeout: 120_000 },
  );
}

/**
 * Who a start fans out to, as SQL rows (contact_id, account_id, skip_reason): the union of the
 * campaign's segments, of its account when it has one, each with the reason it is left out (null:
 * it gets the DM). The start inserts these rows; the estimate counts them.
 */
export async function fanOutSelection(tx: Tx, c: { merchantId: string; campaignId: string; accountId: string | null }): Promise<Prisma.Sql> {
  const segments = await tx.$queryRaw<{ conditions: unknown; match: string }[]>`
    SELECT s.conditions, s.match FROM campaign_segments cs JOIN segments s ON s.id = cs.segment_id WHERE cs.campaign_id = ${c.campaignId}::uuid`;
  const predicate = segmentsPredicate(c.merchantId, segments);
  return Prisma.sql`
    SELECT c.id AS contact_id, c.account_id,
      CASE WHEN c.opted_out THEN 'opted_out'
           WHEN a.status <> 'active' THEN 'account_disconnected'
           WHEN a.require_consent AND c.consent_at IS NULL THEN 'no_consent' END AS skip_reason
    FROM contacts c JOIN x_accounts a ON a.id = c.account_id
    WHERE ${predicate} AND (${c.accountId}::uuid IS NULL OR c.account_id = ${c.accountId}::uuid)`;
}

/**
 * When `remaining` DMs of one account are done at the windows' binding campaign rate (null windows:
 * now): campaigns fill each shared window only up to their lane's ceiling.
 */
export function finishAtWindows(windows: SendWindowLimits | null, remaining: number, now: Date): Date {
  if (!windows || remaining === 0) return now;
  const perHour = Math.min(laneCeiling("campaign", windows.accountPer15m) * 4, laneCeiling("campaign", windows.accountPer24h) / 24, windows.accountCampaignPer24h / 24);
  return new Date(now.getTime() + (remaining / perHour) * 3_600_000);
}

interface Claimed {
  recipient_id: string;
  contact_id: string;
  account_id: string;
  display_name: string | null;
  username: string | null;
  attributes: unknown;
}

/**
 * One dispatch job: batches back to back while there is room and time (a job hop per batch would
 * cap the rate at the queue's polling), then hands over to a fresh job.
 */
export async function dispatchCampaign(deps: CampaignRunDeps, job: { campaignId: string; run: number }): Promise<string> {
  const started = Date.now();
  let total = 0;
  let lastProgress = 0;
  const progress = {
    due: () => {
      if (Date.now() - lastProgress < PROGRESS_EVERY_MS) return false;
      lastProgress = Date.now();
      return true;
    },
  };
  for (;;) {
    const step = await dispatchBatch(deps, job, Date.now() - started < 10_000, progress);
    if (typeof step === "string") return total ? `dispatched ${total}; ${step}` : step;
    total += step;
  }
}

/** One batch; a number when it dispatched one and may go on, else why it stopped. */
/** campaign.updated from dispatch: the first batch of each job, then at most this often. */
const PROGRESS_EVERY_MS = 1000;

async function dispatchBatch(deps: CampaignRunDeps, job: { campaignId: string; run: number }, mayContinue: boolean, progress: { due: () => boolean }): Promise<number | string> {
  const now = deps.now?.() ?? new Date();
  const pollMs = deps.pollMs ?? 2000;
  const campaign = await deps.db.campaign.findUnique({ where: { id: job.campaignId }, include: { template: true } });
  if (!campaign) return "no such campaign";
  if (campaign.status !== "running" || campaign.run !== job.run) return `campaign is ${campaign.status}, run ${campaign.run}`;
  const again = (delayMs: number) => deps.queue.send("campaign.dispatch", { campaignId: campaign.id, run: job.run }, delayMs > 0 ? { startAfter: new Date(now.getTime() + delayMs) } : {});

  if (campaign.endAt && now >= campaign.endAt) {
    await deps.db.$transaction(async (tx) => {
      const { count } = await tx.campaignRecipient.updateMany({ where: { campaignId: campaign.id, run: job.run, status: "pending" }, data: { status: "skipped", skipReason: "ended" } });
      if (count > 0) await emitCampaignEvents(tx, [campaign.id]);
    });
    return (await finishIfDone(deps, campaign.id, job.run, now)) ? "ended" : (await again(pollMs), "ended, waiting for in-flight DMs");
  }

  const inFlight = await deps.db.message.count({ where: { campaignId: campaign.id, status: { in: ["queued", "sending"] } } });
  const room = (deps.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT) - inFlight;
  if (room <= 0) {
    await again(pollMs);
    return "in flight at the limit";
  }
  const template = campaign.template;
  if (!template) {
    await deps.db.campaignRecipient.updateMany({ where: { campaignId: campaign.id, run: job.run, status: "pending" }, data: { status: "failed", error: "the campaign's template was deleted" } });
    await finishIfDone(deps, campaign.id, job.run, now);
    return "no template";
  }
  const composer = await loadComposer(deps.db, { merchantId: campaign.merchantId, template });
  const explicit = explicitVariables(campaign.variables);

  const claimed = await deps.db.$transaction(
    async (tx) => {
      // claimed by a row lock (SKIP LOCKED: concurrent dispatchers take other rows); each claimed
      // row is then written once, queued with its DM or failed with the reason
      const batch = await tx.$queryRaw<Claimed[]>`
        WITH picked AS (
          SELECT r.id, r.contact_id FROM campaign_recipients r
          WHERE r.campaign_id = ${campaign.id}::uuid AND r.run = ${job.run} AND r.status = 'pending'
          ORDER BY r.id LIMIT ${Math.min(room, 500)} FOR UPDATE SKIP LOCKED
        )
        SELECT picked.id AS recipient_id, c.id AS contact_id, c.account_id, c.display_name, c.username, c.attributes
        FROM picked JOIN contacts c ON c.id = picked.contact_id`;
      if (batch.length === 0) return 0;

      // the contacts' open conversations, started where there is none
      const contactIds = batch.map((b) => b.contact_id);
      const conversationOf = await openConversations(tx, { merchantId: campaign.merchantId, contactIds, at: now });

      const failed: { id: string; error: string }[] = [];
      const links: ShortLinkRow[] = [];
      const messages: OutboundMessageInput[] = [];
      const recipientOf = new Map<string, string>();
      for (const r of batch) {
        const dm = composer.compose({ accountId: r.account_id, displayName: r.display_name, username: r.username, attributes: r.attributes }, explicit);
        const conversationId = conversationOf.get(r.contact_id);
        if (!dm.ok || !conversationId) {
          failed.push({ id: r.recipient_id, error: dm.ok ? "no conversation" : dm.error });
          continue;
        }
        const withLinks = rewriteLinks(dm.text, deps.publicBaseUrl, r.recipient_id);
        links.push(...withLinks.links);
        const key = `campaign:${campaign.id}:${job.run}:${r.contact_id}`;
        recipientOf.set(key, r.recipient_id);
        messages.push({
          merchantId: campaign.merchantId,
          accountId: r.account_id,
          conversationId,
          contactId: r.contact_id,
          // the template's media goes with every DM (uploaded to X once per account by the send pipeline)
          ...dmFields(dm),
          content: withLinks.text,
          origin: "campaign",
          automated: true,
          idempotencyKey: key,
          campaignId: campaign.id,
        });
      }
      if (failed.length) {
        await tx.$executeRaw`
          UPDATE campaign_recipients r SET status = 'failed', error = v.error
          FROM unnest(${failed.map((f) => f.id)}::uuid[], ${failed.map((f) => f.error)}::text[]) AS v(id, error) WHERE r.id = v.id`;
      }
      if (links.length) {
        await tx.shortLink.createMany({ data: links.map((l) => ({ merchantId: campaign.merchantId, code: l.code, url: l.url, campaignId: campaign.id, recipientId: l.recipientId })) });
      }
      // a recipient dispatched before (a crash after this commit is impossible: all of it is one
      // transaction) would collide on the idempotency key and is not sent twice
      const created = await enqueueOutboundMessages(tx, deps.queue, messages);
      const messageOf = new Map(created.map((m) => [m.idempotencyKey ?? "", m.id]));
      if (messages.length) {
        const queued = messages.map((m) => ({ recipientId: recipientOf.get(m.idempotencyKey) ?? "", messageId: messageOf.get(m.idempotencyKey) ?? null }));
        await tx.$executeRaw`
          UPDATE campaign_recipients r SET status = 'queued', message_id = COALESCE(v.message_id, r.message_id)
          FROM unnest(${queued.map((q) => q.recipientId)}::uuid[], ${queued.map((q) => q.messageId)}::uuid[]) AS v(id, message_id) WHERE r.id = v.id`;
      }
      // progress for live clients: at most once per batch, and no more than every PROGRESS_EVERY_MS
      // (the metrics are an aggregate over the run's recipients)
      if (progress.due()) await emitCampaignEvents(tx, [campaign.id]);
      return batch.length;
    },
    { timeout: 60_000 },
  );

  await updateExpectedFinish(deps, campaign.id, job.run, now);
  if (claimed === 0) {
    if (await finishIfDone(deps, campaign.id, job.run, now)) return "completed";
    await again(pollMs);
    return "waiting for in-flight DMs";
  }
  if (mayContinue) return claimed;
  await again(0);
  return `dispatched ${claimed}, continuing in a new job`;
}

/** When nothing is pending or in flight: the run is done; a recurring campaign is scheduled anew. */
export async function finishIfDone(deps: CampaignRunDeps, campaignId: string, run: number, now: Date): Promise<boolean> {
  const open = await deps.db.$queryRaw<{ n: number }[]>`
    SELECT (SELECT count(*) FROM campaign_recipients WHERE campaign_id = ${campaignId}::uuid AND run = ${run} AND status = 'pending')
         + (SELECT count(*) FROM messages WHERE campaign_id = ${campaignId}::uuid AND status IN ('queued', 'sending')) AS n`;
  if (Number(open[0]?.n ?? 0) > 0) return false;
  await deps.db.$transaction(async (tx) => {
    const rows = await tx.$queryRaw<{ status: string; recurrence: string | null; start_at: Date | null; started_at: Date | null; end_at: Date | null; run: number }[]>`
      SELECT status, recurrence, start_at, started_at, end_at, run FROM campaigns WHERE id = ${campaignId}::uuid FOR UPDATE`;
    const c = rows[0];
    if (!c || !mayTake(CAMPAIGN_STEPS.complete, c.status) || c.run !== run) return;
    const anchor = c.start_at ?? c.started_at ?? now;
    const next = c.recurrence ? nextRun(c.recurrence, anchor, now) : null;
    if (next && (!c.end_at || next < c.end_at)) {
      await tx.$executeRaw`UPDATE campaigns SET status = 'scheduled', start_at = ${next}, expected_finish_at = NULL, updated_at = now() WHERE id = ${campaignId}::uuid`;
      await deps.queue.send("campaign.start", { campaignId, run: run + 1, startAt: next.toISOString() }, { tx, startAfter: next });
    } else {
      await tx.$executeRaw`UPDATE campaigns SET status = 'completed', completed_at = ${now}, expected_finish_at = NULL, updated_at = now() WHERE id = ${campaignId}::uuid`;
    }
    await emitCampaignEvents(tx, [campaignId]);
  });
  return true;
}

/** Remaining DMs over the binding send rate of each account: when the slowest account finishes. */
async function updateExpectedFinish(deps: CampaignRunDeps, campaignId: string, run: number, now: Date): Promise<void> {
  if (!deps.windows) return;
  const rows = await deps.db.$queryRaw<{ remaining: number }[]>`
    SELECT count(*)::int AS remaining FROM campaign_recipients r JOIN contacts c ON c.id = r.contact_id
    LEFT JOIN messages m ON m.id = r.message_id
    WHERE r.campaign_id = ${campaignId}::uuid AND r.run = ${run} AND (r.status = 'pending' OR m.status IN ('queued', 'sending'))
    GROUP BY c.account_id ORDER BY 1 DESC LIMIT 1`;
  const remaining = rows[0]?.remaining ?? 0;
  const finish = remaining === 0 ? null : finishAtWindows(deps.windows, remaining, now);
  await deps.db.$executeRaw`UPDATE campaigns SET expected_finish_at = ${finish} WHERE id = ${campaignId}::uuid`;
}
