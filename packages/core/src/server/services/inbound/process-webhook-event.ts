// Applies one stored X event: contacts, conversations and messages from DMs, followers, read
// receipts, opt-out keywords. Everything an event does happens in one transaction together with
// marking the event processed, so a replayed job or a second delivery has its effects once.
import type { Db, Tx, XAccountModel } from "@mkt-x/db";
import { z } from "zod";
import { QuickReply } from "../../../contract/templates.ts";
import { matchQuickReply, type QuickReplyChoice } from "../../../domain/compose-dm.ts";
import type { JobQueue } from "../../jobs/queue.ts";
import { enqueueOutboundMessage } from "../messages/enqueue-outbound-message.ts";
import { markSent } from "../messages/mark-sent.ts";
import { countMessagesIn, openConversations } from "../conversations/conversation-rows.ts";
import { optKeyword, OPT_IN_CONFIRMATION, OPT_OUT_CONFIRMATION } from "../../../domain/opt-out.ts";
import { parseEvent, type InboundEvent, type InboundMedia, type XUserInfo } from "./parse-event.ts";
import { emitContactEvents, emitConversationEvents, emitMessageEvents } from "../../events/emit-events.ts";
import { recordEvent, recordEvents } from "../../events/record-event.ts";
import { revokeAccount } from "../accounts/revocation.ts";

export interface InboundDeps {
  db: Db;
  queue: JobQueue;
}

export type ProcessOutcome = { status: "processed"; effect: string } | { status: "skipped"; reason: string } | { status: "already"; previous: string };

export async function processWebhookEvent(deps: InboundDeps, webhookEventId: string): Promise<ProcessOutcome> {
  return deps.db.$transaction(
    async (tx) => {
      // the row lock makes two workers holding the same event take turns; the second sees it done
      const rows = await tx.$queryRaw<{ id: string; kind: string; payload: unknown; for_user_id: string | null; status: string }[]>`
        SELECT id, kind, payload, for_user_id, status FROM webhook_events WHERE id = ${webhookEventId}::uuid FOR UPDATE`;
      const row = rows[0];
      if (!row) return { status: "skipped" as const, reason: "no such event" };
      if (row.status === "processed" || row.status === "skipped") return { status: "already" as const, previous: row.status };

      const event = parseEvent(row.kind, row.payload, row.for_user_id);
      const result = await apply(tx, deps.queue, event);
      await tx.webhookEvent.update({
        where: { id: row.id },
        data: {
          status: result.status,
          processedAt: new Date(),
          skipReason: result.status === "skipped" ? result.reason : null,
          ...(result.account ? { merchantId: result.account.merchantId, accountId: result.account.id } : {}),
        },
      });
      return result.status === "processed" ? { status: "processed" as const, effect: result.effect } : { status: "skipped" as const, reason: result.reason };
    },
    { timeout: 20_000 },
  );
}

type Applied = ({ status: "processed"; effect: string } | { status: "skipped"; reason: string }) & { account?: XAccountModel };

