// An agent's reply in a conversation: the queued outbound message and its send job, written in one
// transaction with the conversation's counters. The send pipeline (worker) delivers it to X.
import { randomUUID } from "node:crypto";
import { Prisma, type MessageModel, type Tx } from "@mkt-x/db";
import type { ScopedDb } from "../../scoped-db.ts";
import { AppError, notFound } from "../../../errors.ts";
import { isUuid } from "../../../contract/common.ts";
import type { SendMessageBody, SentMessage } from "../../../contract/conversations.ts";
import type { TargetPolicy } from "../outgoing-webhooks/target-policy.ts";
import { fetchMedia } from "../media/fetch-media.ts";
import type { JobQueue } from "../../jobs/queue.ts";
import { enqueueOutboundMessage } from "../messages/enqueue-outbound-message.ts";
import { toMessageDto } from "../messages/message-dto.ts";
import { emitConversationEvents } from "../../events/emit-events.ts";
import { templateShapeIssues } from "../../../contract/templates.ts";
import { composeDm, type ComposedDm } from "../../../domain/compose-dm.ts";
import { pendingSuggestion, useSuggestion } from "../ai/suggestions.ts";
import { MAX_POST_WEIGHT, POST_URL_WEIGHT, postWeight } from "../../../domain/post-length.ts";
import { DEFAULT_POST_WINDOWS, postWindowRoom, type PostWindowLimits } from "../messages/send-windows.ts";

export interface SendConversationMessageOptions {
  /** scoped to the merchant; its transaction is scoped too (raw statements below name merchantId) */
  db: ScopedDb;
  queue: JobQueue;
  merchantId: string;
  /** the agent replying (the token's `sub`) */
  userId: string;
  conversationId: string;
  message: SendMessageBody;
  /**
   * The client's Idempotency-Key: the same key from the same user answers the message it made
   * first and sends nothing more. Without one every request is a new message.
   */
  idempotencyKey?: string | undefined;
  /**
   * Runs the send pipeline on the new message right after it is committed, so that the answer can
   * already carry X's id (as the seed's example does). The queued job stays the guarantee: if this
   * is slow or fails, the worker delivers (leases keep it to one DM either way).
   */
  deliverNow?: ((messageId: string) => Promise<unknown>) | undefined;
  /** how long the answer waits for deliverNow (default 3 s); the send goes on after that */
  deliverNowTimeoutMs?: number;
  /** where attachment URLs may be fetched from: the outgoing-webhook rule (default: public addresses only) */
  mediaPolicy?: TargetPolicy | undefined;
  /**
   * X's post windows (X_TIER, POST_LIMIT_*) for a public reply: a full one, or X's own pause of the
   * account's posts, is 429 RATE_LIMIT_EXCEEDED and nothing is queued. Absent: pay-per-use's; null: off.
   */
  postWindows?: PostWindowLimits | null | undefined;
  now?: () => Date;
}

/** Keys are per user, so two agents cannot collide on (or read each other's) messages by reusing a key. */
export const inboxIdempotencyKey = (userId: string, clientKey: string) => `hdr:${userId}:${clientKey}`;

const isUniqueViolation = (e: unknown) => e instanceof Prisma.PrismaClientKnownRequestError && e.code === "P2002";

/**
 * Replying in a closed conversation reopens it, as shared inboxes do (Intercom, Front): the reply
 * is a new exchange with the customer and belongs in the open queue. The one exception is a contact
 * who has started another conversation since (at most one is open per contact): then the answer is
 * 409 CONFLICT naming the open one, rather than a message hidden in a closed thread.
 */
