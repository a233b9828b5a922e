// Everything the sandbox has seen and holds: users and their tokens, sent DMs, requests,
// webhooks with their subscriptions, faults, deliveries.
import { randomBytes } from "node:crypto";
import type { SandboxFault } from "./faults.ts";
import { DEFAULT_PROFILE_IMAGE_URL, type WebhookUser } from "./payloads.ts";
import { SandboxError } from "./sandbox-error.ts";
import { createSnowflakeGenerator } from "./snowflake.ts";

export interface AddUserInput {
  id?: string;
  username: string;
  name?: string;
  profileImageUrl?: string;
}

export interface SandboxUser {
  id: string;
  username: string;
  name: string;
  profileImageUrl: string;
  createdAt: string;
  accessToken: string;
  accessSecret: string;
}

export interface SandboxDm {
  dmEventId: string;
  dmConversationId: string;
  senderId: string;
  recipientId: string;
  text: string;
  createdAt: string;
  /** the media the DM carried (its `attachments: [{ media_id }]`) */
  mediaId?: string;
  /** a person's DM (control API): the photo, GIF or video it carried, as X lists it in includes.media */
  media?: { id: string; type: "photo" | "animated_gif" | "video"; url: string };
}

/** A post: one the service made through POST /2/tweets (byApi), or one a control call made a person write. */
export interface SandboxPost {
  postId: string;
  authorId: string;
  text: string;
  inReplyToPostId: string | null;
  /** X's conversation_id: the id of the thread's first post */
  conversationId: string;
  createdAt: string;
  byApi: boolean;
}

/** One media upload (X's v2 media upload): its bytes are kept until finalize, then only their hash. */
export interface SandboxMedia {
  mediaId: string;
  mediaKey: string;
  /** the user whose token initialized it */
  ownerId: string;
  additionalOwners: string[];
  mediaType: string;
  category: string;
  totalBytes: number;
  segments: Map<number, Buffer>;
  state: "uploading" | "succeeded";
  /** hex SHA-256 of the finalized bytes */
  sha256: string | null;
  createdAt: string;
  expiresAt: string;
}

/** A media upload as the control API shows it. */
export type SandboxMediaView = Omit<SandboxMedia, "segments"> & { receivedSegments: number };

export interface SandboxRequest {
  seq: number;
  at: string;
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  /** The user whose access token signed the request validly, else null. */
  userId: string | null;
  /** The injected fault's status, or null. */
  fault: number | null;
  status: number | null;
}

export interface SandboxWebhook {
  id: string;
  url: string;
  valid: boolean;
  createdAt: string;
  subscribedUserIds: string[];
}

export interface SandboxDelivery {
  kind: "direct_message" | "follow" | "read" | "typing" | "echo" | "revoke" | "mention";
  eventId: string;
  forUserId: string;
  url: string | null;
  delivered: boolean;
  status: number | null;
  error?: string;
  at: string;
  /** a redelivery by this replay job (POST /2/webhooks/replay) */
  replayJobId?: string;
}

export interface SandboxConfig {
  /** Where events go when no valid webhook is registered. */
  webhookUrl: string | null;
  /** Deliver DMs sent through the API back to the webhook, as X does. */
  echoOutbound: boolean;
  /**
   * X's per-user DM window (15 minutes): when set, each DM answer carries x-rate-limit-limit /
   * remaining / reset for the sending user and a DM past the limit answers 429, as X does. null: off.
   */
  dmLimitPer15m?: number | null;
  /**
   * A simulated outage of the app's webhook: events are recorded (DM history keeps them) but not
   * delivered, each delivery logged with delivered false. Off by default.
   */
  dropWebhooks?: boolean;
  /**
   * X's per-user post window (15 minutes) of POST /2/tweets: when set, each post answer carries
   * x-rate-limit-limit / remaining / reset for the posting user and a post past the limit answers 429. null: off.
   */
  postLimitPer15m?: number | null;
}

/** An event X delivered or tried to deliver: what its replay (POST /2/webhooks/replay) sends again. */
export interface SandboxDeliveredEvent {
  kind: SandboxDelivery["kind"];
  eventId: string;
  forUserId: string;
  url: string | null;
  payload: object;
  at: string;
}

interface WebhookRecord {
  id: string;
  url: string;
  valid: boolean;
  createdAt: string;
  subscribers: Set<string>;
}

// Long-running dev sandboxes would otherwise grow without bound.
const LOG_LIMIT = 50_000;
const push = <T>(list: T[], item: T): void => {
  list.push(item);
  if (list.length > LOG_LIMIT) list.splice(0, list.length - LOG_LIMIT);
};

/** Snowflakes compare as numbers (a test may pick any numeric id); anything else as text. */
export function compareIds(a: string, b: string): number {
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
  return a < b ? -1 : a > b ? 1 : 0;
}

