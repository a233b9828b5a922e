import type { MessageModel } from "@mkt-x/db";
import { isMessageStatus, type Message } from "../../../contract/messages.ts";

export function toMessageDto(m: MessageModel): Message {
  return {
    id: m.id,
    conversationId: m.conversationId,
    accountId: m.accountId,
    contactId: m.contactId,
    twitterMessageId: m.twitterMessageId,
    direction: m.direction === "inbound" ? "inbound" : "outbound",
    type: m.type === "quick_reply" || m.type === "card" ? m.type : "text",
    content: m.content,
    attachments: Array.isArray(m.attachments) ? (m.attachments as Message["attachments"]) : [],
    isFromBot: m.isFromBot,
    origin: m.origin,
    status: isMessageStatus(m.status) ? m.status : "failed",
    error: m.error,
    sentAt: (m.sentAt ?? (m.direction === "inbound" ? m.createdAt : null))?.toISOString() ?? null,
    readAt: m.readAt?.toISOString() ?? null,
    createdAt: m.createdAt.toISOString(),
  };
}
