import { Prisma } from "@mkt-x/db";
import type { ScopedDb } from "../../scoped-db.ts";
import { formatDuration } from "../../../domain/format-duration.ts";
import { accountFilter, type Period } from "./period.ts";

/** Outbound DMs that answer nobody: campaign sends, test sends, opt-out confirmations. */
export const NOT_A_REPLY_ORIGINS = ["campaign", "test", "system"];

/**
 * The mean response time of the period, as the contact engagement measures it: a customer turn
 * starts at an inbound message that does not follow another inbound one; its response time runs to
 * the next reply (an outbound message from an agent, the bot, a flow or the X app; failed sends and
 * NOT_A_REPLY_ORIGINS are no reply) in the same conversation. Turns starting in
 * the period and answered by its end count; earlier messages of those conversations are read only to
 * know where turns start. null when none.
 */
export async function averageResponseTime(db: ScopedDb, merchantId: string, p: Period): Promise<string | null> {
  const rows = await db.$queryRaw<{ avg_seconds: number | null }[]>`
    WITH m AS (
      SELECT direction, created_at,
             lag(direction) OVER (PARTITION BY conversation_id ORDER BY created_at, id) AS previous_direction,
             min(created_at) FILTER (WHERE direction = 'outbound')
               OVER (PARTITION BY conversation_id ORDER BY created_at, id ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) AS next_reply_at
      FROM messages
      WHERE merchant_id = ${merchantId} AND ${accountFilter(Prisma.sql`account_id`, p.accountId)}
        AND created_at <= ${p.end}::timestamptz
        AND (direction = 'inbound' OR (direction = 'outbound' AND status <> 'failed' AND origin <> ALL(${NOT_A_REPLY_ORIGINS}::text[])))
        AND conversation_id IN (
          SELECT conversation_id FROM messages
          WHERE merchant_id = ${merchantId} AND direction = 'inbound' AND created_at >= ${p.start}::timestamptz AND created_at <= ${p.end}::timestamptz)
    )
    SELECT (avg(extract(epoch FROM next_reply_at - created_at))
              FILTER (WHERE direction = 'inbound' AND previous_direction IS DISTINCT FROM 'inbound' AND next_reply_at IS NOT NULL
                        AND created_at >= ${p.start}::timestamptz))::float8 AS avg_seconds
    FROM m`;
  const avg = rows[0]?.avg_seconds;
  return avg === null || avg === undefined ? null : formatDuration(avg);
}