async function apply(tx: Tx, queue: JobQueue, event: InboundEvent): Promise<Applied> {
  if (event.type === "ignored") return { status: "skipped", reason: event.reason };
  if (event.type === "mention") {
    // a post names the account it was delivered for (AAA for_user_id, XAA filter.user_id)
    const account = await findAccount(tx, [event.forUserId]);
    if (!account) return { status: "skipped", reason: `no connected account for X user ${event.forUserId ?? "(none)"}` };
    return { ...(event.byAccount ? await applyOwnPost(tx, account, event) : await applyMention(tx, queue, account, event)), account };
  }
  if (event.type === "revoke") {
    const account = await findAccount(tx, [event.userId]);
    if (!account) return { status: "skipped", reason: `no connected account for X user ${event.userId}` };
    const outcome = await revokeAccount(tx, { accountId: account.id, reason: "X revoked the app's authorization for this account; reconnect it", now: event.at });
    if (!outcome.revoked) return { status: "processed", effect: "account already revoked", account };
    return { status: "processed", effect: `account revoked: ${outcome.pausedCampaignIds.length} campaign(s) and ${outcome.pausedFlowIds.length} flow(s) paused`, account };
  }
  const candidates = event.type === "dm" ? [event.forUserId, event.recipientId, event.senderId] : event.type === "follow" ? [event.forUserId, event.followedId] : [event.forUserId, event.accountUserId];
  const account = await findAccount(tx, candidates);
  if (!account) return { status: "skipped", reason: `no connected account for X user ${candidates.filter(Boolean).join(" or ")}` };

  if (event.type === "dm") {
    if (event.senderId === account.twitterUserId) return { ...(await applyOutboundEcho(tx, account, event)), account };
    if (event.recipientId !== account.twitterUserId) return { status: "skipped", reason: "direct message does not involve the account", account };
    return { ...(await applyInboundDm(tx, queue, account, event)), account };
  }
  if (event.type === "follow") {
    if (event.followedId !== account.twitterUserId) return { status: "skipped", reason: "follow of another user", account };
    const { id: contactId, inserted } = await upsertContact(tx, account, event.users.get(event.followerId) ?? { id: event.followerId, username: null, name: null, profileImageUrl: null }, { at: event.at, source: "new_follower", consent: false });
    await emitContactEvents(tx, inserted ? "contact.created" : "contact.updated", [contactId]);
    await queue.send("domain.event", { type: "new_follower", merchantId: account.merchantId, accountId: account.id, contactId }, { tx });
    return { status: "processed", effect: "follower recorded", account };
  }
  if (event.type === "typing") {
    if (event.accountUserId !== account.twitterUserId || event.senderId === account.twitterUserId) return { status: "skipped", reason: "typing indicator not from a person to the account", account };
    const conversation = await latestDmConversation(tx, account, event.senderId);
    if (!conversation) return { status: "skipped", reason: "typing indicator from someone without a conversation", account };
    // nothing is stored: the inbox shows it while it is fresh (`at` says how fresh)
    await recordEvent(tx, { merchantId: account.merchantId, type: "conversation.typing", data: { conversationId: conversation.conversationId, contactId: conversation.contactId, at: event.at.toISOString() } });
    return { status: "processed", effect: "typing indicator", account };
  }
  // read receipt: our outbound DMs to the reader up to the last read event are read now
  const read = await tx.$queryRaw<{ id: string; conversation_id: string; contact_id: string }[]>`
    UPDATE messages m SET read_at = ${event.at}, updated_at = now()
    FROM contacts c
    WHERE c.account_id = ${account.id}::uuid AND c.twitter_user_id = ${event.readerId}
      AND m.contact_id = c.id AND m.direction = 'outbound' AND m.read_at IS NULL
      AND m.twitter_message_id IS NOT NULL AND m.twitter_message_id ~ '^[0-9]+$'
      AND m.twitter_message_id::numeric <= ${event.lastReadEventId}::numeric
    RETURNING m.id::text AS id, m.conversation_id::text AS conversation_id, m.contact_id::text AS contact_id`;
  await emitMessageEvents(tx, "message.updated", read.map((m) => m.id));
  // conversation.read per conversation whose messages it read; a receipt that changed nothing
  // (read again, or only the X app's DMs) still tells the inbox the person has seen the thread
  const byConversation = new Map<string, { contactId: string; messageIds: string[] }>();
  for (const m of read) {
    const entry = byConversation.get(m.conversation_id) ?? { contactId: m.contact_id, messageIds: [] };
    entry.messageIds.push(m.id);
    byConversation.set(m.conversation_id, entry);
  }
  if (byConversation.size === 0) {
    const latest = await latestDmConversation(tx, account, event.readerId);
    if (latest) byConversation.set(latest.conversationId, { contactId: latest.contactId, messageIds: [] });
  }
  await recordEvents(
    tx,
    [...byConversation].map(([conversationId, r]) => ({
      merchantId: account.merchantId,
      type: "conversation.read" as const,
      data: { conversationId, contactId: r.contactId, lastReadEventId: event.lastReadEventId, messageIds: r.messageIds, at: event.at.toISOString() },
    })),
  );
  return { status: "processed", effect: `${read.length} message(s) read`, account };
}

