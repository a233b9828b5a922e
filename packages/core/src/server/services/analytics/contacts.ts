import { Prisma } from "@mkt-x/db";
import type { ScopedDb } from "../../scoped-db.ts";
import type { AnalyticsContacts, AnalyticsSeriesInput } from "../../../contract/analytics.ts";
import { accountFilter, periodDto, resolvePeriod, seriesUnit } from "./period.ts";

/** Totals as the overview counts them, and per bucket: contacts created, contacts last active. */
export async function getAnalyticsContacts(db: ScopedDb, merchantId: string, input: AnalyticsSeriesInput): Promise<AnalyticsContacts> {
  const p = resolvePeriod(input);
  const { unit, step } = seriesUnit(p, input.groupBy);
  const start = Prisma.sql`${p.start}::timestamptz`;
  const end = Prisma.sql`${p.end}::timestamptz`;
  const scope = Prisma.sql`merchant_id = ${merchantId} AND ${accountFilter(Prisma.sql`account_id`, p.accountId)}`;
  const [totals, series] = await Promise.all([
    db.$queryRaw<{ total: number; new: number; active: number }[]>`
      SELECT count(*) FILTER (WHERE created_at <= ${end})::int AS total,
             count(*) FILTER (WHERE created_at >= ${start} AND created_at <= ${end})::int AS new,
             count(*) FILTER (WHERE last_interaction_at >= ${start} AND last_interaction_at <= ${end})::int AS active
      FROM contacts WHERE ${scope}`,
    db.$queryRaw<{ period: string; new: number; active: number }[]>`
      WITH b AS (SELECT generate_series(date_trunc(${unit}, ${start} AT TIME ZONE 'UTC'), ${end} AT TIME ZONE 'UTC', ${step}) AS bucket),
      n AS (SELECT date_trunc(${unit}, created_at AT TIME ZONE 'UTC') AS bucket, count(*)::int AS n
            FROM contacts WHERE ${scope} AND created_at >= ${start} AND created_at <= ${end} GROUP BY 1),
      a AS (SELECT date_trunc(${unit}, last_interaction_at AT TIME ZONE 'UTC') AS bucket, count(*)::int AS n
            FROM contacts WHERE ${scope} AND last_interaction_at >= ${start} AND last_interaction_at <= ${end} GROUP BY 1)
      SELECT to_char(b.bucket, 'YYYY-MM-DD') AS period, COALESCE(n.n, 0)::int AS new, COALESCE(a.n, 0)::int AS active
      FROM b LEFT JOIN n ON n.bucket = b.bucket LEFT JOIN a ON a.bucket = b.bucket
      ORDER BY b.bucket`,
  ]);
  const t = totals[0] ?? { total: 0, new: 0, active: 0 };
  return { period: periodDto(p), groupBy: input.groupBy, total: t.total, new: t.new, active: t.active, series };
}
