import type { ContactModel, ConversationModel } from "@mkt-x/db";
import type { Conversation, ConversationStatus, ConversationSummary } from "../../../contract/conversations.ts";

/** What every conversation read loads beside the row: the contact's face in the inbox. */
export const WITH_CONTACT = { contact: { select: { username: true, displayName: true, profileImageUrl: true } } } as const;

type ConversationRow = ConversationModel & { contact: Pick<ContactModel, "username" | "displayName" | "profileImageUrl"> };

const statusOf = (s: string): ConversationStatus => (s === "closed" ? "closed" : "open");

export function toConversationSummaryDto(c: ConversationRow): ConversationSummary {
  return {
    id: c.id,
    contactId: c.contactId,
    accountId: c.accountId,
    status: statusOf(c.status),
    channel: c.channel === "mention" ? "mention" : "direct_message",
    threadId: c.threadId,
    postUrl: c.postUrl,
    assignedToUserId: c.assignedToUserId,
    messageCount: c.messageCount,
    startedAt: c.startedAt.toISOString(),
    lastMessageAt: c.lastMessageAt?.toISOString() ?? null,
    contact: { username: c.contact.username, displayName: c.contact.displayName, profileImageUrl: c.contact.profileImageUrl },
  };
}

export function toConversationDto(c: ConversationRow): Conversation {
  return { ...toConversationSummaryDto(c), closedAt: c.closedAt?.toISOString() ?? null, closeReason: c.closeReason };
}