/** The person's DM conversation with the account: the open one, else the latest. */
async function latestDmConversation(tx: Tx, account: XAccountModel, xUserId: string): Promise<{ conversationId: string; contactId: string } | null> {
  const rows = await tx.$queryRaw<{ conversation_id: string; contact_id: string }[]>`
    SELECT c.id::text AS conversation_id, k.id::text AS contact_id
    FROM contacts k JOIN conversations c ON c.contact_id = k.id
    WHERE k.merchant_id = ${account.merchantId} AND k.account_id = ${account.id}::uuid AND k.twitter_user_id = ${xUserId}
      AND c.merchant_id = ${account.merchantId} AND c.channel = 'direct_message'
    ORDER BY (c.status = 'open') DESC, c.last_message_at DESC NULLS LAST, c.started_at DESC
    LIMIT 1`;
  const row = rows[0];
  return row ? { conversationId: row.conversation_id, contactId: row.contact_id } : null;
}

async function findAccount(tx: Tx, xUserIds: (string | null)[]): Promise<XAccountModel | null> {
  for (const id of xUserIds) {
    if (!id) continue;
    const account = await tx.xAccount.findFirst({ where: { twitterUserId: id, status: { not: "inactive" } } });
    if (account) return account;
  }
  return null;
}

/** The contact's id, and whether this made it (xmax = 0: the row is this statement's insert). */
async function upsertContact(tx: Tx, account: XAccountModel, user: XUserInfo, opts: { at: Date; source: string; consent: boolean }): Promise<{ id: string; inserted: boolean }> {
  const consentAt = opts.consent ? opts.at : null;
  const rows = await tx.$queryRaw<{ id: string; inserted: boolean }[]>`
    INSERT INTO contacts (merchant_id, account_id, twitter_user_id, username, display_name, profile_image_url, source, first_interaction_at, last_interaction_at, consent_at)
    VALUES (${account.merchantId}, ${account.id}::uuid, ${user.id}, ${user.username}, ${user.name}, ${user.profileImageUrl}, ${opts.source}, ${opts.at}, ${opts.at}, ${consentAt})
    ON CONFLICT (account_id, twitter_user_id) DO UPDATE SET
      username = COALESCE(EXCLUDED.username, contacts.username),
      -- X fills a missing name; a name the contact has (perhaps the merchant's edit) is kept
      display_name = COALESCE(contacts.display_name, EXCLUDED.display_name),
      profile_image_url = COALESCE(EXCLUDED.profile_image_url, contacts.profile_image_url),
      first_interaction_at = LEAST(contacts.first_interaction_at, EXCLUDED.first_interaction_at),
      last_interaction_at = GREATEST(contacts.last_interaction_at, EXCLUDED.last_interaction_at),
      consent_at = COALESCE(contacts.consent_at, EXCLUDED.consent_at),
      updated_at = now()
    RETURNING id, (xmax = 0) AS inserted`;
  const row = rows[0];
  if (!row) throw new Error("contact upsert returned nothing");
  return row;
}

/** The open conversation of the contact, or a new one (a closed conversation is not reopened). */
async function openConversation(tx: Tx, account: XAccountModel, contactId: string, at: Date): Promise<string> {
  const id = (await openConversations(tx, { merchantId: account.merchantId, contactIds: [contactId], at })).get(contactId);
  if (!id) throw new Error("open conversation vanished");
  return id;
}

async function insertMessage(
  tx: Tx,
  account: XAccountModel,
  m: { conversationId: string; contactId: string; direction: "inbound" | "outbound"; text: string; eventId: string; at: Date; origin: string; status: string; metadata?: object | null; media?: InboundMedia | null },
): Promise<string | null> {
  const metadata = m.metadata ? JSON.stringify(m.metadata) : null;
  const attachments = JSON.stringify(m.media ? [{ type: m.media.type, url: m.media.url }] : []);
  const inserted = await tx.$queryRaw<{ id: string }[]>`
    INSERT INTO messages (merchant_id, account_id, conversation_id, contact_id, direction, content, attachments, metadata, origin, status, twitter_message_id, created_at, sent_at)
    VALUES (${account.merchantId}, ${account.id}::uuid, ${m.conversationId}::uuid, ${m.contactId}::uuid, ${m.direction}, ${m.text}, ${attachments}::jsonb, ${metadata}::jsonb, ${m.origin}, ${m.status}, ${m.eventId}, ${m.at}, ${m.direction === "outbound" ? m.at : null})
    ON CONFLICT (account_id, twitter_message_id) DO NOTHING
    RETURNING id`;
  const id = inserted[0]?.id;
  if (!id) return null;
  await countMessagesIn(tx, [{ conversationId: m.conversationId, at: m.at }]);
  await emitMessageEvents(tx, "message.created", [id]);
  return id;
}

