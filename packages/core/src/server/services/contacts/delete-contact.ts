import { notFound } from "../../../errors.ts";
import { isUuid } from "../../../contract/common.ts";
import type { ScopedDb } from "../../scoped-db.ts";

/**
 * GDPR erasure: the contact and everything about the person. The foreign keys cascade to their
 * conversations, messages, campaign recipients, flow executions and AI sessions; short links made
 * for their campaign deliveries and the raw X events of this merchant's account that name them are
 * deleted here (webhook_events.user_ids, kept by the database, names every X user id an event
 * holds). Afterwards nothing links a later DM from them to the past: it starts afresh.
 */
export async function deleteContact(db: ScopedDb, opts: { merchantId: string; contactId: string }): Promise<null> {
  if (!isUuid(opts.contactId)) throw notFound("Contact", opts.contactId);
  await db.$transaction(async (tx) => {
    const contact = await tx.contact.findFirst({
      where: { id: opts.contactId },
      select: { id: true, accountId: true, twitterUserId: true, account: { select: { twitterUserId: true } } },
    });
    if (!contact) throw notFound("Contact", opts.contactId);
    // events of this merchant's account (stamped by the worker, or still unrouted but addressed to
    // it) that name the person: found through the GIN index on the ids each event names
    await tx.$executeRaw`
      DELETE FROM webhook_events
      WHERE user_ids @> ARRAY[${contact.twitterUserId}::text]
        AND (merchant_id IS NULL OR merchant_id = ${opts.merchantId})
        AND (account_id IS NULL OR account_id = ${contact.accountId}::uuid)
        AND (account_id = ${contact.accountId}::uuid OR for_user_id = ${contact.account.twitterUserId} OR user_ids @> ARRAY[${contact.account.twitterUserId}::text])`;
    await tx.$executeRaw`
      DELETE FROM short_links
      WHERE merchant_id = ${opts.merchantId}
        AND recipient_id IN (SELECT id FROM campaign_recipients WHERE merchant_id = ${opts.merchantId} AND contact_id = ${contact.id}::uuid)`;
    await tx.contact.deleteMany({ where: { id: contact.id } });
    // X still holds their DMs: the catch-up must not read them back (inbound/catch-up-dms.ts)
    await tx.$executeRaw`UPDATE x_accounts SET catchup_not_before = now() WHERE id = ${contact.accountId}::uuid AND merchant_id = ${opts.merchantId}`;
  });
  return null;
}
