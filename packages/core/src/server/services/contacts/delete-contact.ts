import { Prisma } from "@mkt-x/db";
import { notFound } from "../../../errors.ts";
import { isUuid } from "../../../contract/common.ts";
import type { ScopedDb } from "../../scoped-db.ts";

/**
 * A key of an X payload that names a user: `id`, `id_str` or any `*_id` (sender_id, recipient_id,
 * participant_id, user_id, …), at any depth — this covers the Account Activity API (message_create,
 * follow source/target, read receipts, the users map) and the X Activity API envelopes alike.
 */
const MENTIONS_USER = 'lax $.** ? (@.type() == "object").keyvalue() ? (@.key like_regex "^(id|id_str|[a-z_]*_id)$" && (@.value == $uid || @.value == $uidn))';

/**
 * GDPR erasure: the contact and everything about the person. The foreign keys cascade to their
 * conversations, messages, campaign recipients, flow executions and AI sessions; short links made
 * for their campaign deliveries and the raw X events of this merchant's account that name them are
 * deleted here. Afterwards nothing links a later DM from them to the past: it starts afresh.
 */
export async function deleteContact(db: ScopedDb, opts: { merchantId: string; contactId: string }): Promise<null> {
  if (!isUuid(opts.contactId)) throw notFound("Contact", opts.contactId);
  await db.$transaction(async (tx) => {
    const contact = await tx.contact.findFirst({
      where: { id: opts.contactId },
      select: { id: true, accountId: true, twitterUserId: true, account: { select: { twitterUserId: true } } },
    });
    if (!contact) throw notFound("Contact", opts.contactId);
    // events of this merchant's account (stamped by the worker, or still unrouted but addressed to it)
    await tx.$executeRaw`
      DELETE FROM webhook_events
      WHERE (merchant_id IS NULL OR merchant_id = ${opts.merchantId})
        AND (account_id IS NULL OR account_id = ${contact.accountId}::uuid)
        AND (account_id = ${contact.accountId}::uuid OR for_user_id = ${contact.account.twitterUserId}
             OR jsonb_path_exists(payload, ${MENTIONS_USER}::jsonpath, ${userVars(contact.account.twitterUserId)}))
        AND jsonb_path_exists(payload, ${MENTIONS_USER}::jsonpath, ${userVars(contact.twitterUserId)})`;
    await tx.$executeRaw`
      DELETE FROM short_links
      WHERE merchant_id = ${opts.merchantId}
        AND recipient_id IN (SELECT id FROM campaign_recipients WHERE merchant_id = ${opts.merchantId} AND contact_id = ${contact.id}::uuid)`;
    await tx.contact.deleteMany({ where: { id: contact.id } });
  });
  return null;
}

/**
 * jsonpath variables for an X user id: as a string, and as an exact JSON number when numeric (the
 * cast cannot fail even if the planner folds it ahead of the CASE).
 */
const userVars = (twitterUserId: string) =>
  Prisma.sql`jsonb_build_object('uid', ${twitterUserId}::text, 'uidn', CASE WHEN ${twitterUserId}::text ~ '^[0-9]{1,30}$' THEN ('0' || regexp_replace(${twitterUserId}::text, '[^0-9]', '', 'g'))::numeric ELSE -1 END)`;
