// The sandbox's public surface: options, the programmatic control API and what it returns.
import type { FastifyInstance } from "fastify";
import type { FaultInput, SandboxFault } from "./faults.ts";
import type { InboundMediaKind } from "./payloads.ts";
import type { AddUserInput, SandboxConfig, SandboxDelivery, SandboxDm, SandboxMediaView, SandboxPost, SandboxRequest, SandboxUser, SandboxWebhook } from "./sandbox-store.ts";

export interface XSandboxOptions {
  /** The X app's consumer credentials: requests must be signed with them, webhooks are signed with the secret. */
  consumerKey: string;
  consumerSecret: string;
  /** Where events go while no valid webhook is registered through the API. */
  webhookUrl?: string;
  /** Deliver DMs sent through the API back to the webhook, as X does (default false). */
  echoOutbound?: boolean;
  logger?: boolean;
  /**
   * Keep users, tokens, webhooks, DMs, deliveries and OAuth request tokens in <stateDir>/state.json
   * across restarts (`pnpm dev` uses .data/sandbox); default: memory only.
   */
  stateDir?: string;
  /** Timeout of the CRC check and of each webhook delivery (default 5000 ms). */
  webhookTimeoutMs?: number;
}

export interface InboundDmInput {
  fromUserId: string;
  toUserId: string;
  text: string;
  /** Reuse an id to replay the same event (dedupe tests); fresh snowflake when absent. */
  eventId?: string;
  /** The person tapped a quick-reply option: its metadata, sent as X's quick_reply_response. */
  quickReplyMetadata?: string;
  /** a photo, GIF or video sent with the DM (message_data.attachment.media) */
  media?: { type: InboundMediaKind; url: string };
  /** when the person wrote it (ISO date-time; default now): a DM X lists late, or one from before an outage */
  createdAt?: string;
}

/** A person writes to an account, both named by username (or id); an unknown sender becomes a sandbox user. */
export interface CustomerDmInput {
  /** the account's username (with or without @) or X user id */
  to: string;
  /** the customer's username (with or without @) or X user id; default "sandbox_customer" */
  from?: string;
  /** the customer's display name when the sandbox creates them */
  fromName?: string;
  text: string;
}

export interface CustomerDmResult extends DeliveryResult {
  fromUserId: string;
  toUserId: string;
}

export interface FollowInput {
  fromUserId: string;
  toUserId: string;
}

export interface ReadInput {
  readerUserId: string;
  accountUserId: string;
  lastReadEventId: string;
  /** the payload family: Account Activity's direct_message_mark_read_events (default) or the X Activity API's dm.read */
  via?: "aaa" | "xaa";
}

/** A person is typing a DM to an account. */
export interface TypingInput {
  fromUserId: string;
  toUserId: string;
  /** the payload family: Account Activity's direct_message_indicate_typing_events (default) or the X Activity API's dm.indicate_typing */
  via?: "aaa" | "xaa";
}

/** A person posts mentioning an account, or replying to one of its posts (or to any post by id). */
export interface MentionInput {
  fromUserId: string;
  toUserId: string;
  text: string;
  /** the post answered: the account's own post (a reply to the account) or any post of the thread */
  inReplyToPostId?: string;
  /** the payload family: Account Activity's tweet_create_events (default) or the X Activity API's post.mention.create / post.reply.create */
  via?: "aaa" | "xaa";
  /** Reuse an id to replay the same post (dedupe tests) */
  postId?: string;
  /** when the person posted (ISO date-time; default now): a post from during an outage, for replay jobs */
  createdAt?: string;
}

/** The account itself posts (in the X app): X delivers its own posts to its subscription too. */
export interface AccountPostInput {
  userId: string;
  text: string;
  /** a reply in a thread: the post answered */
  inReplyToPostId?: string;
}

export interface MentionResult extends DeliveryResult {
  postId: string;
  conversationId: string;
}

export interface RevokeInput {
  userId: string;
  /** the payload family: Account Activity's user_event.revoke (default) or the X Activity API's oauth.revoke */
  via?: "aaa" | "xaa";
}

export interface DeliveryResult {
  eventId: string;
  delivered: boolean;
  /** The webhook's HTTP status; null when nothing answered or no URL was known. */
  status: number | null;
  error?: string;
}

/** Everything /_sandbox offers over HTTP, as methods. */
export interface XSandboxControl {
  addUser(input: AddUserInput): SandboxUser;
  users(): SandboxUser[];
  inboundDm(input: InboundDmInput): Promise<DeliveryResult>;
  /** Simulate a customer DM by usernames; creates the customer when unknown. */
  customerDm(input: CustomerDmInput): Promise<CustomerDmResult>;
  follow(input: FollowInput): Promise<DeliveryResult>;
  read(input: ReadInput): Promise<DeliveryResult>;
  /** the typing indicator of a person writing to the account */
  typing(input: TypingInput): Promise<DeliveryResult>;
  /** The user revokes the app: their token answers 401 from now on and the revocation event is delivered. */
  revoke(input: RevokeInput): Promise<DeliveryResult>;
  /** a person's post mentioning the account (or replying to it) is delivered as X does */
  mention(input: MentionInput): Promise<MentionResult>;
  /** the account posts in the X app (its own post, or a reply in a thread); delivered as tweet_create_events for it */
  accountPost(input: AccountPostInput): Promise<MentionResult>;
  /** the posts: the service's public replies (byApi) and the persons' posts made with mention() */
  posts(): SandboxPost[];
  config(): SandboxConfig;
  configure(patch: Partial<SandboxConfig>): SandboxConfig;
  addFault(input: FaultInput): SandboxFault;
  faults(): SandboxFault[];
  /** Returns how many faults were removed. */
  clearFaults(): number;
  dms(): SandboxDm[];
  /** the media uploaded through X's media upload (ids, owners, types, sizes, SHA-256 of the bytes) */
  media(): SandboxMediaView[];
  requests(): SandboxRequest[];
  webhooks(): SandboxWebhook[];
  deliveries(): SandboxDelivery[];
  reset(): void;
}

export interface XSandbox extends XSandboxControl {
  app: FastifyInstance;
  /** The base URL once listening, else null. */
  readonly url: string | null;
  listen(port?: number, host?: string): Promise<string>;
  close(): Promise<void>;
  /**
   * Resolves with the first sent DM matching the predicate, already sent or yet to come; rejects
   * after timeoutMs (default 5000).
   */
  waitForDm(predicate?: (dm: SandboxDm) => boolean, timeoutMs?: number): Promise<SandboxDm>;
  /** Resolves with the first post made through POST /2/tweets matching the predicate, already made or yet to come. */
  waitForPost(predicate?: (post: SandboxPost) => boolean, timeoutMs?: number): Promise<SandboxPost>;
  /** Resolves once every background delivery (outbound echoes) has finished. */
  settled(): Promise<void>;
}
