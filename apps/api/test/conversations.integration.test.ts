// The conversations slice as a REST client sees it: the inbox list, a conversation with its
// messages, an agent's reply (queued with its send job in one transaction, then delivered by the
// real send pipeline to the X sandbox), close and assign; roles and tenant isolation throughout.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTokenCipher, sendMessage, type JobQueue, type SendPipelineDeps } from "@mkt-x/core/server";
import { createTwitterXClient } from "@mkt-x/twitter";
import { CONSUMER_KEY, CONSUMER_SECRET, startHarness, type ApiResponse, type Harness } from "./harness.ts";
import {
  connectAccount,
  insertAccount,
  insertInboxContact,
  insertInboxConversation,
  insertInboxMessage,
  newMerchant,
  uniqueUsername,
  type ConversationBody,
  type MessageBody,
  type Success,
} from "./factories.ts";
import { detailFields, expectFailure, expectSuccess } from "./envelope-assertions.ts";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

// threadId and postUrl: the thread and link of a mention conversation (null for DMs)
const SUMMARY_KEYS = ["accountId", "assignedToUserId", "channel", "contact", "contactId", "id", "lastMessageAt", "messageCount", "postUrl", "startedAt", "status", "threadId"];
const CONVERSATION_KEYS = [...SUMMARY_KEYS, "closeReason", "closedAt"].sort();
// the inbox's additions: the list's unread count and escalation, the details' escalation
const LIST_ITEM_KEYS = [...SUMMARY_KEYS, "escalated", "unreadCount"].sort();
const DETAILS_KEYS = [...CONVERSATION_KEYS, "escalated", "escalationReason"].sort();
const MESSAGE_KEYS = ["accountId", "attachments", "contactId", "content", "conversationId", "createdAt", "direction", "error", "id", "isFromBot", "origin", "readAt", "sentAt", "status", "twitterMessageId", "type"];

const pool = () => h.database.pool;

/** One merchant with an account, a contact and an open conversation, and tokens for each role. */
async function inbox(opts: { optedOut?: boolean; accountStatus?: "active" | "inactive"; conversationStatus?: "open" | "closed" } = {}) {
  const merchantId = newMerchant();
  const accountId = await insertAccount(pool(), { merchantId, status: opts.accountStatus ?? "active" });
  const contactId = await insertInboxContact(pool(), { merchantId, accountId, optedOut: opts.optedOut ?? false });
  const conversationId = await insertInboxConversation(pool(), { merchantId, accountId, contactId, status: opts.conversationStatus ?? "open" });
  const userId = randomUUID();
  return {
    merchantId,
    accountId,
    contactId,
    conversationId,
    userId,
    agent: await h.token({ merchantId, role: "agent", sub: userId }),
    viewer: await h.token({ merchantId, role: "viewer" }),
    admin: await h.token({ merchantId, role: "admin" }),
    owner: await h.token({ merchantId, role: "owner" }),
  };
}

const list = (token: string, query = "") => h.call<Success<ConversationBody[]>>("GET", `/conversations${query}`, { token });
const get = (token: string, id: string, query = "") => h.call<Success<ConversationBody>>("GET", `/conversations/${id}${query}`, { token });
const send = (token: string, id: string, body: unknown, headers: Record<string, string> = {}) =>
  h.call<Success<MessageBody>>("POST", `/conversations/${id}/messages`, { token, body, headers });
const close = (token: string, id: string, body?: unknown) => h.call<Success<ConversationBody>>("PUT", `/conversations/${id}/close`, { token, body });
const assign = (token: string, id: string, body: unknown) => h.call<Success<ConversationBody>>("POST", `/conversations/${id}/assign`, { token, body });

async function conversationRow(id: string) {
  const { rows } = await pool().query<{ status: string; message_count: number; last_message_at: Date | null; closed_at: Date | null; close_reason: string | null; assigned_to_user_id: string | null }>(
    "SELECT status, message_count, last_message_at, closed_at, close_reason, assigned_to_user_id FROM conversations WHERE id = $1",
    [id],
  );
  return rows[0];
}

async function messageRows(conversationId: string) {
  const { rows } = await pool().query<{ id: string; status: string; automated: boolean; origin: string; direction: string; content: string; attachments: unknown; is_from_bot: boolean; idempotency_key: string | null; created_at: Date; twitter_message_id: string | null; sent_at: Date | null }>(
    "SELECT id, status, automated, origin, direction, content, attachments, is_from_bot, idempotency_key, created_at, twitter_message_id, sent_at FROM messages WHERE conversation_id = $1 ORDER BY created_at, id",
    [conversationId],
  );
  return rows;
}

async function sendJobsFor(messageId: string) {
  const { rows } = await pool().query<{ n: number }>("SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'message.send' AND data->>'messageId' = $1", [messageId]);
  return rows[0]?.n ?? 0;
}

async function allSendJobs() {
  const { rows } = await pool().query<{ n: number }>("SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'message.send'");
  return rows[0]?.n ?? 0;
}

/** Another merchant's id answers exactly what an id that does not exist answers. */
async function expectHiddenLikeMissing(call: (id: string) => Promise<ApiResponse<unknown>>, foreignId: string) {
  const missingId = randomUUID();
  const [foreign, missing] = [await call(foreignId), await call(missingId)];
  expectFailure(foreign, 404, "RESOURCE_NOT_FOUND");
  expectFailure(missing, 404, "RESOURCE_NOT_FOUND");
  expect(foreign.text.replaceAll(foreignId, ":id")).toBe(missing.text.replaceAll(missingId, ":id"));
}