export async function sendConversationMessage(opts: SendConversationMessageOptions): Promise<SentMessage> {
  const { db, merchantId, conversationId, message: body } = opts;
  if (!isUuid(conversationId)) throw notFound("Conversation", conversationId);
  const idempotencyKey = opts.idempotencyKey === undefined ? randomUUID() : inboxIdempotencyKey(opts.userId, opts.idempotencyKey);
  // a bot's suggestion (AI reply mode draft) sent as it is when no content is given; checked again under the lock
  const suggestion = body.suggestionId === undefined ? null : await pendingSuggestion(db, { merchantId, conversationId, suggestionId: body.suggestionId });
  const dm = composeReply({ ...body, content: body.content ?? suggestion?.content });
  const head = await db.conversation.findFirst({ where: { id: conversationId, merchantId }, select: { channel: true } });
  if (!head) throw notFound("Conversation", conversationId);
  if (head.channel === "mention") assertPublicReply(body, dm.text);
  // the attachment is fetched and checked now, so a URL that will not do is a 400 and nothing is queued
  // (a retry with a known Idempotency-Key fetches again: cheap next to a second message)
  for (const [i, a] of (body.attachments ?? []).entries()) {
    await fetchMedia({ url: a.url, type: a.type, policy: opts.mediaPolicy ?? { allowPrivate: false }, keep: false, field: `attachments.${i}.url` });
  }

  try {
    const sent = await db.$transaction(async (tx) => {
      // the row lock orders this reply against a concurrent close, assign or reply
      await tx.$queryRaw`SELECT id FROM conversations WHERE id = ${conversationId}::uuid AND merchant_id = ${merchantId} FOR UPDATE`;
      const conversation = await tx.conversation.findFirst({ where: { id: conversationId, merchantId }, include: { account: { select: { status: true } } } });
      if (!conversation) throw notFound("Conversation", conversationId);

      if (opts.idempotencyKey !== undefined) {
        const earlier = await tx.message.findFirst({ where: { merchantId, idempotencyKey } });
        if (earlier) return { message: replayOf(earlier, conversationId, dm.text), fresh: false };
      }

      if (conversation.account.status !== "active") {
        throw new AppError("VALIDATION_ERROR", "account is not connected", { field: "accountId", reason: `the conversation's X account is ${conversation.account.status}; reconnect it to reply` });
      }

      if (conversation.channel === "mention") await assertPostRoom(tx, conversation.accountId, opts.postWindows === undefined ? DEFAULT_POST_WINDOWS : opts.postWindows, opts.now?.() ?? new Date());

      if (conversation.status === "closed" && conversation.channel === "direct_message") {
        const other = await tx.conversation.findFirst({ where: { merchantId, contactId: conversation.contactId, channel: "direct_message", status: "open", id: { not: conversation.id } }, select: { id: true } });
        if (other) throw openElsewhere(other.id);
      }

      const { message, created } = await enqueueOutboundMessage(tx, opts.queue, {
        merchantId,
        accountId: conversation.accountId,
        conversationId: conversation.id,
        contactId: conversation.contactId,
        content: dm.text,
        type: body.type,
        metadata: dm.metadata,
        attachments: body.attachments ?? [],
        origin: "inbox",
        // an agent's own words: allowed even to a contact who opted out of automated DMs
        automated: false,
        isFromBot: false,
        idempotencyKey,
      });
      // the same key committed by a concurrent request while we waited
      if (!created) return { message: replayOf(message, conversationId, dm.text), fresh: false };
      if (body.suggestionId !== undefined) await useSuggestion(tx, { merchantId, suggestionId: body.suggestionId, messageId: message.id });

      if (conversation.status === "closed") {
        await tx.conversation.updateMany({ where: { id: conversation.id, merchantId }, data: { status: "open", closedAt: null, closeReason: null } });
        await emitConversationEvents(tx, "conversation.updated", [conversation.id]);
      }
      return { message, fresh: true };
    });
    if (!sent.fresh || !opts.deliverNow) return toSentMessage(sent.message);
    const { deliverNow } = opts;
    await deliverWithin(Promise.resolve().then(() => deliverNow(sent.message.id)), opts.deliverNowTimeoutMs ?? DELIVER_NOW_TIMEOUT_MS);
    return toSentMessage((await db.message.findFirst({ where: { id: sent.message.id, merchantId } })) ?? sent.message);
  } catch (e) {
    // an inbound DM opened a new conversation for the contact between our check and the reopen
    if (isUniqueViolation(e)) throw openElsewhere(null);
    throw e;
  }
}

const DELIVER_NOW_TIMEOUT_MS = 3_000;

/** Waits for an immediate delivery at most `ms`; its failure is the send pipeline's to retry, not the request's. */
async function deliverWithin(delivery: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  await Promise.race([delivery.then(() => undefined, () => undefined), timeout]);
  clearTimeout(timer);
}