const freshToken = (userId: string): string => `${userId}-${randomBytes(18).toString("base64url")}`;
const freshSecret = (): string => randomBytes(33).toString("base64url");

/** What a sandbox with a stateDir keeps on disk (JSON): everything but the injected faults. */
export interface SandboxStoreSnapshot {
  version: 1;
  users: SandboxUser[];
  /** access token → user id: the tokens that still work */
  tokens: [string, string][];
  webhooks: SandboxWebhook[];
  dms: SandboxDm[];
  /** the DMs persons wrote to accounts through the control API (absent in files written before) */
  receivedDms?: SandboxDm[];
  deliveries: SandboxDelivery[];
  requests: SandboxRequest[];
  requestSeq: number;
  config: SandboxConfig;
}

/** The request log on disk keeps only its tail; it is a debugging aid, not state. */
const SNAPSHOT_REQUEST_LIMIT = 1000;

export class SandboxStore {
  readonly nextId = createSnowflakeGenerator();
  readonly users = new Map<string, SandboxUser>();
  readonly dms: SandboxDm[] = [];
  /** DMs persons wrote to accounts (control API): X's DM history lists them with the sent ones */
  readonly receivedDms: SandboxDm[] = [];
  readonly requests: SandboxRequest[] = [];
  readonly faults: SandboxFault[] = [];
  readonly deliveries: SandboxDelivery[] = [];
  readonly media = new Map<string, SandboxMedia>();
  readonly posts: SandboxPost[] = [];
  /** every event with its payload, for replay jobs (memory only: X keeps them 24 hours) */
  readonly events: SandboxDeliveredEvent[] = [];
  /** app-only bearer tokens issued by POST /oauth2/token */
  readonly appTokens = new Set<string>();
  config: SandboxConfig;
  private readonly tokens = new Map<string, string>();
  private readonly webhookRecords = new Map<string, WebhookRecord>();
  private requestSeq = 0;
  private readonly initialConfig: SandboxConfig;

  constructor(initialConfig: SandboxConfig) {
    this.initialConfig = { ...initialConfig };
    this.config = { ...initialConfig };
  }

  reset(): void {
    this.users.clear();
    this.tokens.clear();
    this.webhookRecords.clear();
    this.dms.length = 0;
    this.receivedDms.length = 0;
    this.requests.length = 0;
    this.faults.length = 0;
    this.deliveries.length = 0;
    this.media.clear();
    this.posts.length = 0;
    this.events.length = 0;
    this.appTokens.clear();
    this.config = { ...this.initialConfig };
  }

  snapshot(): SandboxStoreSnapshot {
    return {
      version: 1,
      users: [...this.users.values()],
      tokens: [...this.tokens.entries()],
      webhooks: this.webhooks(),
      dms: this.dms,
      receivedDms: this.receivedDms,
      deliveries: this.deliveries,
      requests: this.requests.slice(-SNAPSHOT_REQUEST_LIMIT),
      requestSeq: this.requestSeq,
      config: this.config,
    };
  }

  /** Replaces the state with a snapshot's (a sandbox restarted on its stateDir). */
  restore(snapshot: SandboxStoreSnapshot): void {
    this.reset();
    for (const user of snapshot.users) this.users.set(user.id, { ...user });
    for (const [token, userId] of snapshot.tokens) this.tokens.set(token, userId);
    for (const w of snapshot.webhooks) this.webhookRecords.set(w.id, { id: w.id, url: w.url, valid: w.valid, createdAt: w.createdAt, subscribers: new Set(w.subscribedUserIds) });
    this.dms.push(...snapshot.dms);
    this.receivedDms.push(...(snapshot.receivedDms ?? []));
    this.deliveries.push(...snapshot.deliveries);
    this.requests.push(...snapshot.requests);
    this.requestSeq = snapshot.requestSeq;
    this.config = { ...this.config, ...snapshot.config };
  }

  /** Upserts by id, else by username, and always issues fresh tokens (the old ones stop working). */
  addUser(input: AddUserInput): SandboxUser {
    if (typeof input.username !== "string" || !/^\w{1,50}$/.test(input.username)) throw new SandboxError(400, "username must be 1-50 word characters");
    if (input.id !== undefined && !/^\d{1,19}$/.test(input.id)) throw new SandboxError(400, "id must be a numeric string");
    const existing = input.id !== undefined ? this.users.get(input.id) : [...this.users.values()].find((u) => u.username === input.username);
    const clash = [...this.users.values()].find((u) => u.username.toLowerCase() === input.username.toLowerCase() && u.id !== existing?.id);
    if (clash) throw new SandboxError(409, `username ${input.username} belongs to user ${clash.id}`);
    if (existing) this.tokens.delete(existing.accessToken);
    const id = existing?.id ?? input.id ?? this.nextId();
    const user: SandboxUser = {
      id,
      username: input.username,
      name: input.name ?? existing?.name ?? input.username,
      profileImageUrl: input.profileImageUrl ?? existing?.profileImageUrl ?? DEFAULT_PROFILE_IMAGE_URL,
      createdAt: existing?.createdAt ?? new Date().toISOString(),
      accessToken: freshToken(id),
      accessSecret: freshSecret(),
    };
    this.users.set(id, user);
    this.tokens.set(user.accessToken, id);
    return { ...user };
  }

