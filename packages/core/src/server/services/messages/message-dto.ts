import type { MessageModel } from "@mkt-x/db";
import { z } from "zod";
import { isMessageOrigin, isMessageStatus, type Message } from "../../../contract/messages.ts";
import { CardButton, QuickReply } from "../../../contract/templates.ts";

// metadata is written by the service only; anything unexpected reads as nothing
const StoredMetadata = z
  .object({
    quickReplies: z.array(QuickReply).optional(),
    buttons: z.array(CardButton).optional(),
    quickReplyResponse: z.object({ index: z.number().int(), label: z.string(), metadata: z.string().optional() }).optional(),
  })
  .catch({});

export function toMessageDto(m: MessageModel): Message {
  const meta = StoredMetadata.parse(m.metadata ?? {});
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
    ...(meta.quickReplies ? { quickReplies: meta.quickReplies } : {}),
    ...(meta.buttons ? { buttons: meta.buttons } : {}),
    ...(meta.quickReplyResponse ? { quickReplyResponse: meta.quickReplyResponse } : {}),
    isFromBot: m.isFromBot,
    // the database holds origins to the same list (messages_origin_check)
    origin: isMessageOrigin(m.origin) ? m.origin : "inbox",
    status: isMessageStatus(m.status) ? m.status : "failed",
    error: m.error,
    sentAt: (m.sentAt ?? (m.direction === "inbound" ? m.createdAt : null))?.toISOString() ?? null,
    readAt: m.readAt?.toISOString() ?? null,
    createdAt: m.createdAt.toISOString(),
  };
}
