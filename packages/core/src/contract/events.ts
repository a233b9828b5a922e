import { z } from "zod";
import { can, type Role } from "../roles.ts";

/** The live event types (CONTRACT.md "Live events"); outgoing webhooks subscribe to the same names. */
export const LIVE_EVENT_TYPES = [
  "message.created",
  "message.updated",
  "conversation.created",
  "conversation.updated",
  "contact.created",
  "contact.updated",
  "campaign.updated",
  "flow.execution.updated",
  // a reply the bot suggests to agents (AI reply mode draft): the suggestion and its conversationId
  "suggestion.created",
  // the customer is writing (X's typing indicator): { conversationId, contactId, at }
  "conversation.typing",
  // the customer read our DMs up to X's event lastReadEventId: { conversationId, contactId, lastReadEventId, messageIds, at }
  "conversation.read",
] as const;
export const LiveEventType = z.enum(LIVE_EVENT_TYPES);
export type LiveEventType = z.infer<typeof LiveEventType>;

/** The types an agent or viewer may see (the inbox); admin and owner see every type. */
export const INBOX_EVENT_TYPES: readonly LiveEventType[] = ["message.created", "message.updated", "conversation.created", "conversation.updated", "conversation.typing", "conversation.read", "contact.created", "contact.updated", "suggestion.created"];

/** One event as clients receive it: SSE `data`, tRPC subscription items, webhook bodies (+ merchantId). */
export const LiveEvent = z.object({
  /** decimal string of the outbox sequence: SSE `id`, `Last-Event-ID` */
  id: z.string(),
  type: LiveEventType,
  /** ISO date-time of the commit's statement */
  at: z.string(),
  /** the resource as the REST API shows it */
  data: z.unknown(),
});
export type LiveEvent = z.infer<typeof LiveEvent>;

/** The types a role receives live: null for every type (admin, owner), else the inbox types. */
export function visibleEventTypes(role: Role): readonly LiveEventType[] | null {
  return can(role, "admin") ? null : INBOX_EVENT_TYPES;
}

/** `Last-Event-ID` / `lastEventId`: the decimal id of the last event a client saw. */
export const LastEventId = z.string().regex(/^\d{1,19}$/, "must be the decimal id of an event");
