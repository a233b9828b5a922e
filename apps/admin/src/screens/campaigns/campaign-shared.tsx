// What the campaign list and page share: status badges and the recipients a start was estimated at.
import { Badge } from "@mantine/core";
import type { CampaignStatus } from "@mkt-x/core";

const STATUS_COLORS: Record<CampaignStatus, string> = { draft: "gray", scheduled: "violet", running: "blue", paused: "yellow", completed: "green", cancelled: "red" };
export const STATUS_LABELS: Record<CampaignStatus, string> = { draft: "Draft", scheduled: "Scheduled", running: "Sending", paused: "Paused", completed: "Completed", cancelled: "Cancelled" };

export function StatusBadge({ status }: { status: CampaignStatus }) {
  return (
    <Badge variant="light" color={STATUS_COLORS[status]}>
      {STATUS_LABELS[status]}
    </Badge>
  );
}

// The API does not answer a run's recipient count; the estimate taken when it was started from
// this browser gives the progress bar its end. Without it the bar shows what was sent so far.
const recipientsKey = (campaignId: string) => `mktx.campaign.${campaignId}.recipients`;
export function rememberRecipients(campaignId: string, recipients: number) {
  try {
    localStorage.setItem(recipientsKey(campaignId), String(recipients));
  } catch {
    // storage full or blocked: the bar falls back to counts
  }
}
export function rememberedRecipients(campaignId: string): number | null {
  try {
    const v = Number(localStorage.getItem(recipientsKey(campaignId)));
    return Number.isFinite(v) && v > 0 ? v : null;
  } catch {
    return null;
  }
}

export const formatUsd = (n: number) => n.toLocaleString(undefined, { style: "currency", currency: "USD", minimumFractionDigits: 2, maximumFractionDigits: 4 });

export const SKIP_REASONS: Record<string, string> = {
  opted_out: "Opted out",
  no_consent: "No consent (never wrote to the account)",
  account_disconnected: "Account disconnected",
  ended: "Campaign ended",
  cancelled: "Cancelled",
};
export const skipReason = (r: string) => SKIP_REASONS[r] ?? r.replaceAll("_", " ");
