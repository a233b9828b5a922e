import { notFound } from "../../../errors.ts";
import { isUuid } from "../../../contract/common.ts";
import type { ConversationDetails } from "../../../contract/conversations.ts";
import type { ScopedDb } from "../../scoped-db.ts";
import { toMessageDto } from "../messages/message-dto.ts";
import { toConversationDto, WITH_CONTACT } from "./conversation-dto.ts";

export async function getConversation(db: ScopedDb, opts: { conversationId: string; includeMessages: boolean }): Promise<ConversationDetails> {
  if (!isUuid(opts.conversationId)) throw notFound("Conversation", opts.conversationId);
  const conversation = await db.conversation.findFirst({ where: { id: opts.conversationId }, include: WITH_CONTACT });
  if (!conversation) throw notFound("Conversation", opts.conversationId);
  const dto = toConversationDto(conversation);
  if (!opts.includeMessages) return dto;
  // id breaks ties between messages stored in the same millisecond, so the order is stable
  const messages = await db.message.findMany({ where: { conversationId: conversation.id }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
  return { ...dto, messages: messages.map(toMessageDto) };
}
