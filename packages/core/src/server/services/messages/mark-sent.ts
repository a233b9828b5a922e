// The one way a DM that X accepted is recorded, whoever learns of it first: the send pipeline from
// X's answer, or X's echo of the DM arriving before that answer was recorded. The message is sent
// with X's id, its campaign recipient is sent at the same moment (so a reply counts for the
// campaign), and clients hear message.updated, all in the caller's transaction.
import type { Tx } from "@mkt-x/db";
import { emitMessageEvents } from "../../events/emit-events.ts";

export interface AcceptedDm {
  /** our message id */
  id: string;
  /** X's DM event id */
  twitterMessageId: string;
}

/** Marks `items` sent at `sentAt` (a send already dated keeps its date). */
export async function markSent(tx: Tx, items: AcceptedDm[], sentAt: Date): Promise<void> {
  if (items.length === 0) return;
  const ids = items.map((a) => a.id);
  await tx.$executeRaw`
    UPDATE messages m SET status = 'sent', twitter_message_id = v.tid, sent_at = COALESCE(m.sent_at, ${sentAt}), lease_until = NULL, error = NULL, updated_at = now()
    FROM unnest(${ids}::uuid[], ${items.map((a) => a.twitterMessageId)}::text[]) AS v(id, tid)
    WHERE m.id = v.id`;
  await tx.$executeRaw`
    UPDATE campaign_recipients r SET status = 'sent', sent_at = m.sent_at
    FROM messages m WHERE m.id = r.message_id AND r.message_id = ANY(${ids}::uuid[])`;
  await emitMessageEvents(tx, "message.updated", ids);
}
