// What every path that writes messages does to conversations, in one place: opening a contact's
// conversation (counted on the contact) and counting messages in theirs (with the last message time).

import type { Tx } from "@mkt-x/db";
import { emitConversationEvents } from "../../events/emit-events.ts";

/**
 * The open DM conversation of each contact (mention threads aside), started (on the contact's account, counted in its
 * conversationCount) where there is none; a closed conversation is not reopened.
 */
export async function openConversations(tx: Tx, opts: { merchantId: string; contactIds: string[]; at: Date }): Promise<Map<string, string>> {
  if (opts.contactIds.length === 0) return new Map();
  const created = await tx.$queryRaw<{ id: string }[]>`
    WITH created AS (
      INSERT INTO conversations (merchant_id, account_id, contact_id, status, started_at)
      SELECT ${opts.merchantId}, c.account_id, c.id, 'open', ${opts.at} FROM contacts c
      WHERE c.id = ANY(${opts.contactIds}::uuid[]) AND c.merchant_id = ${opts.merchantId}
      ON CONFLICT (contact_id) WHERE status = 'open' AND channel = 'direct_message' DO NOTHING
      RETURNING id, contact_id),
    counted AS (UPDATE contacts SET conversation_count = conversation_count + 1 WHERE id IN (SELECT contact_id FROM created))
    SELECT id::text AS id FROM created`;
  // one event per new conversation, one statement for the batch (nothing when none was new)
  await emitConversationEvents(tx, "conversation.created", created.map((c) => c.id));
  const open = await tx.$queryRaw<{ id: string; contact_id: string }[]>`
    SELECT id, contact_id FROM conversations WHERE contact_id = ANY(${opts.contactIds}::uuid[]) AND merchant_id = ${opts.merchantId} AND status = 'open' AND channel = 'direct_message'`;
  return new Map(open.map((c) => [c.contact_id, c.id]));
}

/** New messages count in their conversations and move the last message time forward (never back). */
export async function countMessagesIn(tx: Tx, messages: ReadonlyArray<{ conversationId: string; at: Date }>): Promise<void> {
  if (messages.length === 0) return;
  await tx.$executeRaw`
    UPDATE conversations c
    SET message_count = c.message_count + v.n, last_message_at = GREATEST(COALESCE(c.last_message_at, v.at), v.at), updated_at = now()
    FROM (SELECT id, count(*)::int AS n, max(at) AS at
          FROM unnest(${messages.map((m) => m.conversationId)}::uuid[], ${messages.map((m) => m.at)}::timestamptz[]) AS u(id, at)
          GROUP BY id) v
    WHERE c.id = v.id`;
}
