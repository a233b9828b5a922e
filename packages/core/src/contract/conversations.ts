import { z } from "zod";
import { EntityId, JsonBoolean, PageInput, Uuid } from "./common.ts";
import { Message } from "./messages.ts";
import { OutgoingAttachment } from "./media.ts";
import { CardButtons, QuickReplies } from "./templates.ts";
import { AiSuggestion } from "./ai-knowledge.ts";

export const CONVERSATION_STATUSES = ["open", "closed"] as const;
export const ConversationStatus = z.enum(CONVERSATION_STATUSES);
export type ConversationStatus = z.infer<typeof ConversationStatus>;

export const CONVERSATION_CHANNELS = ["direct_message", "mention"] as const;
export type ConversationChannel = (typeof CONVERSATION_CHANNELS)[number];

export const MAX_MESSAGE_CHARS = 10_000;
/** X takes one media item per DM */
export const MAX_ATTACHMENTS = 1;
export const MAX_CLOSE_REASON_CHARS = 200;

/** Who the conversation is with, as shown in an inbox list. */
export const ConversationContact = z.object({
  username: z.string().nullable(),
  displayName: z.string().nullable(),
  profileImageUrl: z.string().nullable(),
});

/** A list item, exactly the seed's fields (plus the contact's picture). */
export const ConversationSummary = z.object({
  id: Uuid,
  contactId: Uuid,
  accountId: Uuid,
  status: ConversationStatus,
  channel: z.enum(CONVERSATION_CHANNELS).meta({ description: "direct_message: a DM conversation; mention: a public thread on X (posts that mention the account or reply to it), answered by public replies" }),
  threadId: z.string().nullable().meta({ description: "mention: X's conversation_id of the thread (its first post); null for DMs" }),
  postUrl: z.string().nullable().meta({ description: "mention: the link of the post that opened the conversation (https://x.com/{username}/status/{id}); null for DMs" }),
  /** the `sub` of the user working it, null when unassigned */
  assignedToUserId: z.string().nullable(),
  messageCount: z.number().int(),
  startedAt: z.iso.datetime(),
  lastMessageAt: z.iso.datetime().nullable(),
  contact: ConversationContact,
});
export type ConversationSummary = z.infer<typeof ConversationSummary>;

// inbox list item (admin inbox): unread count and escalation, on GET /conversations only
/**
 * A conversation as the inbox lists it. `unreadCount` counts the customer's messages awaiting an
 * answer: inbound messages newer than the conversation's latest reply (an outbound message from an
 * agent, the AI, a flow or X's own app that was not a failed send; campaigns, test sends and system
 * notices answer nobody). Opening a conversation does not clear it: answering does.
 */
export const ConversationListItem = ConversationSummary.extend({
  unreadCount: z.number().int().meta({ description: "customer messages since the latest reply (agent, AI, flow or X app; not campaigns or system notices)" }),
  escalated: z.boolean().meta({ description: "the AI handed the conversation to a person" }),
});
export type ConversationListItem = z.infer<typeof ConversationListItem>;

/** One conversation: what close and assign answer, and the head of the details. */
export const Conversation = ConversationSummary.extend({
  closedAt: z.iso.datetime().nullable(),
  closeReason: z.string().nullable(),
});
export type Conversation = z.infer<typeof Conversation>;

export const ConversationDetails = Conversation.extend({
  /** the newest `messagesLimit` messages (older than `messagesBefore` when given), chronological (oldest first); absent when includeMessages=false */
  messages: z.array(Message).optional(),
  /** pass as `messagesBefore` for the page of older messages; null when there are none (absent with includeMessages=false) */
  messagesCursor: z.string().nullable().optional(),
  // escalation (admin inbox)
  escalated: z.boolean().meta({ description: "the AI handed the conversation to a person" }),
  escalationReason: z.string().nullable().meta({ description: "why the AI escalated, when it did" }),
  /** the replies the bot suggests (AI reply mode draft) still pending, oldest first */
  suggestions: z.array(AiSuggestion).optional(),
});
export type ConversationDetails = z.infer<typeof ConversationDetails>;

/**
 * A query-string boolean, parsed by hand: the REST bridge coerces z.boolean() with Boolean(), for
 * which "false" is true. "true"/"false" or "1"/"0" from a query string, a real boolean from tRPC
 * clients; anything else is a 400.
 */
const QUERY_BOOLEANS: Record<string, boolean> = { true: true, "1": true, false: false, "0": false };
const QueryBoolean = z.preprocess((v) => (typeof v === "string" && Object.hasOwn(QUERY_BOOLEANS, v) ? QUERY_BOOLEANS[v] : v), JsonBoolean);

