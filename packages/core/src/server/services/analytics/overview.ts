import { Prisma } from "@mkt-x/db";
import type { ScopedDb } from "../../scoped-db.ts";
import type { AnalyticsOverview, AnalyticsOverviewInput } from "../../../contract/analytics.ts";
import { accountFilter, periodDto, resolvePeriod, type Period } from "./period.ts";
import { averageResponseTime } from "./response-time.ts";

interface CountsRow {
  contacts_total: number;
  contacts_new: number;
  contacts_active: number;
  conversations_total: number;
  conversations_open: number;
  conversations_closed: number;
  campaigns_active: number;
  campaigns_completed: number;
  campaign_messages_sent: number;
  active_flows: number;
  executions: number;
}

/**
 * Flows belong to no account: with accountId, flows count only when the account is the merchant's,
 * and executions only for that account's contacts.
 */
export const flowsVisible = (merchantId: string, accountId: string | null): Prisma.Sql =>
  accountId === null ? Prisma.sql`TRUE` : Prisma.sql`EXISTS (SELECT 1 FROM x_accounts a WHERE a.id = ${accountId}::uuid AND a.merchant_id = ${merchantId})`;

export async function overviewCounts(db: ScopedDb, merchantId: string, p: Period): Promise<CountsRow> {
  const start = Prisma.sql`${p.start}::timestamptz`;
  const end = Prisma.sql`${p.end}::timestamptz`;
  const rows = await db.$queryRaw<CountsRow[]>`
    SELECT c.*, v.*, k.*, f.*,
      (SELECT count(*)::int FROM messages m
        WHERE m.merchant_id = ${merchantId} AND ${accountFilter(Prisma.sql`m.account_id`, p.accountId)}
          AND m.campaign_id IS NOT NULL AND m.status = 'sent' AND m.sent_at >= ${start} AND m.sent_at <= ${end}) AS campaign_messages_sent,
      (SELECT count(*)::int FROM flow_executions e JOIN contacts ct ON ct.id = e.contact_id
        WHERE e.merchant_id = ${merchantId} AND ${accountFilter(Prisma.sql`ct.account_id`, p.accountId)}
          AND e.started_at >= ${start} AND e.started_at <= ${end}) AS executions
    FROM (SELECT count(*) FILTER (WHERE created_at <= ${end})::int AS contacts_total,
                 count(*) FILTER (WHERE created_at >= ${start} AND created_at <= ${end})::int AS contacts_new,
                 count(*) FILTER (WHERE last_interaction_at >= ${start} AND last_interaction_at <= ${end})::int AS contacts_active
          FROM contacts WHERE merchant_id = ${merchantId} AND ${accountFilter(Prisma.sql`account_id`, p.accountId)}) c,
         (SELECT count(*)::int AS conversations_total,
                 count(*) FILTER (WHERE status = 'open')::int AS conversations_open,
                 count(*) FILTER (WHERE status = 'closed')::int AS conversations_closed
          FROM conversations WHERE merchant_id = ${merchantId} AND ${accountFilter(Prisma.sql`account_id`, p.accountId)}
            AND started_at >= ${start} AND started_at <= ${end}) v,
         (SELECT count(*) FILTER (WHERE status IN ('running', 'scheduled', 'paused'))::int AS campaigns_active,
                 count(*) FILTER (WHERE status = 'completed' AND completed_at >= ${start} AND completed_at <= ${end})::int AS campaigns_completed
          FROM campaigns WHERE merchant_id = ${merchantId} AND ${accountFilter(Prisma.sql`account_id`, p.accountId)}) k,
         (SELECT count(*)::int AS active_flows FROM flows
          WHERE merchant_id = ${merchantId} AND status = 'active' AND ${flowsVisible(merchantId, p.accountId)}) f`;
  const row = rows[0];
  if (!row) throw new Error("overview query returned no row");
  return row;
}

/**
 * The dashboard. contacts.total = created by endDate, new = created in the period, active = last
 * interaction in the period; conversations started in the period (open/closed: their status now);
 * campaigns.active = running, scheduled or paused now, completed = completed in the period;
 * totalMessagesSent = campaign DMs sent in the period; activeFlows now, executions started in the period.
 */
export async function getAnalyticsOverview(db: ScopedDb, merchantId: string, input: AnalyticsOverviewInput): Promise<AnalyticsOverview> {
  const p = resolvePeriod(input);
  const [r, avg] = await Promise.all([overviewCounts(db, merchantId, p), averageResponseTime(db, merchantId, p)]);
  return {
    period: periodDto(p),
    contacts: { total: r.contacts_total, new: r.contacts_new, active: r.contacts_active },
    conversations: { total: r.conversations_total, open: r.conversations_open, closed: r.conversations_closed, averageResponseTime: avg },
    campaigns: { active: r.campaigns_active, completed: r.campaigns_completed, totalMessagesSent: r.campaign_messages_sent },
    automation: { activeFlows: r.active_flows, totalExecutions: r.executions },
  };
}
