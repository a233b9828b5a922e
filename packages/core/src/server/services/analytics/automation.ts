import { Prisma } from "@mkt-x/db";
import type { ScopedDb } from "../../scoped-db.ts";
import type { AnalyticsAutomation, AnalyticsPeriodInput } from "../../../contract/analytics.ts";
import { accountFilter, periodDto, resolvePeriod } from "./period.ts";
import { flowsVisible } from "./overview.ts";

/**
 * Flows that are active now or ran in the period, with their executions started in the period by
 * status. Flows belong to no account: with accountId only that account's contacts' executions count
 * (and nothing when the account is not the merchant's).
 */
export async function getAnalyticsAutomation(db: ScopedDb, merchantId: string, input: AnalyticsPeriodInput): Promise<AnalyticsAutomation> {
  const p = resolvePeriod(input);
  const rows = await db.$queryRaw<{ id: string; name: string; status: string; executions: number; completed: number; failed: number; running: number; cancelled: number }[]>`
    WITH e AS (
      SELECT e.flow_id, count(*)::int AS executions,
             count(*) FILTER (WHERE e.status = 'completed')::int AS completed,
             count(*) FILTER (WHERE e.status = 'failed')::int AS failed,
             count(*) FILTER (WHERE e.status = 'running')::int AS running,
             count(*) FILTER (WHERE e.status = 'cancelled')::int AS cancelled
      FROM flow_executions e JOIN contacts ct ON ct.id = e.contact_id
      WHERE e.merchant_id = ${merchantId} AND ${accountFilter(Prisma.sql`ct.account_id`, p.accountId)}
        AND e.started_at >= ${p.start}::timestamptz AND e.started_at <= ${p.end}::timestamptz
      GROUP BY e.flow_id
    )
    SELECT f.id, f.name, f.status, COALESCE(e.executions, 0)::int AS executions, COALESCE(e.completed, 0)::int AS completed,
           COALESCE(e.failed, 0)::int AS failed, COALESCE(e.running, 0)::int AS running, COALESCE(e.cancelled, 0)::int AS cancelled
    FROM flows f LEFT JOIN e ON e.flow_id = f.id
    WHERE f.merchant_id = ${merchantId} AND ${flowsVisible(merchantId, p.accountId)} AND (f.status = 'active' OR e.flow_id IS NOT NULL)
    ORDER BY COALESCE(e.executions, 0) DESC, f.name, f.id`;
  return {
    period: periodDto(p),
    activeFlows: rows.filter((r) => r.status === "active").length,
    totalExecutions: rows.reduce((n, r) => n + r.executions, 0),
    flows: rows,
  };
}
