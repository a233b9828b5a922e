// Account Activity API payloads in the shape X POSTs them to a webhook. Pure functions, so tests
// anywhere can craft (and sign) the same bytes the sandbox would deliver.
import { signWebhookBody } from "../webhook-crypto.ts";

export const DEFAULT_PROFILE_IMAGE_URL = "https://abs.twimg.com/sticky/default_profile_images/default_profile_normal.png";

/** Who appears in a payload. */
export interface WebhookUser {
  id: string;
  username: string;
  name?: string;
  profileImageUrl?: string | null;
  /** When the account was created; defaults to the epoch of X (2006-03-21). */
  createdAt?: Date;
}

export interface XWebhookUserObject {
  id: string;
  created_timestamp: string;
  name: string;
  screen_name: string;
  location: string | null;
  description: string | null;
  protected: boolean;
  verified: boolean;
  followers_count: number;
  friends_count: number;
  statuses_count: number;
  profile_image_url: string;
  profile_image_url_https: string;
}

export interface XDirectMessageEvent {
  type: "message_create";
  id: string;
  created_timestamp: string;
  message_create: {
    sender_id: string;
    target: { recipient_id: string };
    message_data: {
      text: string;
      entities: { hashtags: unknown[]; symbols: unknown[]; user_mentions: unknown[]; urls: unknown[] };
      quick_reply_response?: { type: "options"; metadata: string };
      attachment?: { type: "media"; media: XMediaEntity };
    };
  };
}

/** The media entity of a DM with a photo, GIF or video (Account Activity's message_data.attachment.media). */
export interface XMediaEntity {
  id: number;
  id_str: string;
  media_url: string;
  media_url_https: string;
  url: string;
  display_url: string;
  expanded_url: string;
  type: "photo" | "animated_gif" | "video";
}

export type InboundMediaKind = XMediaEntity["type"];

export interface XFollowEvent {
  type: "follow";
  created_timestamp: string;
  target: XWebhookUserObject;
  source: XWebhookUserObject;
}

export interface XMarkReadEvent {
  created_timestamp: string;
  sender_id: string;
  target: { recipient_id: string };
  last_read_event_id: string;
}

export interface AccountActivityPayload {
  for_user_id: string;
  direct_message_events?: XDirectMessageEvent[];
  follow_events?: XFollowEvent[];
  direct_message_mark_read_events?: XMarkReadEvent[];
  users?: Record<string, XWebhookUserObject>;
}

const X_EPOCH = new Date("2006-03-21T20:50:14.000Z");

export function toWebhookUserObject(user: WebhookUser): XWebhookUserObject {
  const image = user.profileImageUrl ?? DEFAULT_PROFILE_IMAGE_URL;
  return {
    id: user.id,
    created_timestamp: String((user.createdAt ?? X_EPOCH).getTime()),
    name: user.name ?? user.username,
    screen_name: user.username,
    location: null,
    description: null,
    protected: false,
    verified: false,
    followers_count: 0,
    friends_count: 0,
    statuses_count: 0,
    profile_image_url: image.replace(/^https:/, "http:"),
    profile_image_url_https: image,
  };
}

const usersMap = (...users: WebhookUser[]): Record<string, XWebhookUserObject> =>
  Object.fromEntries(users.map((u) => [u.id, toWebhookUserObject(u)]));

const timestamp = (at: Date | undefined): string => String((at ?? new Date()).getTime());

export interface InboundDmPayloadInput {
  sender: WebhookUser;
  recipient: WebhookUser;
  text: string;
  eventId: string;
  /** the metadata of the quick-reply option tapped */
  quickReplyMetadata?: string;
  createdAt?: Date;
  /** a photo, GIF or video the person sent (its URL on X's CDN) */
  media?: { id: string; type: InboundMediaKind; url: string };
  /** The subscribed account the delivery is for: the recipient, or the sender for an echo of its own DM. */
  forUserId?: string;
}

function mediaEntity(eventId: string, media: NonNullable<InboundDmPayloadInput["media"]>): XMediaEntity {
  const shortUrl = `https://t.co/${media.id.slice(-10)}`;
  return {
    id: Number(media.id),
    id_str: media.id,
    media_url: media.url.replace(/^https:/, "http:"),
    media_url_https: media.url,
    url: shortUrl,
    display_url: "pic.x.com/" + media.id.slice(-10),
    expanded_url: `https://x.com/messages/media/${eventId}`,
    type: media.type,
  };
}

export function buildInboundDmPayload(input: InboundDmPayloadInput): AccountActivityPayload {
  return {
    for_user_id: input.forUserId ?? input.recipient.id,
    direct_message_events: [
      {
        type: "message_create",
        id: input.eventId,
        created_timestamp: timestamp(input.createdAt),
        message_create: {
          sender_id: input.sender.id,
          target: { recipient_id: input.recipient.id },
          message_data: {
            text: input.text,
            entities: { hashtags: [], symbols: [], user_mentions: [], urls: [] },
            ...(input.quickReplyMetadata !== undefined ? { quick_reply_response: { type: "options" as const, metadata: input.quickReplyMetadata } } : {}),
            ...(input.media ? { attachment: { type: "media" as const, media: mediaEntity(input.eventId, input.media) } } : {}),
          },
        },
      },
    ],
    users: usersMap(input.sender, input.recipient),
  };
}

export interface FollowPayloadInput {
  source: WebhookUser;
  target: WebhookUser;
  createdAt?: Date;
  /** Defaults to the followed account. */
  forUserId?: string;
}

export function buildFollowPayload(input: FollowPayloadInput): AccountActivityPayload {
  return {
    for_user_id: input.forUserId ?? input.target.id,
    follow_events: [
      { type: "follow", created_timestamp: timestamp(input.createdAt), target: toWebhookUserObject(input.target), source: toWebhookUserObject(input.source) },
    ],
  };
}

