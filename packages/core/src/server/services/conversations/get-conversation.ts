import { AppError, notFound } from "../../../errors.ts";
import { isUuid } from "../../../contract/common.ts";
import { DEFAULT_MESSAGES_PAGE, type ConversationDetails } from "../../../contract/conversations.ts";
import type { ScopedDb } from "../../scoped-db.ts";
import { toMessageDto } from "../messages/message-dto.ts";
import { pendingSuggestions } from "../ai/suggestions.ts";
import { toConversationDto, WITH_CONTACT } from "./conversation-dto.ts";

/**
 * A conversation and a page of its messages: the newest `messagesLimit` (before the cursor when
 * given), shown oldest first as the seed shows them, and the cursor of the page before. The pages
 * follow (createdAt, id) downwards on the (merchant, conversation, createdAt) index, so a long
 * conversation never loads whole and a message arriving meanwhile never shifts a page.
 */
export async function getConversation(db: ScopedDb, opts: { conversationId: string; includeMessages: boolean; messagesLimit?: number; messagesBefore?: string }): Promise<ConversationDetails> {
  if (!isUuid(opts.conversationId)) throw notFound("Conversation", opts.conversationId);
  const before = opts.messagesBefore !== undefined ? decodeCursor(opts.messagesBefore) : null;
  const conversation = await db.conversation.findFirst({ where: { id: opts.conversationId }, include: { ...WITH_CONTACT, ...WITH_ESCALATION } });
  if (!conversation) throw notFound("Conversation", opts.conversationId);
  const suggestions = await pendingSuggestions(db, conversation.id);
  const dto = {
    ...toConversationDto(conversation),
    ...escalationOf(conversation),
    // the bot's pending suggested replies (AI reply mode draft), shown with or without messages
    ...(suggestions.length > 0 && { suggestions }),
  };
  if (!opts.includeMessages) return dto;
  const limit = opts.messagesLimit ?? DEFAULT_MESSAGES_PAGE;
  // id breaks ties between messages stored in the same millisecond, so the order is stable
  const page = await db.message.findMany({
    where: {
      conversationId: conversation.id,
      ...(before ? { OR: [{ createdAt: { lt: before.at } }, { createdAt: before.at, id: { lt: before.id } }] } : {}),
    },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: limit + 1,
  });
  const more = page.length > limit;
  const shown = page.slice(0, limit);
  const oldest = shown[shown.length - 1];
  return { ...dto, messages: shown.reverse().map(toMessageDto), messagesCursor: more && oldest ? encodeCursor(oldest) : null };
}

const encodeCursor = (m: { createdAt: Date; id: string }) => Buffer.from(`${m.createdAt.toISOString()}|${m.id}`, "utf8").toString("base64url");

function decodeCursor(cursor: string): { at: Date; id: string } {
  const [iso, id, ...rest] = Buffer.from(cursor, "base64url").toString("utf8").split("|");
  const at = new Date(iso ?? "");
  if (rest.length > 0 || !id || !isUuid(id) || Number.isNaN(at.getTime())) {
    throw new AppError("VALIDATION_ERROR", "messagesBefore is not a cursor this API gave", { field: "messagesBefore", reason: "unknown cursor" });
  }
  return { at, id };
}

/** What GET /conversations/{id} (and its live events) say of the AI's escalation. */
export const WITH_ESCALATION = { aiSession: { select: { escalated: true, escalationReason: true } } } as const;
export const escalationOf = (c: { aiSession: { escalated: boolean; escalationReason: string | null } | null }) => ({
  escalated: c.aiSession?.escalated ?? false,
  escalationReason: c.aiSession?.escalated ? c.aiSession.escalationReason : null,
});
