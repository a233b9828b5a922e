import { Prisma } from "@mkt-x/db";
import type { ScopedDb } from "../../scoped-db.ts";
import { isCampaignStatus } from "../../../contract/campaigns.ts";
import type { AnalyticsCampaign, AnalyticsCampaigns, AnalyticsCampaignsInput } from "../../../contract/analytics.ts";
import { campaignMetrics, metricsSummary } from "../campaigns/campaign-metrics.ts";
import { accountFilter, periodDto, resolvePeriod } from "./period.ts";

/**
 * The campaigns that ran during the period (started by endDate, not completed before startDate),
 * most recently started first, or the one campaignId names whatever the period. Their metrics are
 * the campaign's totals, as GET /campaigns/{id}/metrics computes them.
 */
export async function getAnalyticsCampaigns(db: ScopedDb, merchantId: string, input: AnalyticsCampaignsInput): Promise<AnalyticsCampaigns> {
  const p = resolvePeriod(input);
  const which =
    input.campaignId === undefined
      ? Prisma.sql`started_at IS NOT NULL AND started_at <= ${p.end}::timestamptz AND (completed_at IS NULL OR completed_at >= ${p.start}::timestamptz)`
      : Prisma.sql`id = ${input.campaignId}::uuid`;
  const rows = await db.$queryRaw<{ id: string; name: string; status: string; started_at: Date | null; completed_at: Date | null }[]>`
    SELECT id, name, status, started_at, completed_at FROM campaigns
    WHERE merchant_id = ${merchantId} AND ${accountFilter(Prisma.sql`account_id`, p.accountId)} AND ${which}
    ORDER BY started_at DESC NULLS LAST, created_at DESC, id`;
  const metrics = await campaignMetrics(db, merchantId, rows.map((r) => r.id));
  const campaigns = rows.flatMap((r): AnalyticsCampaign[] => {
    const m = metrics.get(r.id);
    if (!m || !isCampaignStatus(r.status)) return [];
    return [
      {
        id: r.id,
        name: r.name,
        status: r.status,
        startedAt: r.started_at?.toISOString() ?? null,
        completedAt: r.completed_at?.toISOString() ?? null,
        ...metricsSummary(m),
      },
    ];
  });
  return { period: periodDto(p), campaigns };
}
