// Shared test data: rows inserted with raw SQL (what later issues' code will write), accounts
// connected through the API with sandbox users, and an independent decryption of stored tokens.
import { createDecipheriv, randomInt, randomUUID } from "node:crypto";
import type { TestDatabase } from "@mkt-x/db/testing";
import type { SandboxUser } from "@mkt-x/twitter/sandbox";
import { createMerchantWithOwner } from "@mkt-x/core/server";
import type { Harness } from "./harness.ts";

type Pool = TestDatabase["pool"];

export interface AccountBody {
  id: string;
  merchantId: string;
  twitterUserId: string;
  username: string;
  displayName: string;
  profileImageUrl: string | null;
  status: "active" | "inactive" | "error";
  webhookId: string | null;
  webhookStatus: string | null;
  lastError: string | null;
  autoReplyEnabled: boolean;
  businessHours: unknown;
  requireConsent: boolean;
  connectedAt: string;
  disconnectedAt: string | null;
  statistics?: { totalContacts: number; totalConversations: number; messagesThisMonth: number };
}

export interface Success<T> {
  success: true;
  data: T;
  pagination?: { page: number; limit: number; total: number; totalPages: number };
}

export interface Failure {
  success: false;
  error: string;
  code: string;
  details?: unknown;
}

let usernameSeq = 0;
/** A username unique within the test run (the sandbox refuses two users with one name). */
export const uniqueUsername = (prefix = "shop") => `${prefix}_${process.pid}_${++usernameSeq}`;

/** A numeric X user id no sandbox user has. */
export const randomXUserId = () => `9${randomInt(1e9, 1e10 - 1)}${randomInt(1e5, 1e6 - 1)}`;

/** A sandbox user connected through POST /accounts by the given token's merchant. */
export async function connectAccount(h: Harness, opts: { token?: string; user?: SandboxUser; name?: string } = {}): Promise<{ user: SandboxUser; account: AccountBody }> {
  const username = uniqueUsername();
  const user = opts.user ?? h.sandbox.addUser({ username, name: opts.name ?? `Shop ${username}` });
  const res = await h.call<Success<AccountBody>>("POST", "/accounts", { token: opts.token, body: { oauthToken: user.accessToken, oauthTokenSecret: user.accessSecret } });
  if (res.status !== 200) throw new Error(`connect failed: ${res.status} ${res.text}`);
  return { user, account: res.body.data };
}

/** Fresh tokens for a sandbox user (the old ones stop working), as after a new OAuth dance. */
export const reauthorize = (h: Harness, user: SandboxUser): SandboxUser => h.sandbox.addUser({ id: user.id, username: user.username });

export async function insertAccount(
  pool: Pool,
  opts: { merchantId: string; status?: "active" | "inactive" | "error"; twitterUserId?: string; username?: string; connectedAt?: Date },
): Promise<string> {
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO x_accounts (merchant_id, twitter_user_id, username, display_name, status, connected_at)
     VALUES ($1, $2, $3, $3, $4, $5) RETURNING id`,
    [opts.merchantId, opts.twitterUserId ?? randomXUserId(), opts.username ?? uniqueUsername("raw"), opts.status ?? "active", opts.connectedAt ?? new Date()],
  );
  return rowId(rows);
}

export async function insertContact(pool: Pool, opts: { merchantId: string; accountId: string; twitterUserId?: string }): Promise<string> {
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO contacts (merchant_id, account_id, twitter_user_id, username, first_interaction_at, last_interaction_at, updated_at)
     VALUES ($1, $2, $3, $4, now(), now(), now()) RETURNING id`,
    [opts.merchantId, opts.accountId, opts.twitterUserId ?? randomXUserId(), uniqueUsername("customer")],
  );
  return rowId(rows);
}

export async function insertConversation(pool: Pool, opts: { merchantId: string; accountId: string; contactId: string; status?: "open" | "closed" }): Promise<string> {
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO conversations (merchant_id, account_id, contact_id, status, updated_at) VALUES ($1, $2, $3, $4, now()) RETURNING id`,
    [opts.merchantId, opts.accountId, opts.contactId, opts.status ?? "open"],
  );
  return rowId(rows);
}

export async function insertMessage(
  pool: Pool,
  opts: { merchantId: string; accountId: string; conversationId: string; contactId: string; createdAt?: Date; direction?: "inbound" | "outbound" },
): Promise<string> {
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO messages (merchant_id, account_id, conversation_id, contact_id, direction, content, status, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, 'hello', $7, $6, $6) RETURNING id`,
    [opts.merchantId, opts.accountId, opts.conversationId, opts.contactId, opts.direction ?? "inbound", opts.createdAt ?? new Date(), opts.direction === "outbound" ? "sent" : "received"],
  );
  return rowId(rows);
}