  requireUser(id: string, role: string): SandboxUser {
    const user = this.users.get(id);
    if (!user) throw new SandboxError(404, `${role} ${id} is not a sandbox user`);
    return user;
  }

  userByToken(accessToken: string): SandboxUser | undefined {
    const id = this.tokens.get(accessToken);
    return id === undefined ? undefined : this.users.get(id);
  }

  revokeToken(accessToken: string): void {
    this.tokens.delete(accessToken);
  }

  /** A payload participant; ids X knows but the sandbox does not get a placeholder profile. */
  webhookUser(id: string): WebhookUser {
    const user = this.users.get(id);
    if (!user) return { id, username: `user${id}` };
    return { id, username: user.username, name: user.name, profileImageUrl: user.profileImageUrl, createdAt: new Date(user.createdAt) };
  }

  recordRequest(entry: Omit<SandboxRequest, "seq" | "at">): SandboxRequest {
    const record: SandboxRequest = { seq: ++this.requestSeq, at: new Date().toISOString(), ...entry };
    push(this.requests, record);
    return record;
  }

  recordDm(dm: SandboxDm): void {
    push(this.dms, dm);
  }

  /** A person's DM to an account; a replayed event id (same DM delivered again) is kept once. */
  recordReceivedDm(dm: SandboxDm): void {
    if (this.receivedDms.some((d) => d.dmEventId === dm.dmEventId)) return;
    push(this.receivedDms, dm);
  }

  /** Every DM event the user took part in (sent through the API or written to them), newest first. */
  dmHistory(userId: string): SandboxDm[] {
    const mine = [...this.dms, ...this.receivedDms].filter((d) => d.senderId === userId || d.recipientId === userId);
    return mine.sort((a, b) => compareIds(b.dmEventId, a.dmEventId));
  }

  recordPost(post: SandboxPost): void {
    push(this.posts, post);
  }

  recordMedia(media: SandboxMedia): void {
    this.media.set(media.mediaId, media);
  }

  mediaViews(): SandboxMediaView[] {
    return [...this.media.values()].map(({ segments, ...m }) => ({ ...m, additionalOwners: [...m.additionalOwners], receivedSegments: segments.size }));
  }

  recordDelivery(delivery: SandboxDelivery): void {
    push(this.deliveries, delivery);
  }

  recordEvent(event: SandboxDeliveredEvent): void {
    push(this.events, event);
  }

  addWebhook(url: string, valid: boolean): SandboxWebhook {
    const record: WebhookRecord = { id: this.nextId(), url, valid, createdAt: new Date().toISOString(), subscribers: new Set() };
    this.webhookRecords.set(record.id, record);
    return this.webhookView(record);
  }

  webhook(id: string): SandboxWebhook | undefined {
    const record = this.webhookRecords.get(id);
    return record && this.webhookView(record);
  }

  webhooks(): SandboxWebhook[] {
    return [...this.webhookRecords.values()].map((r) => this.webhookView(r));
  }

  setWebhookValid(id: string, valid: boolean): void {
    const record = this.webhookRecords.get(id);
    if (record) record.valid = valid;
  }

  deleteWebhook(id: string): boolean {
    return this.webhookRecords.delete(id);
  }

  setSubscribed(webhookId: string, userId: string, subscribed: boolean): void {
    const record = this.webhookRecords.get(webhookId);
    if (!record) return;
    if (subscribed) record.subscribers.add(userId);
    else record.subscribers.delete(userId);
  }

  /** Whether the user's activity is subscribed to a webhook of the app (a connected account). */
  isSubscribed(userId: string): boolean {
    return [...this.webhookRecords.values()].some((r) => r.subscribers.has(userId));
  }

  /** Where X would send an event for this account: its subscribed webhook, any valid one, else the configured URL. */
  deliveryUrl(forUserId: string): string | null {
    const valid = [...this.webhookRecords.values()].filter((r) => r.valid);
    return valid.find((r) => r.subscribers.has(forUserId))?.url ?? valid.at(-1)?.url ?? this.config.webhookUrl;
  }

  private webhookView(record: WebhookRecord): SandboxWebhook {
    return { id: record.id, url: record.url, valid: record.valid, createdAt: record.createdAt, subscribedUserIds: [...record.subscribers] };
  }
}
