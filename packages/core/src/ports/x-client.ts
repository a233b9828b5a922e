// The X port: what the service needs from X. packages/twitter implements it with twitter-api-v2;
// tests point it at the X sandbox.

export interface XCredentials {
  accessToken: string;
  accessSecret: string;
}

export interface XUser {
  id: string;
  username: string;
  name: string;
  profileImageUrl: string | null;
}

/** What X's x-rate-limit-* (and 24-hour x-app-limit / x-user-limit) headers said about a window. */
export interface XRateLimit {
  limit: number;
  remaining: number;
  resetAt: Date;
}

export interface XSentDm {
  dmEventId: string;
  dmConversationId: string;
  /** X's rate-limit headers on the answer, each window it reported (empty when it sent none) */
  rateLimits?: XRateLimit[];
}

/** What POST /2/tweets answered. */
export interface XPosted {
  postId: string;
  /** X's rate-limit headers on the answer (the post windows), empty when it sent none */
  rateLimits?: XRateLimit[];
}

/** A replay job X accepted (POST /2/webhooks/replay): its events follow on the webhook. */
export interface XReplayJob {
  jobId: string;
  createdAt: Date;
}

/** A DM event as X lists it (GET /2/dm_conversations/with/{id}/dm_events). */
export interface XDmEvent {
  id: string;
  senderId: string;
  text: string;
  createdAt: Date;
}

/** A DM event of any of the user's conversations, as GET /2/dm_events lists it. */
export interface XDmHistoryEvent {
  id: string;
  senderId: string;
  text: string;
  createdAt: Date;
  /** "<smaller id>-<larger id>" for a one-to-one conversation */
  dmConversationId: string;
  /** participant_ids when X lists them (it does on membership events), else empty */
  participantIds: string[];
  /** the photo, GIF or video the DM carried (from includes.media) */
  media: { type: "photo" | "animated_gif" | "video"; url: string } | null;
}

/** One page of GET /2/dm_events, newest first, with the senders' profiles (expansions=sender_id). */
export interface XDmHistoryPage {
  events: XDmHistoryEvent[];
  users: XUser[];
  /** meta.next_token: the next (older) page, null at the end */
  nextToken: string | null;
}

/** The media types X's upload takes for DMs and posts. */
export const X_MEDIA_MIME_TYPES = ["image/jpeg", "image/png", "image/webp", "image/gif", "video/mp4", "video/quicktime"] as const;
export type XMediaMimeType = (typeof X_MEDIA_MIME_TYPES)[number];

/** A media file for X's v2 media upload (POST /2/media/upload/initialize, append, finalize). */
export interface XMediaUpload {
  data: Buffer;
  mimeType: XMediaMimeType;
  /** dm_image | dm_gif | dm_video for a DM, tweet_image | tweet_gif | tweet_video for a post */
  category: "dm_image" | "dm_gif" | "dm_video" | "tweet_image" | "tweet_gif" | "tweet_video";
}

export interface XUploadedMedia {
  mediaId: string;
  /** until when X keeps it for use in a DM or post */
  expiresAt: Date;
}

export interface XWebhook {
  id: string;
  url: string;
  valid: boolean;
}

/** A request token from POST /oauth/request_token: the person authorizes it at X. */
export interface XRequestToken {
  oauthToken: string;
  oauthTokenSecret: string;
  /** X's oauth_callback_confirmed: it took the callback URL we sent */
  callbackConfirmed: boolean;
}

/** What POST /oauth/access_token answers: the person's access token for the app, and who they are. */
export interface XAccessToken extends XCredentials {
  userId: string;
  screenName: string;
}

export interface XClient {
  /** GET /2/users/me with user.fields=profile_image_url. */
  me(creds: XCredentials): Promise<XUser>;
  /** POST /2/dm_conversations/with/{participantId}/messages, with `attachments: [{ media_id }]` when given one. */
  sendDm(creds: XCredentials, participantId: string, text: string, opts?: { mediaId?: string }): Promise<XSentDm>;
  /** POST /2/tweets with `reply.in_reply_to_tweet_id`: a public answer to a post that mentioned the account (with X's rate-limit headers of the answer). */
  postReply(creds: XCredentials, text: string, inReplyToPostId: string): Promise<XPosted>;
  /** X's v2 chunked media upload as the user: initialize, append each chunk, finalize (and wait while X processes). */
  uploadMedia(creds: XCredentials, media: XMediaUpload): Promise<XUploadedMedia>;
  /** Recent DM events of the one-to-one conversation with the participant, newest first. */
  listDmEvents(creds: XCredentials, participantId: string): Promise<XDmEvent[]>;
  /** GET /2/dm_events (MessageCreate only): the DM events of every conversation of the user, newest first, a page at a time. */
  listRecentDmEvents(creds: XCredentials, opts?: { paginationToken?: string; maxResults?: number }): Promise<XDmHistoryPage>;
  /** Account Activity API: register the app's webhook URL (idempotent: returns the existing one). */
  ensureWebhook(creds: XCredentials, url: string): Promise<XWebhook>;
  /** Account Activity API: subscribe the user to the app's webhook. */
  subscribe(creds: XCredentials, webhookId: string): Promise<void>;
  /**
   * POST /2/webhooks/replay (app-only bearer, obtained with the app's keys): X redelivers to the
   * webhook every event it delivered or tried to deliver from `from` (inclusive) to `to`
   * (exclusive), minute granularity, within the last 24 hours, each tagged `meta.replay`.
   */
  replayWebhookEvents(webhookId: string, from: Date, to: Date): Promise<XReplayJob>;
  /** Account Activity API: remove the user's subscription. */
  unsubscribe(creds: XCredentials, webhookId: string, userId: string): Promise<void>;
  /** POST /1.1/oauth/invalidate_token: revoke the user's access token. */
  invalidateToken(creds: XCredentials): Promise<void>;
  /** 3-legged OAuth, step 1: POST /oauth/request_token with oauth_callback, signed with the app's keys only. */
  requestToken(callbackUrl: string): Promise<XRequestToken>;
  /** 3-legged OAuth, step 3: POST /oauth/access_token with the authorized request token and its verifier. */
  accessToken(request: { oauthToken: string; oauthTokenSecret: string }, verifier: string): Promise<XAccessToken>;
}

export type XErrorKind = "invalid_credentials" | "forbidden" | "rate_limited" | "transient" | "not_found" | "bad_request";

/** Every failure of an XClient call is one of these. */
export class XApiError extends Error {
  readonly kind: XErrorKind;
  readonly status: number | null;
  /** For rate_limited: when X says the window resets (from x-rate-limit-reset). */
  readonly resetAt: Date | null;

  constructor(kind: XErrorKind, message: string, opts: { status?: number | null; resetAt?: Date | null } = {}) {
    super(message);
    this.name = "XApiError";
    this.kind = kind;
    this.status = opts.status ?? null;
    this.resetAt = opts.resetAt ?? null;
  }
}