/** A contact with one (closed) conversation and a message created at each of the given moments. */
export async function insertThread(pool: Pool, opts: { merchantId: string; accountId: string; messagesAt?: Date[] }): Promise<{ contactId: string; conversationId: string }> {
  const contactId = await insertContact(pool, opts);
  const conversationId = await insertConversation(pool, { ...opts, contactId, status: "closed" });
  for (const createdAt of opts.messagesAt ?? []) await insertMessage(pool, { ...opts, contactId, conversationId, createdAt });
  return { contactId, conversationId };
}

/** AES-256-GCM, "v1:" + base64(iv(12) | tag(16) | ciphertext), written from the contract, not from the service's cipher. */
/** Decrypts a stored v2 value as SECURITY.md describes it, the place (`table.column:row key`) as AAD. */
export function decryptStoredToken(key: Buffer, stored: string, place: string): string {
  if (!stored.startsWith("v2:")) throw new Error(`not a v2 ciphertext: ${stored.slice(0, 8)}`);
  const raw = Buffer.from(stored.slice("v2:".length), "base64");
  const decipher = createDecipheriv("aes-256-gcm", key, raw.subarray(0, 12));
  decipher.setAAD(Buffer.from(place, "utf8"));
  decipher.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8");
}

export const newMerchant = () => randomUUID();

function rowId(rows: { id: string }[]): string {
  const id = rows[0]?.id;
  if (!id) throw new Error("insert returned no row");
  return id;
}

// --- Conversations (inbox) ---

export interface ConversationContactBody {
  username: string | null;
  displayName: string | null;
  profileImageUrl: string | null;
}

export interface ConversationBody {
  id: string;
  contactId: string;
  accountId: string;
  status: "open" | "closed";
  channel: string;
  assignedToUserId: string | null;
  messageCount: number;
  startedAt: string;
  lastMessageAt: string | null;
  contact: ConversationContactBody;
  closedAt?: string | null;
  closeReason?: string | null;
  messages?: MessageBody[];
  messagesCursor?: string | null;
}

export interface MessageBody {
  id: string;
  conversationId: string;
  accountId: string;
  contactId: string;
  twitterMessageId: string | null;
  direction: "inbound" | "outbound";
  type: string;
  content: string;
  attachments: Array<{ type: string; url: string; mediaId?: string }>;
  isFromBot: boolean;
  origin: string;
  status: string;
  error: string | null;
  sentAt: string | null;
  readAt: string | null;
  createdAt: string;
  quickReplies?: Array<{ label: string; description?: string; metadata?: string }>;
  buttons?: Array<{ label: string; url: string }>;
  quickReplyResponse?: { index: number; label: string; metadata?: string };
}

/** A contact with the profile fields an inbox shows; opted out on request. */
export async function insertInboxContact(
  pool: Pool,
  opts: { merchantId: string; accountId: string; twitterUserId?: string; username?: string; displayName?: string | null; profileImageUrl?: string | null; optedOut?: boolean },
): Promise<string> {
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO contacts (merchant_id, account_id, twitter_user_id, username, display_name, profile_image_url, opted_out, opted_out_at, first_interaction_at, last_interaction_at, consent_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, CASE WHEN $7 THEN now() END, now(), now(), now(), now()) RETURNING id`,
    [opts.merchantId, opts.accountId, opts.twitterUserId ?? randomXUserId(), opts.username ?? uniqueUsername("customer"), opts.displayName ?? null, opts.profileImageUrl ?? null, opts.optedOut ?? false],
  );
  return rowId(rows);
}

/** A conversation with the inbox columns set as given. */
export async function insertInboxConversation(
  pool: Pool,
  opts: {
    merchantId: string;
    accountId: string;
    contactId: string;
    status?: "open" | "closed";
    assignedToUserId?: string | null;
    messageCount?: number;
    startedAt?: Date;
    lastMessageAt?: Date | null;
    closeReason?: string | null;
  },
): Promise<string> {
  const status = opts.status ?? "open";
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO conversations (merchant_id, account_id, contact_id, status, assigned_to_user_id, message_count, started_at, last_message_at, closed_at, close_reason, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, CASE WHEN $4 = 'closed' THEN now() END, $9, now()) RETURNING id`,
    [opts.merchantId, opts.accountId, opts.contactId, status, opts.assignedToUserId ?? null, opts.messageCount ?? 0, opts.startedAt ?? new Date(), opts.lastMessageAt ?? null, opts.closeReason ?? null],
  );
  return rowId(rows);
}