describe("GET /conversations", () => {
  const merchantId = newMerchant();
  let token: string;
  let accountA: string;
  let accountB: string;
  let contactId: string;
  const at = (minute: number) => new Date(Date.UTC(2026, 0, 18, 9, minute));
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    token = await h.token({ merchantId, role: "viewer" });
    accountA = await insertAccount(pool(), { merchantId });
    accountB = await insertAccount(pool(), { merchantId });
    contactId = await insertInboxContact(pool(), { merchantId, accountId: accountA, username: "customer_john", displayName: "John Doe", profileImageUrl: "https://pbs.twimg.com/profile_images/1/john.jpg" });
    const other = async (accountId: string) => insertInboxContact(pool(), { merchantId, accountId });
    // newest activity first, conversations without messages last (newest started first among them)
    ids.recent = await insertInboxConversation(pool(), { merchantId, accountId: accountA, contactId, assignedToUserId: "agent-1", messageCount: 12, startedAt: at(0), lastMessageAt: at(15) });
    ids.older = await insertInboxConversation(pool(), { merchantId, accountId: accountB, contactId: await other(accountB), status: "closed", startedAt: at(1), lastMessageAt: at(10) });
    ids.oldest = await insertInboxConversation(pool(), { merchantId, accountId: accountA, contactId: await other(accountA), assignedToUserId: "agent-2", startedAt: at(2), lastMessageAt: at(5) });
    ids.emptyNew = await insertInboxConversation(pool(), { merchantId, accountId: accountA, contactId: await other(accountA), startedAt: at(30), lastMessageAt: null });
    ids.emptyOld = await insertInboxConversation(pool(), { merchantId, accountId: accountB, contactId: await other(accountB), status: "closed", assignedToUserId: "agent-1", startedAt: at(3), lastMessageAt: null });
    // another merchant's conversation, more recent than all of them
    const foreignMerchant = newMerchant();
    const foreignAccount = await insertAccount(pool(), { merchantId: foreignMerchant });
    await insertInboxConversation(pool(), { merchantId: foreignMerchant, accountId: foreignAccount, contactId: await insertInboxContact(pool(), { merchantId: foreignMerchant, accountId: foreignAccount }), lastMessageAt: at(59) });
  });

  it("answers the merchant's conversations, most recent activity first and those without messages last, with the contact summary", async () => {
    const res = await list(token);
    const data = expectSuccess(res);
    expect(res.body.pagination).toEqual({ page: 1, limit: 20, total: 5, totalPages: 1 });
    expect(data.map((c) => c.id)).toEqual([ids.recent, ids.older, ids.oldest, ids.emptyNew, ids.emptyOld]);
    const first = data[0];
    expect(Object.keys(first ?? {}).sort()).toEqual(LIST_ITEM_KEYS);
    expect(first).toEqual({
      id: ids.recent,
      contactId,
      accountId: accountA,
      status: "open",
      channel: "direct_message",
      threadId: null,
      postUrl: null,
      assignedToUserId: "agent-1",
      messageCount: 12,
      startedAt: at(0).toISOString(),
      lastMessageAt: at(15).toISOString(),
      contact: { username: "customer_john", displayName: "John Doe", profileImageUrl: "https://pbs.twimg.com/profile_images/1/john.jpg" },
      unreadCount: 0,
      escalated: false,
    });
    expect(data[3]).toMatchObject({ id: ids.emptyNew, lastMessageAt: null, assignedToUserId: null, messageCount: 0 });
  });

  it.each([
    ["status=open", () => [ids.recent, ids.oldest, ids.emptyNew]],
    ["status=closed", () => [ids.older, ids.emptyOld]],
    ["assignedTo=agent-1", () => [ids.recent, ids.emptyOld]],
    ["assignedTo=agent-1&status=open", () => [ids.recent]],
    ["assignedTo=nobody-has-this", () => []],
  ])("filters by %s", async (query, expected) => {
    const res = await list(token, `?${query}`);
    expect(expectSuccess(res).map((c) => c.id)).toEqual(expected());
    expect(res.body.pagination?.total).toBe(expected().length);
  });

  it("filters by account, and another merchant's account matches nothing", async () => {
    expect(expectSuccess(await list(token, `?accountId=${accountA}`)).map((c) => c.id)).toEqual([ids.recent, ids.oldest, ids.emptyNew]);
    expect(expectSuccess(await list(token, `?accountId=${accountB}&status=closed`)).map((c) => c.id)).toEqual([ids.older, ids.emptyOld]);
    const foreignAccount = await insertAccount(pool(), { merchantId: newMerchant() });
    const res = await list(token, `?accountId=${foreignAccount}`);
    expect(expectSuccess(res)).toEqual([]);
    expect(res.body.pagination).toEqual({ page: 1, limit: 20, total: 0, totalPages: 0 });
  });

  it("pages with skip/take in the same order", async () => {
    const res = await list(token, "?skip=2&take=2");
    expect(expectSuccess(res).map((c) => c.id)).toEqual([ids.oldest, ids.emptyNew]);
    expect(res.body.pagination).toEqual({ page: 2, limit: 2, total: 5, totalPages: 3 });
  });

  it.each([
    ["status=pending", "status"],
    ["accountId=not-a-uuid", "accountId"],
    ["take=101", "take"],
    ["skip=-1", "skip"],
    [`assignedTo=${"u".repeat(129)}`, "assignedTo"],
  ])("refuses %s with 400 naming %s", async (query, field) => {
    const failure = expectFailure(await list(token, `?${query}`), 400, "VALIDATION_ERROR");
    expect(detailFields(failure)).toEqual([field]);
  });

  it("answers 401 without a token", async () => {
    expectFailure(await h.call("GET", "/conversations", { token: null }), 401, "UNAUTHORIZED");
  });
});