async function applyInboundDm(tx: Tx, queue: JobQueue, account: XAccountModel, e: Extract<InboundEvent, { type: "dm" }>): Promise<Applied> {
  const user = e.users.get(e.senderId) ?? { id: e.senderId, username: null, name: null, profileImageUrl: null };
  // they wrote first: consent for automated DMs
  const { id: contactId, inserted } = await upsertContact(tx, account, user, { at: e.at, source: "inbound_message", consent: true });
  if (inserted) await emitContactEvents(tx, "contact.created", [contactId]);
  const conversationId = await openConversation(tx, account, contactId, e.at);
  const choice = await quickReplyChoice(tx, account, conversationId, e);
  const stored = await insertMessage(tx, account, {
    conversationId,
    contactId,
    direction: "inbound",
    text: e.text,
    eventId: e.eventId,
    at: e.at,
    origin: "customer",
    status: "received",
    metadata: choice ? { quickReplyResponse: choice } : null,
    media: e.media,
  });
  if (stored === null) return { status: "processed", effect: "message already recorded" };
  // a reply within 72 hours of a campaign DM counts for that campaign
  await tx.$executeRaw`
    UPDATE campaign_recipients SET replied_at = ${e.at}
    WHERE contact_id = ${contactId}::uuid AND replied_at IS NULL AND sent_at IS NOT NULL
      AND sent_at <= ${e.at} AND sent_at > ${e.at}::timestamptz - interval '72 hours'`;

  const keyword = optKeyword(e.text);
  if (keyword) {
    const optOut = keyword === "stop";
    const changed = await tx.$executeRaw`
      UPDATE contacts SET opted_out = ${optOut}, opted_out_at = ${optOut ? e.at : null}, updated_at = now()
      WHERE id = ${contactId}::uuid AND opted_out <> ${optOut}`;
    if (changed) await emitContactEvents(tx, "contact.updated", [contactId]);
    // one confirmation per keyword message; not automated: it answers the person's own request
    await enqueueOutboundMessage(tx, queue, {
      merchantId: account.merchantId,
      accountId: account.id,
      conversationId,
      contactId,
      content: optOut ? OPT_OUT_CONFIRMATION : OPT_IN_CONFIRMATION,
      origin: "system",
      automated: false,
      idempotencyKey: `opt:${e.eventId}`,
    });
    return { status: "processed", effect: optOut ? (changed ? "opted out" : "already opted out") : changed ? "opted in" : "already opted in" };
  }
  if (await automationLoop(tx, e.senderId, conversationId)) return { status: "processed", effect: "inbound message stored; automation held: another connected account's automated DMs and ours answer each other (loop)" };
  // the message itself travels with the event: flows match the DM that triggered them, not a later one
  await queue.send("domain.event", { type: "message_received", merchantId: account.merchantId, accountId: account.id, contactId, conversationId, messageId: stored }, { tx });
  return { status: "processed", effect: "inbound message stored" };
}

/** Automated DMs (flows, the bot) this conversation may send to another connected account within an hour. */
export const LOOP_AUTOMATED_PER_HOUR = 3;

/**
 * Two connected accounts whose keyword-less flows or bots answer every DM would answer each other
 * for ever. When the sender is itself a connected account (of any merchant: the service sends its
 * DMs too) and this conversation already sent it LOOP_AUTOMATED_PER_HOUR automated DMs in the last
 * hour, its DMs raise no automation: the messages are kept for people to read and answer.
 */
async function automationLoop(tx: Tx, senderId: string, conversationId: string): Promise<boolean> {
  const rows = await tx.$queryRaw<{ loop: boolean }[]>`
    SELECT CASE WHEN EXISTS (SELECT 1 FROM x_accounts WHERE twitter_user_id = ${senderId} AND status = 'active')
      -- counted only for a sender that is one of ours (customers never pay for this count)
      THEN (SELECT count(*) FROM messages WHERE conversation_id = ${conversationId}::uuid AND direction = 'outbound' AND automated
              AND created_at > now() - interval '1 hour') >= ${LOOP_AUTOMATED_PER_HOUR}
      ELSE false END AS loop`;
  return rows[0]?.loop === true;
}

