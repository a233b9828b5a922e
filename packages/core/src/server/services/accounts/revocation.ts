// X took the account's authorization back (AAA user_event.revoke, XAA oauth.revoke, or a 401 on a
// call made as the account): the account shows `revoked`, its running and scheduled campaigns pause
// with the reason, and the merchant's active flows go inactive when no other account is left to send
// with. Reconnecting the account (new tokens) undoes exactly what was paused for that reason.
import type { Tx } from "@mkt-x/db";
import type { JobQueue } from "../../jobs/queue.ts";
import { emitCampaignEvents } from "../../events/emit-events.ts";
import { resumePausedCampaign } from "../campaigns/campaign-lifecycle.ts";

export const ACCOUNT_REVOKED = "account_revoked";

export interface RevocationOutcome {
  /** false when the account was already revoked (or disconnected): nothing changed */
  revoked: boolean;
  pausedCampaignIds: string[];
  pausedFlowIds: string[];
}

/** Idempotent; runs in the caller's transaction so the change and its live events commit together. */
export async function revokeAccount(tx: Tx, opts: { accountId: string; reason: string; now?: Date }): Promise<RevocationOutcome> {
  const now = opts.now ?? new Date();
  const accounts = await tx.$queryRaw<{ merchant_id: string }[]>`
    UPDATE x_accounts SET status = 'revoked', last_error = ${opts.reason.slice(0, 500)}, updated_at = now()
    WHERE id = ${opts.accountId}::uuid AND status IN ('active', 'error')
    RETURNING merchant_id`;
  const merchantId = accounts[0]?.merchant_id;
  if (!merchantId) return { revoked: false, pausedCampaignIds: [], pausedFlowIds: [] };

  const campaigns = await tx.$queryRaw<{ id: string }[]>`
    UPDATE campaigns SET status = 'paused', paused_at = ${now}, pause_reason = ${ACCOUNT_REVOKED}, updated_at = now()
    WHERE merchant_id = ${merchantId} AND account_id = ${opts.accountId}::uuid AND status IN ('running', 'scheduled')
    RETURNING id::text AS id`;
  await emitCampaignEvents(tx, campaigns.map((c) => c.id));

  // flows are the merchant's, not one account's: they stop only when nothing is left to send with
  const others = await tx.xAccount.count({ where: { merchantId, status: "active", id: { not: opts.accountId } } });
  const flows =
    others > 0
      ? []
      : await tx.$queryRaw<{ id: string }[]>`
          UPDATE flows SET status = 'inactive', pause_reason = ${ACCOUNT_REVOKED}, updated_at = now()
          WHERE merchant_id = ${merchantId} AND status = 'active'
          RETURNING id::text AS id`;
  return { revoked: true, pausedCampaignIds: campaigns.map((c) => c.id), pausedFlowIds: flows.map((f) => f.id) };
}

/** After a reconnect: resumes the campaigns and flows that the revocation paused (and only those). */
export async function resumeAfterReconnect(tx: Tx, queue: JobQueue, opts: { merchantId: string; accountId: string; now?: Date }): Promise<{ campaignIds: string[]; flowIds: string[] }> {
  const campaigns = await tx.campaign.findMany({ where: { merchantId: opts.merchantId, accountId: opts.accountId, status: "paused", pauseReason: ACCOUNT_REVOKED } });
  for (const campaign of campaigns) await resumePausedCampaign(tx, queue, campaign, opts.now ?? new Date());
  const flows = await tx.$queryRaw<{ id: string }[]>`
    UPDATE flows SET status = 'active', pause_reason = NULL, updated_at = now()
    WHERE merchant_id = ${opts.merchantId} AND status = 'inactive' AND pause_reason = ${ACCOUNT_REVOKED}
    RETURNING id::text AS id`;
  return { campaignIds: campaigns.map((c) => c.id), flowIds: flows.map((f) => f.id) };
}