describe("GET /conversations/{conversationId}", () => {
  it("answers the conversation with its messages oldest first (ties in id order), by default and with includeMessages=true", async () => {
    const s = await inbox();
    const base = { merchantId: s.merchantId, accountId: s.accountId, conversationId: s.conversationId, contactId: s.contactId };
    const t0 = new Date(Date.UTC(2026, 0, 18, 9, 0));
    const t2 = new Date(Date.UTC(2026, 0, 18, 9, 2));
    // inserted out of order; two in the same millisecond
    const [late, tieB, tieA] = ["ffffffff-0000-4000-8000-000000000000", "bbbbbbbb-0000-4000-8000-000000000000", "aaaaaaaa-0000-4000-8000-000000000000"];
    await insertInboxMessage(pool(), { ...base, id: late, direction: "outbound", content: "Hi! What's your order number?", createdAt: t2 });
    await insertInboxMessage(pool(), { ...base, id: tieB, content: "second", createdAt: t0 });
    await insertInboxMessage(pool(), { ...base, id: tieA, content: "Hello, I have a question about my order", createdAt: t0 });
    // another conversation's message stays out
    const otherConversation = await insertInboxConversation(pool(), { merchantId: s.merchantId, accountId: s.accountId, contactId: await insertInboxContact(pool(), { merchantId: s.merchantId, accountId: s.accountId }) });
    await insertInboxMessage(pool(), { ...base, conversationId: otherConversation, createdAt: t0 });

    for (const query of ["", "?includeMessages=true", "?includeMessages=1"]) {
      const data = expectSuccess(await get(s.viewer, s.conversationId, query));
      expect(Object.keys(data).sort()).toEqual([...DETAILS_KEYS, "messages", "messagesCursor"].sort());
      expect(data.messagesCursor).toBeNull();
      expect(data).toMatchObject({ id: s.conversationId, contactId: s.contactId, accountId: s.accountId, status: "open", channel: "direct_message", closedAt: null, closeReason: null });
      const messages = data.messages ?? [];
      expect(messages.map((m) => m.id)).toEqual([tieA, tieB, late]);
      expect(Object.keys(messages[0] ?? {}).sort()).toEqual([...MESSAGE_KEYS].sort());
      expect(messages[0]).toMatchObject({ conversationId: s.conversationId, direction: "inbound", type: "text", content: "Hello, I have a question about my order", attachments: [], isFromBot: false, sentAt: t0.toISOString() });
      expect(messages[2]).toMatchObject({ direction: "outbound", status: "sent", sentAt: t2.toISOString() });
    }
  });

  it("pages a long conversation: the newest 50 first (shown oldest first), a cursor to each older page, every message once", async () => {
    const s = await inbox();
    const base = { merchantId: s.merchantId, accountId: s.accountId, conversationId: s.conversationId, contactId: s.contactId };
    const t0 = Date.UTC(2026, 0, 18, 9, 0);
    const ids: string[] = [];
    // 130 messages, every pair sharing a millisecond (ties broken by id)
    for (let i = 0; i < 130; i++) ids.push(await insertInboxMessage(pool(), { ...base, content: `m${i}`, createdAt: new Date(t0 + Math.floor(i / 2) * 1000) }));
    const { rows } = await pool().query<{ id: string }>("SELECT id FROM messages WHERE conversation_id = $1 ORDER BY created_at, id", [s.conversationId]);
    const chronological = rows.map((r) => r.id);

    const first = expectSuccess(await get(s.agent, s.conversationId));
    expect(first.messages?.map((m) => m.id)).toEqual(chronological.slice(-50));
    expect(first.messagesCursor).toEqual(expect.any(String));

    // a message arriving meanwhile does not shift the older pages
    await insertInboxMessage(pool(), { ...base, content: "late", createdAt: new Date(t0 + 999_000) });
    const second = expectSuccess(await get(s.agent, s.conversationId, `?messagesBefore=${first.messagesCursor}`));
    expect(second.messages?.map((m) => m.id)).toEqual(chronological.slice(-100, -50));
    const third = expectSuccess(await get(s.agent, s.conversationId, `?messagesBefore=${second.messagesCursor}&messagesLimit=200`));
    expect(third.messages?.map((m) => m.id)).toEqual(chronological.slice(0, 30));
    expect(third.messagesCursor).toBeNull();

    const small = expectSuccess(await get(s.agent, s.conversationId, "?messagesLimit=1"));
    expect(small.messages?.map((m) => m.content)).toEqual(["late"]);
  });

  it.each([
    ["?messagesLimit=0", "messagesLimit"],
    ["?messagesLimit=201", "messagesLimit"],
    ["?messagesLimit=ten", "messagesLimit"],
    ["?messagesBefore=not-a-cursor", "messagesBefore"],
    [`?messagesBefore=${Buffer.from("2026-01-01T00:00:00.000Z|x").toString("base64url")}`, "messagesBefore"],
  ])("refuses %s with 400 naming the field", async (query, field) => {
    const s = await inbox();
    const failure = expectFailure(await get(s.viewer, s.conversationId, query), 400, "VALIDATION_ERROR");
    expect(detailFields(failure)).toEqual([field]);
  });

  it.each(["false", "0"])("leaves messages out with includeMessages=%s (the string, not coerced to true)", async (value) => {
    const s = await inbox();
    await insertInboxMessage(pool(), { merchantId: s.merchantId, accountId: s.accountId, conversationId: s.conversationId, contactId: s.contactId });
    const data = expectSuccess(await get(s.viewer, s.conversationId, `?includeMessages=${value}`));
    expect(data).not.toHaveProperty("messages");
    expect(Object.keys(data).sort()).toEqual(DETAILS_KEYS);
  });

  it("takes a real boolean from tRPC clients", async () => {
    const s = await inbox();
    await insertInboxMessage(pool(), { merchantId: s.merchantId, accountId: s.accountId, conversationId: s.conversationId, contactId: s.contactId });
    const call = (includeMessages: boolean) =>
      h.call<{ result: { data: ConversationBody } }>("GET", `${h.url}/trpc/conversations.get?input=${encodeURIComponent(JSON.stringify({ conversationId: s.conversationId, includeMessages }))}`, { token: s.viewer });
    const without = await call(false);
    expect(without.status).toBe(200);
    expect(without.body.result.data).not.toHaveProperty("messages");
    expect((await call(true)).body.result.data.messages).toHaveLength(1);
  });

  it.each(["yes", "2", "01", "False"])("refuses includeMessages=%s with 400", async (value) => {
    const s = await inbox();
    const failure = expectFailure(await get(s.viewer, s.conversationId, `?includeMessages=${value}`), 400, "VALIDATION_ERROR");
    expect(detailFields(failure)).toEqual(["includeMessages"]);
  });

  it("answers 404 for an unknown id, a non-UUID id and another merchant's conversation alike", async () => {
    const mine = await inbox();
    const theirs = await inbox();
    await expectHiddenLikeMissing((id) => get(mine.owner, id), theirs.conversationId);
    expectFailure(await get(mine.owner, "not-a-uuid"), 404, "RESOURCE_NOT_FOUND");
    // and theirs is really there for them
    expectSuccess(await get(theirs.viewer, theirs.conversationId));
  });
});

