import type { ContactModel, ConversationModel } from "@mkt-x/db";
import type { Contact, ContactConversation } from "../../../contract/contacts.ts";
import { toAttributes } from "../../../domain/contact-fields.ts";

/** What a contact query selects: the row and its live conversation count. */
export const CONTACT_SELECTION = { _count: { select: { conversations: true } } } as const;
export type ContactRow = ContactModel & { _count: { conversations: number } };

/**
 * The allowlist of what leaves the server about a contact. conversationCount is counted live: it
 * stays right whoever writes conversations, and a page holds at most 100 contacts.
 */
export function toContactDto(c: ContactRow): Contact {
  return {
    id: c.id,
    accountId: c.accountId,
    twitterUserId: c.twitterUserId,
    username: c.username,
    displayName: c.displayName,
    profileImageUrl: c.profileImageUrl,
    tags: c.tags,
    attributes: toAttributes(c.attributes),
    source: c.source,
    optedOut: c.optedOut,
    conversationCount: c._count.conversations,
    firstInteractionAt: c.firstInteractionAt?.toISOString() ?? null,
    lastInteractionAt: c.lastInteractionAt?.toISOString() ?? null,
  };
}

export function toContactConversationDto(c: ConversationModel & { _count: { messages: number } }): ContactConversation {
  return {
    id: c.id,
    contactId: c.contactId,
    accountId: c.accountId,
    status: c.status === "closed" ? "closed" : "open",
    messageCount: c._count.messages,
    startedAt: c.startedAt.toISOString(),
    lastMessageAt: c.lastMessageAt?.toISOString() ?? null,
    assignedToUserId: c.assignedToUserId,
  };
}