/** A message as the inbound pipeline (received) or a finished send (sent, with X's id) stores it. */
export async function insertInboxMessage(
  pool: Pool,
  opts: { merchantId: string; accountId: string; conversationId: string; contactId: string; content?: string; direction?: "inbound" | "outbound"; createdAt?: Date; id?: string },
): Promise<string> {
  const direction = opts.direction ?? "inbound";
  const createdAt = opts.createdAt ?? new Date();
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO messages (id, merchant_id, account_id, conversation_id, contact_id, direction, content, origin, status, twitter_message_id, sent_at, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING id`,
    [
      opts.id ?? randomUUID(),
      opts.merchantId,
      opts.accountId,
      opts.conversationId,
      opts.contactId,
      direction,
      opts.content ?? "hello",
      direction === "inbound" ? "customer" : "inbox",
      direction === "inbound" ? "received" : "sent",
      randomXUserId(),
      direction === "outbound" ? createdAt : null,
      createdAt,
    ],
  );
  return rowId(rows);
}

// --- Contacts ---

export interface ContactBody {
  id: string;
  accountId: string;
  twitterUserId: string;
  username: string | null;
  displayName: string | null;
  profileImageUrl: string | null;
  tags: string[];
  attributes: Record<string, string | number | boolean>;
  source: string;
  optedOut: boolean;
  conversationCount: number;
  firstInteractionAt: string | null;
  lastInteractionAt: string | null;
  engagement?: { messagesSent: number; messagesReceived: number; averageResponseTime: string | null };
}

export interface ContactConversationBody {
  id: string;
  contactId: string;
  accountId: string;
  status: "open" | "closed";
  messageCount: number;
  startedAt: string;
  lastMessageAt: string | null;
  assignedToUserId: string | null;
}

export interface CsvImportBody {
  accountId: string;
  rows: number;
  inserted: number;
  updated: number;
  failed: number;
  errors: Array<{ row: number; field: string | null; reason: string }>;
  errorsTruncated: boolean;
}

/** A contact with the fields the contacts API shows, each settable. */
export async function insertContactWith(
  pool: Pool,
  opts: {
    merchantId: string;
    accountId: string;
    twitterUserId?: string;
    username?: string | null;
    displayName?: string | null;
    profileImageUrl?: string | null;
    tags?: string[];
    attributes?: Record<string, unknown>;
    source?: string;
    optedOut?: boolean;
    firstInteractionAt?: Date | null;
    lastInteractionAt?: Date | null;
  },
): Promise<string> {
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO contacts (merchant_id, account_id, twitter_user_id, username, display_name, profile_image_url, tags, attributes, source, opted_out, first_interaction_at, last_interaction_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
    [
      opts.merchantId,
      opts.accountId,
      opts.twitterUserId ?? randomXUserId(),
      opts.username === undefined ? uniqueUsername("customer") : opts.username,
      opts.displayName ?? null,
      opts.profileImageUrl ?? null,
      opts.tags ?? [],
      JSON.stringify(opts.attributes ?? {}),
      opts.source ?? "inbound_message",
      opts.optedOut ?? false,
      opts.firstInteractionAt === undefined ? new Date() : opts.firstInteractionAt,
      opts.lastInteractionAt === undefined ? new Date() : opts.lastInteractionAt,
    ],
  );
  return rowId(rows);
}

/** A message with the given direction, moment and send status (failed sends included). */
export async function insertContactMessage(
  pool: Pool,
  opts: { merchantId: string; accountId: string; conversationId: string; contactId: string; direction: "inbound" | "outbound"; createdAt: Date; status?: string; origin?: string },
): Promise<string> {
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO messages (merchant_id, account_id, conversation_id, contact_id, direction, content, status, created_at, updated_at, origin)
     VALUES ($1, $2, $3, $4, $5, 'hi', $6, $7, $7, $8) RETURNING id`,
    [opts.merchantId, opts.accountId, opts.conversationId, opts.contactId, opts.direction, opts.status ?? (opts.direction === "inbound" ? "received" : "sent"), opts.createdAt, opts.origin ?? (opts.direction === "inbound" ? "customer" : "inbox")],
  );
  return rowId(rows);
}

