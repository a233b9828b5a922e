import { z } from "zod";
import { CardButton, QuickReply } from "./templates.ts";

export { MEDIA_TYPES, OutgoingAttachment, type MediaType } from "./media.ts";

export const MESSAGE_STATUSES = ["received", "queued", "sending", "sent", "failed"] as const;
/** Who wrote a message: a customer (inbound), an agent (inbox), a campaign, a flow, the bot (ai), the service's confirmations (system), a test send, or the account itself in the X app. */
export const MESSAGE_ORIGINS = ["customer", "inbox", "campaign", "flow", "ai", "system", "test", "x_app"] as const;
export const MESSAGE_DIRECTIONS = ["inbound", "outbound"] as const;
export const MESSAGE_TYPES = ["text", "quick_reply", "card"] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];
export const isMessageStatus = (v: string): v is MessageStatus => (MESSAGE_STATUSES as readonly string[]).includes(v);
export const isMessageOrigin = (v: string): v is (typeof MESSAGE_ORIGINS)[number] => (MESSAGE_ORIGINS as readonly string[]).includes(v);

export const Attachment = z.object({
  type: z.enum(["image", "video", "gif", "file"]),
  url: z.url({ protocol: /^https?$/, message: "must be an http(s) URL" }),
  /** outbound: X's media id once uploaded to X (the DM carries it) */
  mediaId: z.string().optional(),
});
export type Attachment = z.infer<typeof Attachment>;

export const Message = z.object({
  id: z.uuid(),
  conversationId: z.uuid(),
  accountId: z.uuid(),
  contactId: z.uuid(),
  /** X's DM event id, once X accepted the message */
  twitterMessageId: z.string().nullable(),
  direction: z.enum(MESSAGE_DIRECTIONS),
  type: z.enum(MESSAGE_TYPES),
  content: z.string(),
  attachments: z.array(Attachment),
  /** outbound quick_reply only: the options offered (listed numbered in the DM's text) */
  quickReplies: z.array(QuickReply).optional(),
  /** outbound card only: the call-to-action buttons (each a line "label: url" in the text) */
  buttons: z.array(CardButton).optional(),
  /** inbound only, when it answered our latest quick reply: the option chosen (by number, label or X's metadata) */
  quickReplyResponse: z.object({ index: z.number().int(), label: z.string(), metadata: z.string().optional() }).optional(),
  isFromBot: z.boolean(),
  /** who wrote it (MESSAGE_ORIGINS) */
  origin: z.enum(MESSAGE_ORIGINS),
  status: z.enum(MESSAGE_STATUSES),
  error: z.string().nullable(),
  /** when X accepted it (outbound) or when it arrived (inbound) */
  sentAt: z.iso.datetime().nullable(),
  readAt: z.iso.datetime().nullable(),
  createdAt: z.iso.datetime(),
});
export type Message = z.infer<typeof Message>;
