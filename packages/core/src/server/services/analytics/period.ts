import { Prisma } from "@mkt-x/db";
import { AppError } from "../../../errors.ts";
import { DEFAULT_ANALYTICS_DAYS, MAX_SERIES_BUCKETS, parseAnalyticsDate, type AnalyticsGroupBy, type AnalyticsPeriod } from "../../../contract/analytics.ts";

export interface Period {
  start: Date;
  end: Date;
  /** null: every account of the merchant */
  accountId: string | null;
}

const invalid = (field: string, reason: string) => new AppError("VALIDATION_ERROR", reason, [{ field, reason }]);

/** startDate/endDate as the contract validated them; missing ones default to the last 30 days up to now. */
export function resolvePeriod(input: { startDate?: string | undefined; endDate?: string | undefined; accountId?: string | undefined }, now = new Date()): Period {
  const end = input.endDate === undefined ? now : parseAnalyticsDate(input.endDate, "end");
  if (!end) throw invalid("endDate", "endDate must be an ISO 8601 date or date-time");
  const start = input.startDate === undefined ? new Date(end.getTime() - DEFAULT_ANALYTICS_DAYS * 86_400_000) : parseAnalyticsDate(input.startDate, "start");
  if (!start) throw invalid("startDate", "startDate must be an ISO 8601 date or date-time");
  if (start.getTime() > end.getTime()) throw invalid("startDate", "startDate must not be after endDate");
  return { start, end, accountId: input.accountId ?? null };
}

export const periodDto = (p: Period): AnalyticsPeriod => ({ startDate: p.start.toISOString(), endDate: p.end.toISOString() });

const DAY = 86_400_000;
const APPROX_BUCKET: Record<AnalyticsGroupBy, number> = { day: DAY, week: 7 * DAY, month: 28 * DAY };

/** The date_trunc unit and the step of a series; refuses periods with too many buckets. */
export function seriesUnit(p: Period, groupBy: AnalyticsGroupBy): { unit: Prisma.Sql; step: Prisma.Sql } {
  const buckets = Math.floor((p.end.getTime() - p.start.getTime()) / APPROX_BUCKET[groupBy]) + 2;
  if (buckets > MAX_SERIES_BUCKETS) throw invalid("groupBy", `the period spans more than ${MAX_SERIES_BUCKETS} ${groupBy}s: use a coarser groupBy or a shorter period`);
  // groupBy is one of the enum's values: safe to inline
  return { unit: Prisma.raw(`'${groupBy}'`), step: Prisma.raw(`interval '1 ${groupBy}'`) };
}

/** SQL condition: no account filter, or `column` is that account. */
export const accountFilter = (column: Prisma.Sql, accountId: string | null): Prisma.Sql =>
  accountId === null ? Prisma.sql`TRUE` : Prisma.sql`${column} = ${accountId}::uuid`;