export const ListConversationsInput = PageInput.extend({
  accountId: Uuid.optional(),
  status: ConversationStatus.optional(),
  channel: z
    .enum([...CONVERSATION_CHANNELS, "dm"])
    .transform((c): ConversationChannel => (c === "dm" ? "direct_message" : c))
    .optional()
    .meta({ description: "direct_message (or dm): DM conversations only; mention: public threads only" }),
  /** a user id (the token's `sub`) */
  assignedTo: z.string().trim().min(1).max(128).optional(),
  // inbox filters (admin inbox): search, escalated, unassigned
  search: z.string().trim().max(100).optional().meta({ description: "part of the contact's username or display name, case-insensitive" }),
  escalated: QueryBoolean.optional().meta({ description: "true: only conversations the AI escalated to a person; false: only the others (true|false|1|0)" }),
  unassigned: QueryBoolean.optional().meta({ description: "true: only conversations nobody is assigned to; false: only assigned ones (true|false|1|0)" }),
});
export type ListConversationsInput = z.infer<typeof ListConversationsInput>;

export const ConversationIdInput = z.object({ conversationId: EntityId });


export const DEFAULT_MESSAGES_PAGE = 50;
export const MAX_MESSAGES_PAGE = 200;

export const GetConversationInput = ConversationIdInput.extend({
  includeMessages: QueryBoolean.default(true).meta({ description: "include the messages, oldest first (default true; true|false|1|0)" }),
  messagesLimit: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_MESSAGES_PAGE)
    .default(DEFAULT_MESSAGES_PAGE)
    .meta({ description: `how many of the newest messages (1 to ${MAX_MESSAGES_PAGE}, default ${DEFAULT_MESSAGES_PAGE})` }),
  messagesBefore: z.string().trim().min(1).max(200).optional().meta({ description: "a `messagesCursor` from an earlier answer: the page of messages before it" }),
});
export type GetConversationInput = z.infer<typeof GetConversationInput>;

export const SendMessageBody = z
  .object({
    // counted in UTF-16 units (string length), as the X sandbox checks it: the conservative count,
    // so a reply X might refuse is a 400 now rather than a failed send later
    content: z
      .string()
      .min(1, { message: "content is required", abort: true })
      .max(MAX_MESSAGE_CHARS, { message: `content exceeds X's limit of ${MAX_MESSAGE_CHARS} characters` })
      .refine((s) => s.trim().length > 0, { message: "content must not be blank" })
      .meta({ description: `1 to ${MAX_MESSAGE_CHARS} characters, not only whitespace; may be left out with suggestionId (the suggestion's text is sent)` })
      .optional(),
    type: z.enum(["text", "quick_reply", "card"]).default("text").meta({ description: "quick_reply needs quickReplies, card needs buttons" }),
    quickReplies: QuickReplies.optional().meta({ description: "quick_reply only: the options, listed numbered under the content; the answer is read back as the option chosen" }),
    buttons: CardButtons.optional().meta({ description: "card only: call-to-action URL buttons, each a line \"label: url\" under the content" }),
    suggestionId: Uuid.optional().meta({ description: "send a pending suggestion of the bot (AI reply mode draft): as it is without content, or edited with content; it is then marked used" }),
    attachments: z
      .array(OutgoingAttachment.strict())
      .max(MAX_ATTACHMENTS, { message: `at most ${MAX_ATTACHMENTS} attachment: X takes one media item per DM` })
      .optional()
      .meta({ description: `at most ${MAX_ATTACHMENTS} (X's limit), by http(s) URL: fetched and checked before the message is queued (400 when it cannot be fetched, is not media of that type or is too large), uploaded to X and sent with the DM` }),
  })
  .strict();
export type SendMessageBody = z.infer<typeof SendMessageBody>;
export const SendMessageInput = ConversationIdInput.extend(SendMessageBody.shape).strict();

export const SentMessage = Message;
export type SentMessage = z.infer<typeof SentMessage>;

export const CloseConversationInput = ConversationIdInput.extend({
  reason: z.string().trim().min(1).max(MAX_CLOSE_REASON_CHARS).optional(),
}).strict();

// reopen (admin inbox)
export const ReopenConversationInput = ConversationIdInput.strict();

export const AssignConversationInput = ConversationIdInput.extend({
  /** null unassigns */
  userId: z.string().trim().min(1).max(128).nullable(),
}).strict();

export const MAX_IDEMPOTENCY_KEY_CHARS = 255;
/** The optional header of POST /conversations/{conversationId}/messages (documented; parsed by the procedure). */
export const IdempotencyKeyHeader = z.object({
  "Idempotency-Key": z
    .string()
    .trim()
    .min(1)
    .max(MAX_IDEMPOTENCY_KEY_CHARS)
    .optional()
    .meta({ description: "retry safely: a repeated key from the same user answers the message made first and sends nothing more; without it every request is a new message" }),
});
