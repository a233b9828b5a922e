import type { Tx } from "@mkt-x/db";
import { notFound } from "../../../errors.ts";
import { isUuid } from "../../../contract/common.ts";
import type { ContactDetails } from "../../../contract/contacts.ts";
import { formatDuration } from "../../../domain/format-duration.ts";
import type { ScopedDb } from "../../scoped-db.ts";
import { CONTACT_SELECTION, toContactDto } from "./contact-dto.ts";
import { NOT_A_REPLY_ORIGINS } from "../analytics/response-time.ts";

type RawDb = Pick<Tx, "$queryRaw">;

export async function getContact(db: ScopedDb, opts: { merchantId: string; contactId: string }): Promise<ContactDetails> {
  if (!isUuid(opts.contactId)) throw notFound("Contact", opts.contactId);
  const contact = await db.contact.findFirst({ where: { id: opts.contactId }, include: CONTACT_SELECTION });
  if (!contact) throw notFound("Contact", opts.contactId);
  return { ...toContactDto(contact), ...consentOf(contact), engagement: await contactEngagement(db, { merchantId: opts.merchantId, contactId: contact.id }) };
}

/** The consent state GET /contacts/{id} (and its live events) show beside the contact. */
export const consentOf = (c: { consentAt: Date | null; optedOutAt: Date | null }) => ({ consentAt: c.consentAt?.toISOString() ?? null, optedOutAt: c.optedOutAt?.toISOString() ?? null });

/**
 * Message counts and the average response time, in one pass over the contact's messages.
 * A customer turn starts at an inbound message that does not follow another inbound one; its
 * response time runs to the next reply in the same conversation (campaign and test sends and
 * opt-out confirmations are no reply, see NOT_A_REPLY_ORIGINS). Failed sends are no reply (and are
 * not counted as sent). Turns still waiting for a reply do not count.
 */
export async function contactEngagement(db: RawDb, opts: { merchantId: string; contactId: string }): Promise<ContactDetails["engagement"]> {
  const rows = await db.$queryRaw<{ sent: number; received: number; avg_seconds: number | null }[]>`
    WITH m AS (
      SELECT direction, created_at,
             lag(direction) OVER (PARTITION BY conversation_id ORDER BY created_at, id) AS previous_direction,
             min(created_at) FILTER (WHERE direction = 'outbound' AND origin <> ALL(${NOT_A_REPLY_ORIGINS}::text[]))
               OVER (PARTITION BY conversation_id ORDER BY created_at, id ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) AS next_reply_at
      FROM messages
      WHERE merchant_id = ${opts.merchantId} AND contact_id = ${opts.contactId}::uuid
        AND (direction = 'inbound' OR (direction = 'outbound' AND status <> 'failed'))
    )
    SELECT count(*) FILTER (WHERE direction = 'outbound')::int AS sent,
           count(*) FILTER (WHERE direction = 'inbound')::int AS received,
           (avg(extract(epoch FROM next_reply_at - created_at))
              FILTER (WHERE direction = 'inbound' AND previous_direction IS DISTINCT FROM 'inbound' AND next_reply_at IS NOT NULL))::float8 AS avg_seconds
    FROM m`;
  const row = rows[0];
  return {
    messagesSent: row?.sent ?? 0,
    messagesReceived: row?.received ?? 0,
    averageResponseTime: row?.avg_seconds === null || row?.avg_seconds === undefined ? null : formatDuration(row.avg_seconds),
  };
}