/** The DM as X gets it: quick replies or buttons travel in its text (see composeDm). */
function composeReply(body: SendMessageBody): Extract<ComposedDm, { ok: true }> {
  if (body.content === undefined) throw new AppError("VALIDATION_ERROR", "Request validation failed", [{ field: "content", message: "content is required (or a suggestionId)" }]);
  const issues = templateShapeIssues(body);
  if (issues.length > 0) throw new AppError("VALIDATION_ERROR", "Request validation failed", issues);
  const dm = composeDm({ type: body.type, text: body.content, quickReplies: body.quickReplies, buttons: body.buttons });
  if (!dm.ok) throw new AppError("VALIDATION_ERROR", dm.error, [{ field: "content", message: dm.error }]);
  return dm;
}

/**
 * A mention conversation is answered in public (POST /2/tweets): plain text within X's weighted
 * 280 (URLs 23, CJK and emoji 2), text only: attachments, quick replies and buttons are refused with 400 (X posts carry media through a separate upload flow the service does not offer for replies).
 */
function assertPublicReply(body: SendMessageBody, text: string): void {
  const issues: { field: string; message: string }[] = [];
  if ((body.attachments ?? []).length > 0) issues.push({ field: "attachments", message: "a public reply to a mention takes no attachments" });
  if (body.type !== "text") issues.push({ field: "type", message: "a public reply to a mention is plain text (no quick replies or buttons)" });
  const weight = postWeight(text);
  if (weight > MAX_POST_WEIGHT) issues.push({ field: "content", message: `a public reply counts ${weight} of X's ${MAX_POST_WEIGHT} (URLs count ${POST_URL_WEIGHT}, CJK characters and emoji 2)` });
  if (issues.length > 0) throw new AppError("VALIDATION_ERROR", "Request validation failed", issues);
}

/**
 * A public reply goes out only while X's post windows have room (its own, apart from the DMs): a
 * full window, or X's pause of the account's posts after its 429 or x-rate-limit-remaining 0, is
 * 429 with when to try again, so an agent sees it at once instead of a reply queued for hours.
 */
async function assertPostRoom(tx: Tx, accountId: string, limits: PostWindowLimits | null, now: Date): Promise<void> {
  const account = await tx.xAccount.findUnique({ where: { id: accountId }, select: { postPausedUntil: true } });
  const paused = account?.postPausedUntil && account.postPausedUntil > now ? account.postPausedUntil : null;
  const room = limits === null ? ({ ok: true } as const) : await postWindowRoom(tx, { accountId, limits, now });
  const retryAt = paused ?? (room.ok ? null : room.retryAt);
  if (retryAt === null) return;
  const retryAfterSeconds = Math.max(1, Math.ceil((retryAt.getTime() - now.getTime()) / 1000));
  const window = paused ? "X paused the account's posts (its rate limit)" : room.ok ? "" : room.window;
  const minutes = Math.ceil(retryAfterSeconds / 60);
  const wait = minutes >= 120 ? `${Math.ceil(minutes / 60)} hours` : `${minutes} minute${minutes === 1 ? "" : "s"}`;
  throw new AppError("RATE_LIMIT_EXCEEDED", `X's limit on posts is reached (${window}): public replies can be posted again in ${wait}`, { field: "conversationId", reason: window, retryAt: retryAt.toISOString(), retryAfterSeconds });
}

function replayOf(earlier: MessageModel, conversationId: string, text: string): MessageModel {
  if (earlier.conversationId !== conversationId || earlier.content !== text) {
    throw new AppError("CONFLICT", "Idempotency-Key was already used for another message", { field: "Idempotency-Key", reason: "reuse a key only to retry the same request" });
  }
  return earlier;
}

function openElsewhere(openConversationId: string | null): AppError {
  return new AppError(
    "CONFLICT",
    "the contact has another open conversation: reply there",
    { field: "conversationId", reason: "at most one conversation per contact is open", ...(openConversationId ? { openConversationId } : {}) },
  );
}

function toSentMessage(m: MessageModel): SentMessage {
  return toMessageDto(m);
}