const noQueue: JobQueue = {
  async send() {},
  async sendMany() {},
  async deadLetter() {},
};

describe("POST /conversations/{conversationId}/messages", () => {
  it("queues the reply with its send job, and answers the message (queued, no X id yet)", async () => {
    const s = await inbox();
    const jobsBefore = await allSendJobs();
    const before = Date.now();
    const res = await send(s.agent, s.conversationId, { content: "Your order #12345 has been shipped!", type: "text" });
    const message = expectSuccess(res);
    expect(Object.keys(message).sort()).toEqual([...MESSAGE_KEYS].sort());
    expect(message).toMatchObject({
      conversationId: s.conversationId,
      accountId: s.accountId,
      contactId: s.contactId,
      twitterMessageId: null,
      direction: "outbound",
      type: "text",
      content: "Your order #12345 has been shipped!",
      attachments: [],
      isFromBot: false,
      origin: "inbox",
      status: "queued",
      error: null,
      sentAt: null,
      readAt: null,
    });

    const rows = await messageRows(s.conversationId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id: message.id, status: "queued", automated: false, origin: "inbox", direction: "outbound", is_from_bot: false });
    expect(await sendJobsFor(message.id)).toBe(1);
    expect(await allSendJobs()).toBe(jobsBefore + 1);

    const conversation = await conversationRow(s.conversationId);
    expect(conversation?.message_count).toBe(1);
    expect(conversation?.last_message_at?.toISOString()).toBe(message.createdAt);
    expect(Date.parse(message.createdAt)).toBeGreaterThanOrEqual(before - 1000);
    // the list shows the activity
    expect(expectSuccess(await list(s.viewer)).find((c) => c.id === s.conversationId)).toMatchObject({ messageCount: 1, lastMessageAt: message.createdAt });
  });

  it("writes the message and its job in one transaction: when the job cannot be written, neither is", async () => {
    const s = await inbox();
    await pool().query(`CREATE FUNCTION refuse_send_jobs() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'no send jobs now'; END $$`);
    await pool().query(`CREATE TRIGGER refuse_send_jobs BEFORE INSERT ON pgboss.job FOR EACH ROW WHEN (NEW.name = 'message.send') EXECUTE FUNCTION refuse_send_jobs()`);
    try {
      expectFailure(await send(s.agent, s.conversationId, { content: "lost?" }), 500, "INTERNAL_ERROR");
    } finally {
      await pool().query("DROP TRIGGER refuse_send_jobs ON pgboss.job");
      await pool().query("DROP FUNCTION refuse_send_jobs()");
    }
    expect(await messageRows(s.conversationId)).toEqual([]);
    expect(await conversationRow(s.conversationId)).toMatchObject({ message_count: 0, last_message_at: null });
    // and with the queue back, the same request goes through
    expectSuccess(await send(s.agent, s.conversationId, { content: "lost?" }));
  });

  it("accepts exactly 10,000 characters and defaults the type to text", async () => {
    const s = await inbox();
    const content = "a".repeat(10_000);
    const message = expectSuccess(await send(s.agent, s.conversationId, { content }));
    expect(message).toMatchObject({ type: "text", status: "queued" });
    expect(message.content).toHaveLength(10_000);
  });

  it.each([
    ["10,001 characters", { content: "a".repeat(10_001) }, ["content"]],
    ["empty content", { content: "" }, ["content"]],
    ["blank content", { content: " \n\t " }, ["content"]],
    ["no content", {}, ["content"]],
    ["a number for content", { content: 42 }, ["content"]],
    ["options on a text message", { content: "hi", quickReplies: [{ label: "Yes" }] }, ["quickReplies"]],
    ["an unknown type", { content: "hi", type: "image" }, ["type"]],
    ["a NUL character", { content: "nul\u0000byte" }, ["content"]],
    ["an unpaired surrogate", { content: "broken \uD83D emoji" }, ["content"]],
    ["a NUL in an attachment URL", { content: "hi", attachments: [{ type: "image", url: "https://example.com/a\u0000.png" }] }, ["attachments.0.url"]],
    ["21 quick replies", { content: "hi", type: "quick_reply", quickReplies: Array.from({ length: 21 }, (_, i) => ({ label: `o${i}` })) }, ["quickReplies"]],
    ["a button without a URL", { content: "hi", type: "card", buttons: [{ label: "Go" }] }, ["buttons.0.url"]],
    ["options that push the text past 10,000 characters", { content: "a".repeat(9_995), type: "quick_reply", quickReplies: [{ label: "Yes" }, { label: "No" }] }, ["content"]],
    ["an unknown field", { content: "hi", twitterMessageId: "1" }, ["twitterMessageId"]],
    ["a non-http attachment", { content: "hi", attachments: [{ type: "image", url: "ftp://example.com/a.png" }] }, ["attachments.0.url"]],
    ["an unknown attachment type", { content: "hi", attachments: [{ type: "audio", url: "https://example.com/a.mp3" }] }, ["attachments.0.type"]],
    ["two attachments (X takes one per DM)", { content: "hi", attachments: Array.from({ length: 2 }, () => ({ type: "image", url: "https://example.com/a.png" })) }, ["attachments"]],
  ])("refuses %s with 400 VALIDATION_ERROR, storing and enqueueing nothing", async (_label, body, fields) => {
    const s = await inbox();
    const jobs = await allSendJobs();
    const failure = expectFailure(await send(s.agent, s.conversationId, body), 400, "VALIDATION_ERROR");
    expect(detailFields(failure)).toEqual(fields);
    expect(await messageRows(s.conversationId)).toEqual([]);
    expect(await allSendJobs()).toBe(jobs);
  });

  it("sends quick replies as numbered options and cards with their buttons, keeping them with the message", async () => {
    const s = await inbox();
    const quickReplies = [{ label: "Yes", metadata: "yes" }, { label: "No", description: "not now" }];
    const qr = expectSuccess(await send(s.agent, s.conversationId, { content: "Shall we ship today?", type: "quick_reply", quickReplies }));
    expect(qr).toMatchObject({ type: "quick_reply", content: "Shall we ship today?\n\n1. Yes\n2. No – not now", quickReplies, status: "queued" });
    const buttons = [{ label: "Track", url: "https://shop.example.com/track/1" }];
    const card = expectSuccess(await send(s.agent, s.conversationId, { content: "On its way", type: "card", buttons }));
    expect(card).toMatchObject({ type: "card", content: "On its way\n\nTrack: https://shop.example.com/track/1", buttons });
    const read = expectSuccess(await get(s.viewer, s.conversationId)).messages ?? [];
    expect(read.map((m) => [m.type, m.quickReplies, m.buttons])).toEqual([["quick_reply", quickReplies, undefined], ["card", undefined, buttons]]);
  });

  it("answers a retry with the same Idempotency-Key with the first message: one row, one job", async () => {
    const s = await inbox();
    const jobs = await allSendJobs();
    const headers = { "Idempotency-Key": "reply-42" };
    const first = expectSuccess(await send(s.agent, s.conversationId, { content: "Once only" }, headers));
    const again = expectSuccess(await send(s.agent, s.conversationId, { content: "Once only" }, headers));
    expect(again).toEqual(first);
    expect(await messageRows(s.conversationId)).toHaveLength(1);
    expect((await messageRows(s.conversationId))[0]?.idempotency_key).toBe(`hdr:${s.userId}:reply-42`);
    expect(await sendJobsFor(first.id)).toBe(1);
    expect(await allSendJobs()).toBe(jobs + 1);
    expect((await conversationRow(s.conversationId))?.message_count).toBe(1);
  });

  it("makes a new message for every request without the header, and for another key", async () => {
    const s = await inbox();
    const a = expectSuccess(await send(s.agent, s.conversationId, { content: "same words" }));
    const b = expectSuccess(await send(s.agent, s.conversationId, { content: "same words" }));
    const c = expectSuccess(await send(s.agent, s.conversationId, { content: "same words" }, { "Idempotency-Key": "k1" }));
    const d = expectSuccess(await send(s.agent, s.conversationId, { content: "same words" }, { "Idempotency-Key": "k2" }));
    expect(new Set([a.id, b.id, c.id, d.id]).size).toBe(4);
    expect(await messageRows(s.conversationId)).toHaveLength(4);
    expect((await conversationRow(s.conversationId))?.message_count).toBe(4);
  });

  it("keeps keys per user: another agent's same key is another message", async () => {
    const s = await inbox();
    const otherAgent = await h.token({ merchantId: s.merchantId, role: "agent" });
    const headers = { "Idempotency-Key": "shared-key" };
    const mine = expectSuccess(await send(s.agent, s.conversationId, { content: "hello" }, headers));
    const theirs = expectSuccess(await send(otherAgent, s.conversationId, { content: "hello" }, headers));
    expect(theirs.id).not.toBe(mine.id);
  });

  it("answers 409 when a key is reused for a different message, sending nothing more", async () => {
    const s = await inbox();
    const headers = { "Idempotency-Key": "reused" };
    expectSuccess(await send(s.agent, s.conversationId, { content: "first" }, headers));
    const jobs = await allSendJobs();
    expectFailure(await send(s.agent, s.conversationId, { content: "second" }, headers), 409, "CONFLICT");
    expect(await messageRows(s.conversationId)).toHaveLength(1);
    expect(await allSendJobs()).toBe(jobs);
  });

  it.each([
    ["an empty key", ""],
    ["an oversized key", "k".repeat(256)],
  ])("refuses %s with 400", async (_label, key) => {
    const s = await inbox();
    const failure = expectFailure(await send(s.agent, s.conversationId, { content: "hi" }, { "Idempotency-Key": key }), 400, "VALIDATION_ERROR");
    expect(detailFields(failure)).toEqual(["Idempotency-Key"]);
    expect(await messageRows(s.conversationId)).toEqual([]);
  });

  it("reopens a closed conversation it replies in", async () => {
    const s = await inbox({ conversationStatus: "closed" });
    await pool().query("UPDATE conversations SET close_reason = 'resolved' WHERE id = $1", [s.conversationId]);
    expectSuccess(await send(s.agent, s.conversationId, { content: "One more thing about your order" }));
    expect(await conversationRow(s.conversationId)).toMatchObject({ status: "open", closed_at: null, close_reason: null, message_count: 1 });
    expect(expectSuccess(await get(s.viewer, s.conversationId, "?includeMessages=false"))).toMatchObject({ status: "open", closedAt: null, closeReason: null });
  });

  it("answers 409 naming the open conversation when the contact started another since, storing nothing", async () => {
    const s = await inbox({ conversationStatus: "closed" });
    const open = await insertInboxConversation(pool(), { merchantId: s.merchantId, accountId: s.accountId, contactId: s.contactId });
    const failure = expectFailure(await send(s.agent, s.conversationId, { content: "hello again" }), 409, "CONFLICT");
    expect(failure.details).toMatchObject({ field: "conversationId", openConversationId: open });
    expect(await messageRows(s.conversationId)).toEqual([]);
    expect((await conversationRow(s.conversationId))?.status).toBe("closed");
  });

  it("answers 409 when the contact's new conversation appears while the reply is being written (the race), storing nothing", async () => {
    const s = await inbox({ conversationStatus: "closed" });
    // an inbound DM opening a conversation between the service's check and its reopen, simulated
    // by a trigger on the reply's insert (it runs inside the reply's transaction)
    await pool().query(`CREATE FUNCTION open_rival_conversation() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
      INSERT INTO conversations (merchant_id, account_id, contact_id, status, updated_at) VALUES (NEW.merchant_id, NEW.account_id, NEW.contact_id, 'open', now());
      RETURN NEW; END $$`);
    await pool().query(`CREATE TRIGGER open_rival_conversation BEFORE INSERT ON messages FOR EACH ROW WHEN (NEW.origin = 'inbox') EXECUTE FUNCTION open_rival_conversation()`);
    try {
      const failure = expectFailure(await send(s.agent, s.conversationId, { content: "hello again" }), 409, "CONFLICT");
      expect(failure.details).toMatchObject({ field: "conversationId" });
    } finally {
      await pool().query("DROP TRIGGER open_rival_conversation ON messages");
      await pool().query("DROP FUNCTION open_rival_conversation()");
    }
    expect(await messageRows(s.conversationId)).toEqual([]);
    const { rows } = await pool().query("SELECT status FROM conversations WHERE contact_id = $1", [s.contactId]);
    expect(rows).toEqual([{ status: "closed" }]);
  });

  it("refuses with 400 when the account is not connected, storing nothing", async () => {
    const s = await inbox({ accountStatus: "inactive" });
    const jobs = await allSendJobs();
    const failure = expectFailure(await send(s.agent, s.conversationId, { content: "hello" }), 400, "VALIDATION_ERROR");
    expect(failure.error).toBe("account is not connected");
    expect(await messageRows(s.conversationId)).toEqual([]);
    expect(await allSendJobs()).toBe(jobs);
  });

  it("answers 404 for an unknown, non-UUID or another merchant's conversation, storing nothing there", async () => {
    const mine = await inbox();
    const theirs = await inbox();
    await expectHiddenLikeMissing((id) => send(mine.owner, id, { content: "hi" }), theirs.conversationId);
    expectFailure(await send(mine.owner, "not-a-uuid", { content: "hi" }), 404, "RESOURCE_NOT_FOUND");
    expect(await messageRows(theirs.conversationId)).toEqual([]);
  });

  it("lets agents, admins and owners reply, and refuses viewers with 403", async () => {
    const s = await inbox();
    for (const token of [s.agent, s.admin, s.owner]) expectSuccess(await send(token, s.conversationId, { content: "hi" }));
    expectFailure(await send(s.viewer, s.conversationId, { content: "hi" }), 403, "FORBIDDEN");
    expect(await messageRows(s.conversationId)).toHaveLength(3);
  });

  it("with immediate delivery (as main.ts runs), answers the message X accepted, with its id and sentAt, sent once", async () => {
    const api = await h.startInstance({ deliverNow: true });
    const merchantId = newMerchant();
    const agent = await h.token({ merchantId, role: "agent" });
    const { user: shop, account } = await connectAccount(h, { token: await h.token({ merchantId, role: "admin" }) });
    const customer = h.sandbox.addUser({ username: uniqueUsername("fast") });
    const contactId = await insertInboxContact(pool(), { merchantId, accountId: account.id, twitterUserId: customer.id });
    const conversationId = await insertInboxConversation(pool(), { merchantId, accountId: account.id, contactId });
    const body = { content: "Your order #12345 has been shipped!", type: "text" };
    const sent = expectSuccess(await h.call<Success<MessageBody>>("POST", `${api.base}/conversations/${conversationId}/messages`, { token: agent, body }));
    const dms = h.sandbox.dms().filter((dm) => dm.recipientId === customer.id);
    expect(dms).toHaveLength(1);
    expect(dms[0]).toMatchObject({ senderId: shop.id, text: body.content });
    expect(sent).toMatchObject({ conversationId, direction: "outbound", type: "text", content: body.content, status: "sent", twitterMessageId: dms[0]?.dmEventId });
    expect(Date.parse(sent.sentAt ?? "")).not.toBeNaN();
    // the queued job stays, and finds nothing left to do
    expect(await sendJobsFor(sent.id)).toBe(1);
    expect(await sendMessage({ db: h.database.db, x: createTwitterXClient({ baseUrl: h.sandbox.url ?? "", consumerKey: CONSUMER_KEY, consumerSecret: CONSUMER_SECRET }), cipher: createTokenCipher(h.encryptionKey), queue: noQueue, windows: null }, sent.id)).toEqual({ status: "skipped", reason: "already sent" });
    expect(h.sandbox.dms().filter((dm) => dm.recipientId === customer.id)).toHaveLength(1);

    // X failing: the answer is the queued message, left to the worker's retries
    h.sandbox.addFault({ method: "POST", path: "/2/dm_conversations", status: 503 });
    const later = expectSuccess(await h.call<Success<MessageBody>>("POST", `${api.base}/conversations/${conversationId}/messages`, { token: agent, body: { content: "one more thing" } }));
    // (after a 5xx X may still have the DM: the message stays `sending` until the pipeline settles it)
    expect(later).toMatchObject({ status: "sending", twitterMessageId: null, sentAt: null });
    expect(h.sandbox.dms().filter((dm) => dm.recipientId === customer.id)).toHaveLength(1);
  });

  it("an agent's reply to an opted-out contact is accepted (not automated) and the send pipeline delivers it to X exactly once", async () => {
    const merchantId = newMerchant();
    const userId = randomUUID();
    const agent = await h.token({ merchantId, role: "agent", sub: userId });
    const { user: shop, account } = await connectAccount(h, { token: await h.token({ merchantId, role: "admin" }) });
    const customer = h.sandbox.addUser({ username: uniqueUsername("customer") });
    const contactId = await insertInboxContact(pool(), { merchantId, accountId: account.id, twitterUserId: customer.id, optedOut: true });
    const conversationId = await insertInboxConversation(pool(), { merchantId, accountId: account.id, contactId });
    const text = "Your order #12345 has been shipped!";

    const queued = expectSuccess(await send(agent, conversationId, { content: text }, { "Idempotency-Key": "ship-12345" }));
    expect(queued).toMatchObject({ status: "queued", twitterMessageId: null, sentAt: null });
    expect((await messageRows(conversationId))[0]).toMatchObject({ id: queued.id, automated: false, status: "queued" });
    expect(await sendJobsFor(queued.id)).toBe(1);

    const sandboxUrl = h.sandbox.url;
    if (!sandboxUrl) throw new Error("the sandbox is not listening");
    const x = createTwitterXClient({ baseUrl: sandboxUrl, consumerKey: CONSUMER_KEY, consumerSecret: CONSUMER_SECRET });
    // the pipeline enqueues only to defer or retry: a recording queue shows it did neither
    const enqueued: string[] = [];
    const queue: JobQueue = {
      async send(name) {
        enqueued.push(name);
      },
      async sendMany(name) {
        enqueued.push(name);
      },
      async deadLetter() {
        enqueued.push("dead-letter");
      },
    };
    const deps: SendPipelineDeps = { db: h.database.db, x, cipher: createTokenCipher(h.encryptionKey), queue, windows: null };
    const toCustomer = () => h.sandbox.dms().filter((dm) => dm.recipientId === customer.id);
    try {
      expect(toCustomer()).toEqual([]);
      const outcome = await sendMessage(deps, queued.id);
      expect(outcome).toMatchObject({ status: "sent", reconciled: false });
      const dms = toCustomer();
      expect(dms).toHaveLength(1);
      expect(dms[0]).toMatchObject({ senderId: shop.id, recipientId: customer.id, text });
      expect(shop.id).toBe(account.twitterUserId);
      const dmEventId = dms[0]?.dmEventId;
      expect(outcome).toEqual({ status: "sent", twitterMessageId: dmEventId, reconciled: false });

      const row = (await messageRows(conversationId))[0];
      expect(row).toMatchObject({ id: queued.id, status: "sent", twitter_message_id: dmEventId, automated: false });
      expect(row?.sent_at).toBeInstanceOf(Date);
      const shown = expectSuccess(await get(agent, conversationId)).messages?.[0];
      expect(shown).toMatchObject({ id: queued.id, status: "sent", twitterMessageId: dmEventId, sentAt: row?.sent_at?.toISOString() });

      // a second run (a redelivered job) sends nothing more, and so does a replayed request
      expect(await sendMessage(deps, queued.id)).toMatchObject({ status: "skipped" });
      expect(expectSuccess(await send(agent, conversationId, { content: text }, { "Idempotency-Key": "ship-12345" }))).toMatchObject({ id: queued.id, status: "sent", twitterMessageId: dmEventId });
      expect(toCustomer()).toHaveLength(1);
      expect(await sendJobsFor(queued.id)).toBe(1);
      expect(enqueued).toEqual([]);
    } finally {
      x.close();
    }
  });
});

