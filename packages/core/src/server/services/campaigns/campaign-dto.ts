import type { CampaignModel } from "@mkt-x/db";
import { isCampaignStatus, CAMPAIGN_TYPES, type Campaign } from "../../../contract/campaigns.ts";
import type { MetricsRow } from "./campaign-metrics.ts";

const campaignType = (t: string): Campaign["type"] => CAMPAIGN_TYPES.find((known) => known === t) ?? "promotional";

export function toCampaignDto(c: CampaignModel, segmentIds: string[], metrics: MetricsRow): Campaign {
  return {
    id: c.id,
    merchantId: c.merchantId,
    name: c.name,
    type: campaignType(c.type),
    status: isCampaignStatus(c.status) ? c.status : "draft",
    templateId: c.templateId,
    segmentIds,
    accountId: c.accountId,
    schedule: { startAt: c.startAt?.toISOString() ?? null, endAt: c.endAt?.toISOString() ?? null, recurrence: c.recurrence },
    variables: typeof c.variables === "object" && c.variables !== null && !Array.isArray(c.variables) ? c.variables : {},
    run: c.run,
    metrics: { totalSent: metrics.delivered + metrics.failed, delivered: metrics.delivered, opened: metrics.opened, clicked: metrics.clicked, replied: metrics.replied, failed: metrics.failed, skipped: metrics.skipped },
    skippedByReason: metrics.skippedByReason,
    expectedFinishAt: c.expectedFinishAt?.toISOString() ?? null,
    startedAt: c.startedAt?.toISOString() ?? null,
    pausedAt: c.pausedAt?.toISOString() ?? null,
    pauseReason: c.status === "paused" ? c.pauseReason : null,
    completedAt: c.completedAt?.toISOString() ?? null,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  };
}