// answers to a quick reply are a number or a label: longer texts are not looked at
const MAX_QUICK_REPLY_ANSWER_CHARS = 100;
const OfferedQuickReplies = z.object({ quickReplies: z.array(QuickReply) });

/** The option of our latest DM in the conversation that this answer chose, if that DM offered quick replies. */
async function quickReplyChoice(tx: Tx, account: XAccountModel, conversationId: string, e: Extract<InboundEvent, { type: "dm" }>): Promise<QuickReplyChoice | null> {
  if (e.quickReplyMetadata === null && e.text.length > MAX_QUICK_REPLY_ANSWER_CHARS) return null;
  const rows = await tx.$queryRaw<{ metadata: unknown }[]>`
    SELECT metadata FROM messages
    WHERE merchant_id = ${account.merchantId} AND conversation_id = ${conversationId}::uuid AND direction = 'outbound' AND status <> 'failed' AND created_at <= ${e.at}
    ORDER BY created_at DESC LIMIT 1`;
  const offered = OfferedQuickReplies.safeParse(rows[0]?.metadata);
  return offered.success ? matchQuickReply(e.text, offered.data.quickReplies, e.quickReplyMetadata) : null;
}

/**
 * A DM sent by the account itself: the echo of one of ours (X sends those too) or one written in
 * the X app. Never a customer message; sender and recipient stay as they are.
 */
async function applyOutboundEcho(tx: Tx, account: XAccountModel, e: Extract<InboundEvent, { type: "dm" }>): Promise<Applied> {
  const known = await tx.message.findUnique({ where: { accountId_twitterMessageId: { accountId: account.id, twitterMessageId: e.eventId } }, select: { id: true } });
  if (known) return { status: "processed", effect: "echo of a recorded message" };
  const user = e.users.get(e.recipientId) ?? { id: e.recipientId, username: null, name: null, profileImageUrl: null };
  const { id: contactId, inserted } = await upsertContact(tx, account, user, { at: e.at, source: "outbound_message", consent: false });
  if (inserted) await emitContactEvents(tx, "contact.created", [contactId]);
  // ours, still in flight (the pipeline has not recorded X's answer yet): this echo settles it
  const pending = await tx.$queryRaw<{ id: string }[]>`
    SELECT id FROM messages WHERE contact_id = ${contactId}::uuid AND direction = 'outbound' AND status = 'sending'
      AND twitter_message_id IS NULL AND content = ${e.text}
    ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED`;
  if (pending[0]) {
    await markSent(tx, [{ id: pending[0].id, twitterMessageId: e.eventId }], e.at);
    return { status: "processed", effect: "echo settled an outbound message" };
  }
  const conversationId = await openConversation(tx, account, contactId, e.at);
  await insertMessage(tx, account, { conversationId, contactId, direction: "outbound", text: e.text, eventId: e.eventId, at: e.at, origin: "x_app", status: "sent", media: e.media });
  return { status: "processed", effect: "outbound DM from the X app recorded" };
}

type MentionEvent = Extract<InboundEvent, { type: "mention" }>;

/**
 * A post that mentions the account or replies to it: a conversation of channel `mention`, one per
 * thread (X's conversation_id), holding everyone's posts in it (each message with its author as
 * contact; the conversation shows the person who posted first); a new post in a closed thread
 * reopens it. Writing in public is no consent to DMs: the contact's consent is left as it is.
 */