describe("PUT /conversations/{conversationId}/close", () => {
  it("closes with no body and no content type", async () => {
    const s = await inbox();
    const before = Date.now();
    const res = await h.call<Success<ConversationBody>>("PUT", `/conversations/${s.conversationId}/close`, { token: s.agent });
    const data = expectSuccess(res);
    expect(Object.keys(data).sort()).toEqual(CONVERSATION_KEYS);
    expect(data).toMatchObject({ id: s.conversationId, status: "closed", closeReason: null });
    expect(Date.parse(data.closedAt ?? "")).toBeGreaterThanOrEqual(before - 1000);
    expect(await conversationRow(s.conversationId)).toMatchObject({ status: "closed", close_reason: null });
  });

  it("closes with an empty JSON body, and with a reason", async () => {
    const a = await inbox();
    expect(expectSuccess(await h.call<Success<ConversationBody>>("PUT", `/conversations/${a.conversationId}/close`, { token: a.agent, rawBody: "", headers: { "content-type": "application/json" } }))).toMatchObject({ status: "closed" });
    const b = await inbox();
    expect(expectSuccess(await close(b.agent, b.conversationId, { reason: "resolved" }))).toMatchObject({ status: "closed", closeReason: "resolved" });
    expect(await conversationRow(b.conversationId)).toMatchObject({ status: "closed", close_reason: "resolved" });
  });

  it("is idempotent: closing again changes nothing", async () => {
    const s = await inbox();
    const first = expectSuccess(await close(s.agent, s.conversationId, { reason: "resolved" }));
    const second = expectSuccess(await close(s.admin, s.conversationId, { reason: "spam" }));
    expect(second).toEqual(first);
    expect(expectSuccess(await close(s.owner, s.conversationId))).toEqual(first);
  });

  it.each([
    ["a reason over 200 characters", { reason: "r".repeat(201) }, ["reason"]],
    ["a blank reason", { reason: "  " }, ["reason"]],
    ["a number for reason", { reason: 5 }, ["reason"]],
    ["an unknown field", { why: "x" }, ["why"]],
  ])("refuses %s with 400, leaving it open", async (_label, body, fields) => {
    const s = await inbox();
    const failure = expectFailure(await close(s.agent, s.conversationId, body), 400, "VALIDATION_ERROR");
    expect(detailFields(failure)).toEqual(fields);
    expect((await conversationRow(s.conversationId))?.status).toBe("open");
  });

  it("accepts a reason of exactly 200 characters", async () => {
    const s = await inbox();
    expect(expectSuccess(await close(s.agent, s.conversationId, { reason: "r".repeat(200) })).closeReason).toHaveLength(200);
  });

  it("answers 404 for unknown and other merchants' conversations alike, and 403 to viewers", async () => {
    const mine = await inbox();
    const theirs = await inbox();
    await expectHiddenLikeMissing((id) => close(mine.owner, id), theirs.conversationId);
    expectFailure(await close(mine.owner, "not-a-uuid"), 404, "RESOURCE_NOT_FOUND");
    expect((await conversationRow(theirs.conversationId))?.status).toBe("open");
    expectFailure(await close(mine.viewer, mine.conversationId), 403, "FORBIDDEN");
    expect((await conversationRow(mine.conversationId))?.status).toBe("open");
  });
});

