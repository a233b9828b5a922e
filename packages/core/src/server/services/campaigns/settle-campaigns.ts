// The settle pass: run by every worker every few seconds, so a campaign reaches its final state
// soon after a crash instead of when its jobs' expiry and the five-minute sweep come round.
//
// It never sends anything itself. A running campaign whose every recipient is final is completed
// (or scheduled for its next run); one with work left but no dispatch job (its chain gave up while
// the database was away) gets a fresh dispatch job; a DM left queued or mid-send with no lease and
// no job gets a fresh send job, which asks X first when the DM may already have reached it.
import type { CampaignRunDeps } from "./run-campaign.ts";
import { finishIfDone } from "./run-campaign.ts";
import { requeueStalledMessages } from "../messages/sweep-stalled-messages.ts";

export interface SettleResult {
  completed: number;
  redispatched: number;
  requeued: number;
}

/** How long a DM must sit untouched, lease lapsed and without a job, before the pass requeues it. */
const STALLED_AFTER_MS = 20_000;

/** The pass; null when another worker's pass holds the lock this round. */
export async function settleCampaigns(deps: CampaignRunDeps, opts: { now?: Date; stalledAfterMs?: number } = {}): Promise<SettleResult | null> {
  const now = opts.now ?? deps.now?.() ?? new Date();
  const found = await deps.db.$transaction(async (tx) => {
    // one worker at a time: a second pass would only queue spare jobs
    const [lock] = await tx.$queryRaw<{ ok: boolean }[]>`SELECT pg_try_advisory_xact_lock(hashtext('mktx:settle-campaigns')) AS ok`;
    if (!lock?.ok) return null;
    const requeued = await requeueStalledMessages({ db: tx, queue: deps.queue }, { now, olderThanMs: opts.stalledAfterMs ?? STALLED_AFTER_MS, tx });
    const running = await tx.$queryRaw<{ id: string; run: number; open: number; starting: boolean; dispatching: boolean }[]>`
      SELECT c.id, c.run,
        (SELECT count(*)::int FROM campaign_recipients r WHERE r.campaign_id = c.id AND r.run = c.run AND r.status = 'pending')
          + (SELECT count(*)::int FROM messages m WHERE m.campaign_id = c.id AND m.status IN ('queued', 'sending')) AS open,
        EXISTS (
          SELECT 1 FROM pgboss.job j
          WHERE j.name = 'campaign.start' AND j.state IN ('created', 'retry', 'active') AND j.data->>'campaignId' = c.id::text
        ) AS starting,
        EXISTS (
          SELECT 1 FROM pgboss.job j
          WHERE j.name = 'campaign.dispatch' AND j.state IN ('created', 'retry', 'active') AND j.data->>'campaignId' = c.id::text
        ) AS dispatching
      FROM campaigns c WHERE c.status = 'running'`;
    // a run not fanned out yet (its start job pending: nothing is open because nobody is listed yet)
    // is left to its start job
    const live = running.filter((c) => !c.starting);
    // work left and nobody dispatching: a fresh dispatch job polls until the DMs are final, then completes the run
    const orphaned = live.filter((c) => c.open > 0 && !c.dispatching);
    for (const c of orphaned) await deps.queue.send("campaign.dispatch", { campaignId: c.id, run: c.run }, { tx });
    return { requeued, redispatched: orphaned.length, done: live.filter((c) => c.open === 0) };
  });
  if (!found) return null;
  let completed = 0;
  // (each in its own transaction, the campaign row locked and its state checked again)
  for (const c of found.done) if (await finishIfDone(deps, c.id, c.run, now)) completed++;
  return { completed, redispatched: found.redispatched, requeued: found.requeued };
}