async function applyMention(tx: Tx, queue: JobQueue, account: XAccountModel, e: MentionEvent): Promise<Applied> {
  const user = e.users.get(e.authorId) ?? { id: e.authorId, username: null, name: null, profileImageUrl: null };
  const { id: contactId, inserted } = await upsertContact(tx, account, user, { at: e.at, source: "mention", consent: false });
  if (inserted) await emitContactEvents(tx, "contact.created", [contactId]);
  const threadId = await threadOf(tx, account, e);
  const created = await tx.$queryRaw<{ id: string }[]>`
    WITH created AS (
      INSERT INTO conversations (merchant_id, account_id, contact_id, status, channel, thread_id, post_url, started_at)
      VALUES (${account.merchantId}, ${account.id}::uuid, ${contactId}::uuid, 'open', 'mention', ${threadId}, ${e.url}, ${e.at})
      ON CONFLICT (account_id, thread_id) WHERE channel = 'mention' DO NOTHING
      RETURNING id, contact_id),
    counted AS (UPDATE contacts SET conversation_count = conversation_count + 1 WHERE id IN (SELECT contact_id FROM created))
    SELECT id::text AS id FROM created`;
  let conversationId = created[0]?.id;
  if (conversationId) await emitConversationEvents(tx, "conversation.created", [conversationId]);
  else {
    const existing = await tx.conversation.findFirst({ where: { merchantId: account.merchantId, accountId: account.id, channel: "mention", threadId }, select: { id: true } });
    if (!existing) throw new Error("mention conversation vanished");
    conversationId = existing.id;
  }
  const stored = await insertMessage(tx, account, { conversationId, contactId, direction: "inbound", text: e.text, eventId: e.postId, at: e.at, origin: "customer", status: "received" });
  if (stored === null) return { status: "processed", effect: "post already recorded" };
  const reopened = await tx.conversation.updateMany({ where: { id: conversationId, status: "closed" }, data: { status: "open", closedAt: null, closeReason: null } });
  if (reopened.count > 0) await emitConversationEvents(tx, "conversation.updated", [conversationId]);
  // a reply to a post may start a comment-to-DM flow (post_reply trigger); the post travels with the event
  if (e.inReplyToPostId !== null) {
    await queue.send("domain.event", { type: "post_reply", merchantId: account.merchantId, accountId: account.id, contactId, conversationId, messageId: stored, inReplyToPostId: e.inReplyToPostId }, { tx });
  }
  return { status: "processed", effect: created[0] ? "mention conversation opened" : "post added to its thread" };
}

/**
 * The thread a post belongs to. Account Activity's v1.1 posts carry no conversation_id (the parser
 * falls back to the post replied to): a reply to a post we hold is in that post's thread.
 */
async function threadOf(tx: Tx, account: XAccountModel, e: MentionEvent): Promise<string> {
  if (e.inReplyToPostId === null) return e.threadId;
  const parent = await tx.message.findFirst({ where: { merchantId: account.merchantId, accountId: account.id, twitterMessageId: e.inReplyToPostId }, select: { conversation: { select: { channel: true, threadId: true } } } });
  return parent?.conversation.channel === "mention" && parent.conversation.threadId ? parent.conversation.threadId : e.threadId;
}

/**
 * The account's own post in a thread we hold: the echo of a public reply we posted (settling it if
 * the send pipeline has not recorded X's answer yet) or one written in the X app. Never a customer's.
 */
async function applyOwnPost(tx: Tx, account: XAccountModel, e: MentionEvent): Promise<Applied> {
  const known = await tx.message.findUnique({ where: { accountId_twitterMessageId: { accountId: account.id, twitterMessageId: e.postId } }, select: { id: true } });
  if (known) return { status: "processed", effect: "echo of a recorded reply" };
  // the conversation of the post it answers (its thread), the message with the person it answers
  const answered = e.inReplyToPostId === null ? null : await tx.message.findFirst({ where: { merchantId: account.merchantId, accountId: account.id, twitterMessageId: e.inReplyToPostId, conversation: { channel: "mention" } }, select: { conversationId: true, contactId: true } });
  if (!answered) return { status: "skipped", reason: "the account's own post, outside a thread it holds" };
  const pending = await tx.$queryRaw<{ id: string }[]>`
    SELECT id FROM messages WHERE conversation_id = ${answered.conversationId}::uuid AND direction = 'outbound' AND status = 'sending'
      AND twitter_message_id IS NULL AND content = ${e.text}
    ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED`;
  if (pending[0]) {
    await markSent(tx, [{ id: pending[0].id, twitterMessageId: e.postId }], e.at);
    return { status: "processed", effect: "echo settled a public reply" };
  }
  await insertMessage(tx, account, { conversationId: answered.conversationId, contactId: answered.contactId, direction: "outbound", text: e.text, eventId: e.postId, at: e.at, origin: "x_app", status: "sent" });
  return { status: "processed", effect: "public reply from the X app recorded" };
}