describe("POST /conversations/{conversationId}/assign", () => {
  it("assigns, reassigns and unassigns with null", async () => {
    const s = await inbox();
    const assigned = expectSuccess(await assign(s.agent, s.conversationId, { userId: "user-uuid" }));
    expect(Object.keys(assigned).sort()).toEqual(CONVERSATION_KEYS);
    expect(assigned).toMatchObject({ id: s.conversationId, assignedToUserId: "user-uuid", status: "open" });
    expect(expectSuccess(await list(s.viewer, "?assignedTo=user-uuid")).map((c) => c.id)).toEqual([s.conversationId]);

    expect(expectSuccess(await assign(s.admin, s.conversationId, { userId: "someone-else" })).assignedToUserId).toBe("someone-else");
    expect(expectSuccess(await assign(s.owner, s.conversationId, { userId: null })).assignedToUserId).toBeNull();
    expect((await conversationRow(s.conversationId))?.assigned_to_user_id).toBeNull();
  });

  it("assigns a closed conversation without reopening it", async () => {
    const s = await inbox({ conversationStatus: "closed" });
    expect(expectSuccess(await assign(s.agent, s.conversationId, { userId: "u1" }))).toMatchObject({ status: "closed", assignedToUserId: "u1" });
  });

  it.each([
    ["no userId", {}],
    ["an empty userId", { userId: "" }],
    ["a userId over 128 characters", { userId: "u".repeat(129) }],
    ["a number", { userId: 7 }],
  ])("refuses %s with 400", async (_label, body) => {
    const s = await inbox();
    const failure = expectFailure(await assign(s.agent, s.conversationId, body), 400, "VALIDATION_ERROR");
    expect(detailFields(failure)).toEqual(["userId"]);
    expect((await conversationRow(s.conversationId))?.assigned_to_user_id).toBeNull();
  });

  it("answers 404 for unknown and other merchants' conversations alike, and 403 to viewers", async () => {
    const mine = await inbox();
    const theirs = await inbox();
    await expectHiddenLikeMissing((id) => assign(mine.owner, id, { userId: "u1" }), theirs.conversationId);
    expectFailure(await assign(mine.owner, "not-a-uuid", { userId: "u1" }), 404, "RESOURCE_NOT_FOUND");
    expect((await conversationRow(theirs.conversationId))?.assigned_to_user_id).toBeNull();
    expectFailure(await assign(mine.viewer, mine.conversationId, { userId: "u1" }), 403, "FORBIDDEN");
    expect((await conversationRow(mine.conversationId))?.assigned_to_user_id).toBeNull();
  });
});