export interface ReadPayloadInput {
  /** The user who read the conversation. */
  reader: WebhookUser;
  /** The subscribed account whose DMs were read. */
  account: WebhookUser;
  lastReadEventId: string;
  createdAt?: Date;
  forUserId?: string;
}

export function buildReadPayload(input: ReadPayloadInput): AccountActivityPayload {
  return {
    for_user_id: input.forUserId ?? input.account.id,
    direct_message_mark_read_events: [
      {
        created_timestamp: timestamp(input.createdAt),
        sender_id: input.reader.id,
        target: { recipient_id: input.account.id },
        last_read_event_id: input.lastReadEventId,
      },
    ],
    users: usersMap(input.reader, input.account),
  };
}

export interface TypingPayloadInput {
  /** the person typing */
  sender: WebhookUser;
  /** the subscribed account they are writing to */
  account: WebhookUser;
  createdAt?: Date;
}

/** Account Activity: direct_message_indicate_typing_events (the person is writing to the account). */
export function buildTypingPayload(input: TypingPayloadInput): object {
  return {
    for_user_id: input.account.id,
    direct_message_indicate_typing_events: [{ created_timestamp: timestamp(input.createdAt), sender_id: input.sender.id, target: { recipient_id: input.account.id } }],
    users: usersMap(input.sender, input.account),
  };
}

/** X Activity API: dm.indicate_typing and dm.read, with the conversation's ids in the payload. */
export function buildXaaDmActivityPayload(input: {
  eventType: "dm.indicate_typing" | "dm.read";
  eventId: string;
  sender: WebhookUser;
  account: WebhookUser;
  dmConversationId: string;
  lastReadEventId?: string;
  createdAt?: Date;
}): object {
  return {
    data: {
      event_type: input.eventType,
      event_uuid: input.eventId,
      filter: { user_id: input.account.id },
      payload: {
        sender_id: input.sender.id,
        recipient_id: input.account.id,
        dm_conversation_id: input.dmConversationId,
        ...(input.lastReadEventId !== undefined ? { last_read_event_id: input.lastReadEventId } : {}),
        created_at: (input.createdAt ?? new Date()).toISOString(),
      },
    },
  };
}

export interface SignedWebhookRequest {
  /** The exact bytes to send; the signature is over this string. */
  body: string;
  headers: { "content-type": "application/json"; "x-twitter-webhooks-signature": string };
}

export function signWebhookPayload(consumerSecret: string, payload: AccountActivityPayload | object): SignedWebhookRequest {
  const body = JSON.stringify(payload);
  return { body, headers: { "content-type": "application/json", "x-twitter-webhooks-signature": signWebhookBody(consumerSecret, body) } };
}

export interface MentionPayloadInput {
  author: WebhookUser;
  /** the connected account mentioned or replied to */
  account: WebhookUser;
  postId: string;
  text: string;
  inReplyToPostId: string | null;
  /** the author of the post replied to, when it is a reply */
  inReplyToUserId: string | null;
  conversationId: string;
  createdAt?: Date;
}

/** X's created_at of v1.1 objects: "Wed Oct 10 20:19:24 +0000 2018". */
const v1Date = (d: Date): string => {
  const [day, , , , time] = d.toUTCString().split(" ");
  const month = d.toLocaleString("en-US", { month: "short", timeZone: "UTC" });
  return `${day?.replace(",", "")} ${month} ${String(d.getUTCDate()).padStart(2, "0")} ${time} +0000 ${d.getUTCFullYear()}`;
};

/** Account Activity: a post that mentions or replies to the account (tweet_create_events, v1.1 tweet objects). */
export function buildMentionPayload(input: MentionPayloadInput): object {
  const at = input.createdAt ?? new Date();
  return {
    for_user_id: input.account.id,
    user_has_blocked: false,
    tweet_create_events: [
      {
        created_at: v1Date(at),
        id: Number(input.postId),
        id_str: input.postId,
        text: input.text,
        in_reply_to_status_id_str: input.inReplyToPostId,
        in_reply_to_user_id_str: input.inReplyToUserId,
        in_reply_to_screen_name: input.inReplyToUserId === input.account.id ? input.account.username : null,
        timestamp_ms: String(at.getTime()),
        user: toWebhookUserObject(input.author),
        entities: { hashtags: [], urls: [], symbols: [], user_mentions: input.text.includes(`@${input.account.username}`) ? [{ id_str: input.account.id, screen_name: input.account.username }] : [] },
      },
    ],
  };
}

/** X Activity API: post.mention.create (or post.reply.create for a reply to the account's post), v2 post shape. */
export function buildXaaPostPayload(input: MentionPayloadInput & { eventId: string }): object {
  const at = input.createdAt ?? new Date();
  const eventType = input.inReplyToUserId === input.account.id ? "post.reply.create" : "post.mention.create";
  return {
    data: {
      event_type: eventType,
      event_uuid: input.eventId,
      filter: { user_id: input.account.id },
      payload: {
        id: input.postId,
        text: input.text,
        author_id: input.author.id,
        conversation_id: input.conversationId,
        created_at: at.toISOString(),
        ...(input.inReplyToUserId ? { in_reply_to_user_id: input.inReplyToUserId } : {}),
        ...(input.inReplyToPostId ? { referenced_tweets: [{ type: "replied_to", id: input.inReplyToPostId }] } : {}),
      },
      includes: { users: [{ id: input.author.id, username: input.author.username, name: input.author.name ?? input.author.username, profile_image_url: input.author.profileImageUrl ?? DEFAULT_PROFILE_IMAGE_URL }] },
    },
  };
}
