// The bot's automatic answer to an inbound DM, as the worker runs it on `domain.event`.
import type { Db } from "@mkt-x/db";
import { optKeyword } from "../../../domain/opt-out.ts";
import type { AiProvider } from "../../../ports/ai-provider.ts";
import type { JobQueue } from "../../jobs/queue.ts";
import type { TokenCipher } from "../../token-cipher.ts";
import { scopeToMerchant } from "../../scoped-db.ts";
import type { TargetPolicy } from "../outgoing-webhooks/target-policy.ts";
import { enqueueOutboundMessage } from "../messages/enqueue-outbound-message.ts";
import { getAiSettings } from "./ai-settings.ts";
import { HANDOVER_REASON, sendAiMessage } from "./ai-conversation.ts";
import { suggestReply } from "./suggestions.ts";

export interface AutoReplyDeps {
  db: Db;
  ai: AiProvider;
  queue: JobQueue;
  cipher: TokenCipher;
  /** where the merchant's order endpoint may be (the outgoing-webhook rule) */
  webhookPolicy?: TargetPolicy | undefined;
}

/** A message received, as `domain.event` carries it. */
export interface InboundMessageEvent {
  type: string;
  merchantId: string;
  accountId: string;
  conversationId?: string | undefined;
  /** the inbound message the event is about (absent on events queued before it was carried: the latest then) */
  messageId?: string | undefined;
}

export type AiReplyOutcome =
  | "not_a_message"
  | "ai_disabled"
  | "auto_reply_disabled"
  | "no_open_conversation"
  | "assigned_to_human"
  | "escalated"
  | "no_inbound_message"
  | "opt_keyword"
  | "already_replied"
  | "requires_escalation"
  | "reply_mode_off"
  | "suggested"
  | "already_suggested"
  | "replied";

/**
 * Automatic AI reply to an inbound DM: when the merchant's AI is enabled, the account's auto-reply
 * is on, the conversation is neither escalated nor assigned to a human and the message the event
 * names is not an opt-out/opt-in keyword, that message goes through the same service as
 * POST /ai/conversations/{id}/message; an answer that needs no escalation is queued as a bot DM
 * (automated: the send pipeline enforces consent and opt-out). One reply per inbound message
 * (idempotency key `ai:<message id>`), however often the event is delivered.
 *
 * Business hours are deliberately not checked: outside them the bot still answers, covering the
 * hours when no agent is there (business hours gate human availability, not the bot).
 */
export async function replyWithAi(deps: AutoReplyDeps, payload: InboundMessageEvent): Promise<AiReplyOutcome> {
  if (payload.type !== "message_received" || !payload.conversationId) return "not_a_message";
  const { merchantId, conversationId } = payload;
  const db = scopeToMerchant(deps.db, merchantId);

  const settings = await getAiSettings(db);
  if (!settings.enabled) return "ai_disabled";
  if (settings.replyMode === "off") return "reply_mode_off";
  const account = await db.xAccount.findFirst({ where: { id: payload.accountId }, select: { autoReplyEnabled: true } });
  if (!account?.autoReplyEnabled) return "auto_reply_disabled";
  const conversation = await db.conversation.findFirst({ where: { id: conversationId, status: "open" }, select: { id: true, accountId: true, contactId: true, assignedToUserId: true } });
  if (!conversation) return "no_open_conversation";
  if (conversation.assignedToUserId !== null) return "assigned_to_human";
  const session = await db.aiSession.findFirst({ where: { conversationId }, select: { escalated: true, escalationReason: true, lastMessageId: true } });
  // the message the event is about: two DMs in quick succession are two questions, each answered
  const latest = payload.messageId
    ? await db.message.findFirst({ where: { id: payload.messageId, conversationId, direction: "inbound" }, select: { id: true, content: true } })
    : await db.message.findFirst({ where: { conversationId, direction: "inbound" }, orderBy: [{ createdAt: "desc" }, { id: "desc" }], select: { id: true, content: true } });
  // escalated by this very message's hand-over answer (a retry after its send failed): that answer still goes out
  if (session?.escalated && !(session.escalationReason === HANDOVER_REASON && session.lastMessageId === latest?.id)) return "escalated";
  if (!latest) return "no_inbound_message";
  if (optKeyword(latest.content)) return "opt_keyword";
  const idempotencyKey = `ai:${latest.id}`;
  // a redelivered event (or a second event for the same latest message) neither asks the AI again nor replies twice
  if (await db.message.findFirst({ where: { idempotencyKey }, select: { id: true } })) return "already_replied";

  // a retry after the AI answered (the enqueue below failed) reuses that answer: one turn in the session
  const result = await sendAiMessage(db, deps.ai, { merchantId, conversationId, message: latest.content, sourceMessageId: latest.id, orderLookup: { cipher: deps.cipher, policy: deps.webhookPolicy } });
  // the service has marked the session escalated: a human takes over. The bot still says so when
  // it could not answer from the shop's facts (an order it could not look up); otherwise no reply.
  if (result.requiresEscalation) {
    const escalation = await db.aiSession.findFirst({ where: { conversationId }, select: { escalationReason: true, lastMessageId: true } });
    if (escalation?.escalationReason !== HANDOVER_REASON || escalation.lastMessageId !== latest.id) return "requires_escalation";
  }
  // draft (X asks for approval of automated replies): an agent sends or dismisses it
  if (settings.replyMode === "draft") return suggestReply(deps.db, { merchantId, conversationId, sourceMessageId: latest.id, answer: result });
  await deps.db.$transaction((tx) =>
    enqueueOutboundMessage(tx, deps.queue, {
      merchantId,
      accountId: conversation.accountId,
      conversationId: conversation.id,
      contactId: conversation.contactId,
      content: result.response,
      origin: "ai",
      automated: true,
      isFromBot: true,
      idempotencyKey,
    }),
  );
  return "replied";
}