describe("the conversations in the OpenAPI document", () => {
  type Json = Record<string, unknown>;
  const isObj = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
  const at = (root: unknown, ...path: string[]): Json => {
    let node = root;
    for (const key of path) {
      if (!isObj(node) || !(key in node)) throw new Error(`the document has no ${path.join(" › ")}`);
      node = node[key];
    }
    if (!isObj(node)) throw new Error(`${path.join(" › ")} is not an object`);
    return node;
  };
  const OPERATIONS = [
    ["/conversations", "get", ["400", "401"]],
    ["/conversations/{conversationId}", "get", ["400", "401", "404"]],
    ["/conversations/{conversationId}/messages", "post", ["400", "401", "403", "404", "409"]],
    ["/conversations/{conversationId}/close", "put", ["400", "401", "403", "404"]],
    ["/conversations/{conversationId}/assign", "post", ["400", "401", "403", "404"]],
  ] as const;

  it("documents every endpoint of the seed with bearer security and its error responses", async () => {
    const doc = (await h.call<Json>("GET", "/openapi.json", { token: null })).body;
    for (const [path, method, statuses] of OPERATIONS) {
      const op = at(doc, "paths", path, method);
      expect(op.security, `${method} ${path}`).toEqual([{ Authorization: [] }]);
      expect(Object.keys(at(op, "responses")), `${method} ${path}`).toEqual(expect.arrayContaining(["200", ...statuses, "429", "500"]));
    }
  });

  it("documents the optional close body, the Idempotency-Key header and the reopen rule", async () => {
    const doc = (await h.call<Json>("GET", "/openapi.json", { token: null })).body;
    expect(at(doc, "paths", "/conversations/{conversationId}/close", "put", "requestBody").required).toBe(false);
    const sendOp = at(doc, "paths", "/conversations/{conversationId}/messages", "post");
    expect(sendOp.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ in: "header", name: "Idempotency-Key" })]));
    expect(sendOp.description).toMatch(/closed conversation reopens it/);
    expect(at(sendOp, "requestBody", "content", "application/json", "schema", "properties", "content")).toMatchObject({ minLength: 1, maxLength: 10_000 });
    const get = at(doc, "paths", "/conversations/{conversationId}", "get");
    expect(get.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ in: "query", name: "includeMessages" })]));
  });
});