/**
 * Everything later features keep about a contact: a campaign delivery (with its message and a
 * tracked short link), a flow execution and an AI session on the conversation.
 */
export async function insertContactFootprint(
  pool: Pool,
  opts: { merchantId: string; accountId: string; contactId: string; conversationId: string; messageId: string },
): Promise<{ campaignId: string; recipientId: string; shortLinkId: string; flowId: string; executionId: string; aiSessionId: string }> {
  const q = async (sql: string, params: unknown[]) => rowId((await pool.query<{ id: string }>(sql, params)).rows);
  const templateId = await q(`INSERT INTO templates (merchant_id, name, type, content) VALUES ($1, 'welcome', 'text', 'Hi {{name}}') RETURNING id`, [opts.merchantId]);
  const campaignId = await q(`INSERT INTO campaigns (merchant_id, name, type, template_id, account_id) VALUES ($1, 'launch', 'promotional', $2, $3) RETURNING id`, [opts.merchantId, templateId, opts.accountId]);
  const recipientId = await q(`INSERT INTO campaign_recipients (merchant_id, campaign_id, contact_id, message_id, status) VALUES ($1, $2, $3, $4, 'sent') RETURNING id`, [opts.merchantId, campaignId, opts.contactId, opts.messageId]);
  const shortLinkId = await q(`INSERT INTO short_links (merchant_id, code, url, campaign_id, recipient_id) VALUES ($1, $2, 'https://shop.example/p', $3, $4) RETURNING id`, [opts.merchantId, `c${randomInt(1e9)}`, campaignId, recipientId]);
  const flowId = await q(`INSERT INTO flows (merchant_id, name, trigger) VALUES ($1, 'welcome flow', '{"type":"new_follower"}') RETURNING id`, [opts.merchantId]);
  const executionId = await q(`INSERT INTO flow_executions (merchant_id, flow_id, contact_id, trigger_key) VALUES ($1, $2, $3, $4) RETURNING id`, [opts.merchantId, flowId, opts.contactId, `follow:${randomUUID()}`]);
  const aiSessionId = await q(`INSERT INTO ai_sessions (merchant_id, conversation_id) VALUES ($1, $2) RETURNING id`, [opts.merchantId, opts.conversationId]);
  return { campaignId, recipientId, shortLinkId, flowId, executionId, aiSessionId };
}

// --- Templates ---

export interface TemplateBody {
  id: string;
  merchantId: string;
  name: string;
  type: "text" | "quick_reply" | "card";
  content: string;
  variables: string[];
  quickReplies: Array<{ label: string; description?: string; metadata?: string }> | null;
  buttons: Array<{ label: string; url: string }> | null;
  createdAt: string;
  updatedAt: string;
}

