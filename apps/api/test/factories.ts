// Shared test data: rows inserted with raw SQL (what later issues' code will write), accounts
// connected through the API with sandbox users, and an independent decryption of stored tokens.
import { createDecipheriv, randomInt, randomUUID } from "node:crypto";
import type { TestDatabase } from "@mkt-x/db/testing";
import type { SandboxUser } from "@mkt-x/twitter/sandbox";
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
     VALUES ($1, $2, $3, $4, $5, 'hello', 'delivered', $6, $6) RETURNING id`,
    [opts.merchantId, opts.accountId, opts.conversationId, opts.contactId, opts.direction ?? "inbound", opts.createdAt ?? new Date()],
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
export function decryptStoredToken(key: Buffer, stored: string): string {
  if (!stored.startsWith("v1:")) throw new Error(`not a v1 ciphertext: ${stored.slice(0, 8)}`);
  const raw = Buffer.from(stored.slice("v1:".length), "base64");
  const decipher = createDecipheriv("aes-256-gcm", key, raw.subarray(0, 12));
  decipher.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8");
}

export const newMerchant = () => randomUUID();

function rowId(rows: { id: string }[]): string {
  const id = rows[0]?.id;
  if (!id) throw new Error("insert returned no row");
  return id;
}
