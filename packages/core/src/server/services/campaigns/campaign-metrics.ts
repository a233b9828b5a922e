// Campaign metrics, always computed from the recipients and their messages (never counters that
// could drift): delivered = X accepted, opened = read receipt, clicked = short link followed,
// replied = an inbound DM within 72 h of the send.
import { Prisma, type Db, type Tx } from "@mkt-x/db";
import type { ScopedDb } from "../../scoped-db.ts";
import type { CampaignMetricsDetails } from "../../../contract/campaigns.ts";

export interface MetricsRow {
  delivered: number;
  failed: number;
  opened: number;
  clicked: number;
  replied: number;
  skipped: number;
  skippedByReason: Record<string, number>;
}

const EMPTY: MetricsRow = { delivered: 0, failed: 0, opened: 0, clicked: 0, replied: 0, skipped: 0, skippedByReason: {} };

export async function campaignMetrics(db: ScopedDb | Db | Tx, merchantId: string, campaignIds: string[]): Promise<Map<string, MetricsRow>> {
  const out = new Map<string, MetricsRow>();
  if (campaignIds.length === 0) return out;
  const rows = await db.$queryRaw<{ campaign_id: string; delivered: number; failed: number; opened: number; clicked: number; replied: number; skipped: number; reasons: Record<string, number> | null }[]>`
    SELECT r.campaign_id,
      count(*) FILTER (WHERE m.status = 'sent')::int AS delivered,
      count(*) FILTER (WHERE r.status = 'failed' OR m.status = 'failed')::int AS failed,
      count(*) FILTER (WHERE m.read_at IS NOT NULL)::int AS opened,
      count(*) FILTER (WHERE r.clicked_at IS NOT NULL)::int AS clicked,
      count(*) FILTER (WHERE r.replied_at IS NOT NULL)::int AS replied,
      count(*) FILTER (WHERE r.status = 'skipped')::int AS skipped,
      (SELECT jsonb_object_agg(reason, n) FROM (
         SELECT skip_reason AS reason, count(*)::int AS n FROM campaign_recipients s
         WHERE s.campaign_id = r.campaign_id AND s.status = 'skipped' AND s.skip_reason IS NOT NULL GROUP BY skip_reason) x) AS reasons
    FROM campaign_recipients r LEFT JOIN messages m ON m.id = r.message_id
    WHERE r.merchant_id = ${merchantId} AND r.campaign_id = ANY(${campaignIds}::uuid[]) AND NOT r.is_test
    GROUP BY r.campaign_id`;
  for (const r of rows) out.set(r.campaign_id, { delivered: r.delivered, failed: r.failed, opened: r.opened, clicked: r.clicked, replied: r.replied, skipped: r.skipped, skippedByReason: r.reasons ?? {} });
  for (const id of campaignIds) if (!out.has(id)) out.set(id, EMPTY);
  return out;
}

/** A share rounded to four places; 0 when there is nothing to divide by. */
export const rate = (n: number, d: number) => (d === 0 ? 0 : Math.round((n / d) * 10_000) / 10_000);

/** The seed's counts and rates of a campaign: sent is delivered + failed; the rates are over delivered (delivery over sent), 0 on an empty denominator. */
export function metricsSummary(m: MetricsRow) {
  const totalSent = m.delivered + m.failed;
  return {
    totalSent,
    delivered: m.delivered,
    opened: m.opened,
    clicked: m.clicked,
    replied: m.replied,
    failed: m.failed,
    openRate: rate(m.opened, m.delivered),
    clickRate: rate(m.clicked, m.delivered),
    replyRate: rate(m.replied, m.delivered),
    deliveryRate: rate(m.delivered, totalSent),
  };
}

export async function campaignMetricsDetails(db: ScopedDb, merchantId: string, campaignId: string): Promise<CampaignMetricsDetails> {
  const m = (await campaignMetrics(db, merchantId, [campaignId])).get(campaignId) ?? EMPTY;
  const span = await db.$queryRaw<{ first: Date | null; last: Date | null }[]>`
    SELECT min(COALESCE(m.sent_at, m.updated_at)) AS first, max(COALESCE(m.sent_at, m.updated_at)) AS last
    FROM campaign_recipients r JOIN messages m ON m.id = r.message_id
    WHERE r.merchant_id = ${merchantId} AND r.campaign_id = ${campaignId}::uuid AND m.status IN ('sent', 'failed')`;
  const first = span[0]?.first;
  const last = span[0]?.last;
  const granularity = first && last && last.getTime() - first.getTime() > 7 * 86_400_000 ? "day" : "hour";
  const unit = Prisma.raw(`'${granularity}'`);
  const timeline = await db.$queryRaw<{ bucket: Date; sent: number; delivered: number; failed: number; opened: number }[]>`
    SELECT date_trunc(${unit}, COALESCE(m.sent_at, m.updated_at)) AS bucket,
      count(*)::int AS sent,
      count(*) FILTER (WHERE m.status = 'sent')::int AS delivered,
      count(*) FILTER (WHERE m.status = 'failed')::int AS failed,
      count(*) FILTER (WHERE m.read_at IS NOT NULL)::int AS opened
    FROM campaign_recipients r JOIN messages m ON m.id = r.message_id
    WHERE r.merchant_id = ${merchantId} AND r.campaign_id = ${campaignId}::uuid AND m.status IN ('sent', 'failed')
    GROUP BY 1 ORDER BY 1`;
  return {
    ...metricsSummary(m),
    skipped: m.skipped,
    skippedByReason: m.skippedByReason,
    granularity,
    timeline: timeline.map((t) => ({ timestamp: t.bucket.toISOString(), sent: t.sent, delivered: t.delivered, failed: t.failed, opened: t.opened })),
  };
}
