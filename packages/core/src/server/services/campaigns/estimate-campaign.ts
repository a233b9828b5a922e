// What a start would do now, without doing it: the recipients the fan-out would take (the same SQL
// as the start's), those it would leave out by reason, when the run would finish at the current send
// windows, and what X would charge for the DMs.
import { AppError } from "../../../errors.ts";
import type { CampaignEstimate } from "../../../contract/campaigns.ts";
import type { ScopedDb } from "../../scoped-db.ts";
import type { SendWindowLimits } from "../messages/send-windows.ts";
import { loadCampaign } from "./load-campaign.ts";
import { fanOutSelection, finishAtWindows } from "./run-campaign.ts";

export interface EstimateDeps {
  db: ScopedDb;
  merchantId: string;
  windows: SendWindowLimits | null;
  dmPriceUsd: number;
  now?: Date;
}

export async function estimateCampaign(deps: EstimateDeps, campaignId: string): Promise<CampaignEstimate> {
  const now = deps.now ?? new Date();
  const campaign = await loadCampaign(deps.db, campaignId);
  if (campaign.status !== "draft" && campaign.status !== "scheduled") {
    throw new AppError("VALIDATION_ERROR", `Cannot estimate a ${campaign.status} campaign`, { field: "status", reason: campaign.status });
  }
  const rows = await deps.db.$transaction(async (tx) => {
    const selection = await fanOutSelection(tx, { merchantId: deps.merchantId, campaignId: campaign.id, accountId: campaign.accountId });
    return tx.$queryRaw<{ account_id: string; skip_reason: string | null; n: number }[]>`
      SELECT f.account_id::text AS account_id, f.skip_reason, count(*)::int AS n FROM (${selection}) f GROUP BY 1, 2`;
  });
  const skipped: Record<string, number> = {};
  const perAccount = new Map<string, number>();
  let recipients = 0;
  for (const r of rows) {
    if (r.skip_reason) skipped[r.skip_reason] = (skipped[r.skip_reason] ?? 0) + r.n;
    else {
      recipients += r.n;
      perAccount.set(r.account_id, (perAccount.get(r.account_id) ?? 0) + r.n);
    }
  }
  // a scheduled campaign starts at its startAt; each account sends its share side by side
  const from = campaign.startAt && campaign.startAt > now ? campaign.startAt : now;
  const slowest = Math.max(0, ...perAccount.values());
  return {
    recipients,
    skipped,
    finishesAt: finishAtWindows(deps.windows, slowest, from).toISOString(),
    costUsd: Math.round(recipients * deps.dmPriceUsd * 1e6) / 1e6,
  };
}
