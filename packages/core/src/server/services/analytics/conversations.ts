import { Prisma } from "@mkt-x/db";
import type { ScopedDb } from "../../scoped-db.ts";
import type { AnalyticsConversations, AnalyticsSeriesInput } from "../../../contract/analytics.ts";
import { accountFilter, periodDto, resolvePeriod, seriesUnit } from "./period.ts";
import { averageResponseTime } from "./response-time.ts";

/**
 * Conversations started in the period (open/closed: their status now), the mean response time,
 * DMs received (createdAt) and sent (status sent, by sentAt) in the period, and the same per bucket.
 */
export async function getAnalyticsConversations(db: ScopedDb, merchantId: string, input: AnalyticsSeriesInput): Promise<AnalyticsConversations> {
  const p = resolvePeriod(input);
  const { unit, step } = seriesUnit(p, input.groupBy);
  const start = Prisma.sql`${p.start}::timestamptz`;
  const end = Prisma.sql`${p.end}::timestamptz`;
  const scope = Prisma.sql`merchant_id = ${merchantId} AND ${accountFilter(Prisma.sql`account_id`, p.accountId)}`;
  const [series, avg] = await Promise.all([
    db.$queryRaw<{ period: string; started: number; open: number; closed: number; inbound: number; outbound: number }[]>`
      WITH b AS (SELECT generate_series(date_trunc(${unit}, ${start} AT TIME ZONE 'UTC'), ${end} AT TIME ZONE 'UTC', ${step}) AS bucket),
      c AS (SELECT date_trunc(${unit}, started_at AT TIME ZONE 'UTC') AS bucket, count(*)::int AS started,
                   count(*) FILTER (WHERE status = 'open')::int AS open, count(*) FILTER (WHERE status = 'closed')::int AS closed
            FROM conversations WHERE ${scope} AND started_at >= ${start} AND started_at <= ${end} GROUP BY 1),
      i AS (SELECT date_trunc(${unit}, created_at AT TIME ZONE 'UTC') AS bucket, count(*)::int AS n
            FROM messages WHERE ${scope} AND direction = 'inbound' AND created_at >= ${start} AND created_at <= ${end} GROUP BY 1),
      o AS (SELECT date_trunc(${unit}, sent_at AT TIME ZONE 'UTC') AS bucket, count(*)::int AS n
            FROM messages WHERE ${scope} AND direction = 'outbound' AND status = 'sent' AND sent_at >= ${start} AND sent_at <= ${end} GROUP BY 1)
      SELECT to_char(b.bucket, 'YYYY-MM-DD') AS period, COALESCE(c.started, 0)::int AS started, COALESCE(c.open, 0)::int AS open,
             COALESCE(c.closed, 0)::int AS closed, COALESCE(i.n, 0)::int AS inbound, COALESCE(o.n, 0)::int AS outbound
      FROM b LEFT JOIN c ON c.bucket = b.bucket LEFT JOIN i ON i.bucket = b.bucket LEFT JOIN o ON o.bucket = b.bucket
      ORDER BY b.bucket`,
    averageResponseTime(db, merchantId, p),
  ]);
  const sum = (k: "started" | "open" | "closed" | "inbound" | "outbound") => series.reduce((n, r) => n + r[k], 0);
  return {
    period: periodDto(p),
    groupBy: input.groupBy,
    total: sum("started"),
    open: sum("open"),
    closed: sum("closed"),
    averageResponseTime: avg,
    messages: { inbound: sum("inbound"), outbound: sum("outbound") },
    series: series.map((r) => ({ period: r.period, started: r.started, inbound: r.inbound, outbound: r.outbound })),
  };
}