/** A campaign row in the given status that uses the template (what the campaigns service writes). */
export async function insertTemplateCampaign(pool: Pool, opts: { merchantId: string; templateId: string; status: string; name?: string }): Promise<string> {
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO campaigns (merchant_id, name, type, status, template_id) VALUES ($1, $2, 'promotional', $3, $4) RETURNING id`,
    [opts.merchantId, opts.name ?? `campaign ${opts.status}`, opts.status, opts.templateId],
  );
  return rowId(rows);
}

/** The merchant's shop name setting (merchant_settings.shop_name), created or replaced. */
export async function setShopName(pool: Pool, opts: { merchantId: string; shopName: string | null }): Promise<void> {
  await pool.query(
    `INSERT INTO merchant_settings (merchant_id, shop_name) VALUES ($1, $2)
     ON CONFLICT (merchant_id) DO UPDATE SET shop_name = EXCLUDED.shop_name, updated_at = now()`,
    [opts.merchantId, opts.shopName],
  );
}

// --- Segments ---

export interface SegmentConditionBody {
  field: string;
  operator: string;
  value?: unknown;
}

export interface SegmentBody {
  id: string;
  merchantId: string;
  name: string;
  conditions: SegmentConditionBody[];
  match: "all" | "any";
  contactCount: number;
  createdAt: string;
  updatedAt: string;
}

export interface SegmentPreviewBody {
  totalMatches: number;
  preview: Array<{ id: string; username: string | null; displayName: string | null; tags: string[]; attributes: Record<string, string | number | boolean> }>;
}

/** A campaign row in the given status linked to the segments (campaign_segments), as the campaigns service writes them. */
export async function insertSegmentCampaign(pool: Pool, opts: { merchantId: string; segmentIds: string[]; status: string; name?: string }): Promise<string> {
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO campaigns (merchant_id, name, type, status) VALUES ($1, $2, 'promotional', $3) RETURNING id`,
    [opts.merchantId, opts.name ?? `campaign ${opts.status}`, opts.status],
  );
  const campaignId = rowId(rows);
  for (const segmentId of opts.segmentIds) {
    await pool.query(`INSERT INTO campaign_segments (campaign_id, segment_id, merchant_id) VALUES ($1, $2, $3)`, [campaignId, segmentId, opts.merchantId]);
  }
  return campaignId;
}

export interface FlowBody {
  id: string;
  merchantId: string;
  name: string;
  status: "draft" | "active" | "inactive";
  trigger: { type: string; config: Record<string, unknown> };
  nodes: Array<{ id: string; type: string; config: Record<string, unknown> }>;
  connections: Array<{ fromNodeId: string; toNodeId: string; condition?: "true" | "false" }>;
  createdAt: string;
  updatedAt: string;
  activatedAt: string | null;
}

export interface FlowExecutionBody {
  id: string;
  flowId: string;
  contactId: string;
  status: "running" | "completed" | "failed" | "cancelled";
  currentNodeId: string | null;
  error: string | null;
  startedAt: string;
  completedAt: string | null;
}

/** A flow execution row as the flow engine writes it. */
export async function insertFlowExecution(
  pool: Pool,
  opts: { merchantId: string; flowId: string; contactId: string; status: string; currentNodeId?: string | null; startedAt?: Date; completedAt?: Date | null },
): Promise<string> {
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO flow_executions (merchant_id, flow_id, contact_id, status, current_node_id, trigger_key, started_at, completed_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
    [opts.merchantId, opts.flowId, opts.contactId, opts.status, opts.currentNodeId ?? null, `test:${randomUUID()}`, opts.startedAt ?? new Date(), opts.completedAt ?? null],
  );
  return rowId(rows);
}

// ── signing in, team and API keys ──

export interface TokenPairBody {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

export interface TeamUserBody {
  id: string;
  email: string;
  name: string;
  role: "owner" | "admin" | "agent" | "viewer";
  status: "active" | "invited";
  lastLoginAt: string | null;
  createdAt: string;
  inviteToken?: string;
  inviteExpiresAt?: string;
}

export const PASSWORD = "correct horse battery staple";

let emailSeq = 0;
/** An email unique within the test run. */
export const uniqueEmail = (prefix = "user") => `${prefix}.${process.pid}.${++emailSeq}.${randomUUID().slice(0, 8)}@example.com`;

/** An address below /api/v1/auth (CONTRACT.md's, outside the REST base path). */
export const authUrl = (h: Pick<Harness, "url">, path: string) => `${h.url}/api/v1/auth${path}`;

/** A merchant and its owner made through the service (as `user:create` does), ready to sign in. */
export async function createOwner(h: Harness, opts: { email?: string; password?: string } = {}) {
  const email = opts.email ?? uniqueEmail("owner");
  const password = opts.password ?? PASSWORD;
  const { merchantId, userId } = await createMerchantWithOwner(h.database.db, { email: email.toLowerCase(), password, name: "Owner", merchantName: "Shop" });
  return { merchantId, userId, email, password };
}

/** POST /api/v1/auth/login; throws unless it succeeds. */
export async function signIn(h: Harness, email: string, password = PASSWORD): Promise<TokenPairBody> {
  const res = await h.call<Success<TokenPairBody>>("POST", authUrl(h, "/login"), { token: null, body: { email, password } });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${res.text}`);
  return res.body.data;
}
