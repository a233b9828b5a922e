// The inbox's additions to the conversations slice: search, escalated and unassigned filters, the
// unread count and escalation flag of each listed conversation, and reopen.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "./harness.ts";
import { insertAccount, insertInboxContact, insertInboxConversation, insertInboxMessage, newMerchant, type ConversationBody, type Success } from "./factories.ts";
import { expectFailure, expectSuccess } from "./envelope-assertions.ts";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const pool = () => h.database.pool;
type Item = ConversationBody & { unreadCount: number; escalated: boolean };
const list = (token: string, query = "") => h.call<Success<Item[]>>("GET", `/conversations${query}`, { token });
const reopen = (token: string, id: string, body?: unknown) => h.call<Success<ConversationBody>>("PUT", `/conversations/${id}/reopen`, { token, body });
const close = (token: string, id: string) => h.call<Success<ConversationBody>>("PUT", `/conversations/${id}/close`, { token });

async function insertOutbound(opts: { merchantId: string; accountId: string; conversationId: string; contactId: string; createdAt: Date; origin: string; status?: string }) {
  await pool().query(
    `INSERT INTO messages (merchant_id, account_id, conversation_id, contact_id, direction, content, origin, status, created_at, updated_at)
     VALUES ($1, $2, $3, $4, 'outbound', 'hi', $5, $6, $7, $7)`,
    [opts.merchantId, opts.accountId, opts.conversationId, opts.contactId, opts.origin, opts.status ?? "sent", opts.createdAt],
  );
}

describe("GET /conversations: the inbox's filters and counts", () => {
  const merchantId = newMerchant();
  let token: string;
  const ids: Record<string, string> = {};
  const at = (minute: number) => new Date(Date.UTC(2026, 0, 18, 9, minute));

  beforeAll(async () => {
    token = await h.token({ merchantId, role: "viewer" });
    const accountId = await insertAccount(pool(), { merchantId });
    const contact = (username: string, displayName: string | null) => insertInboxContact(pool(), { merchantId, accountId, username, displayName });
    const john = await contact("customer_john", "John Doe");
    const mary = await contact("mary_100%", "Mary Major");
    const bot = await contact("bot_fan", null);
    ids.john = await insertInboxConversation(pool(), { merchantId, accountId, contactId: john, lastMessageAt: at(30) });
    ids.mary = await insertInboxConversation(pool(), { merchantId, accountId, contactId: mary, assignedToUserId: "agent-1", lastMessageAt: at(20) });
    ids.bot = await insertInboxConversation(pool(), { merchantId, accountId, contactId: bot, lastMessageAt: at(10) });
    const m = (conversationId: string, contactId: string) => ({ merchantId, accountId, conversationId, contactId });
    // john: two inbound, an agent reply, then three inbound (3 unread); a campaign and a failed reply after them answer nothing
    for (const minute of [1, 2]) await insertInboxMessage(pool(), { ...m(ids.john, john), createdAt: at(minute) });
    await insertOutbound({ ...m(ids.john, john), createdAt: at(3), origin: "inbox" });
    for (const minute of [4, 5, 6]) await insertInboxMessage(pool(), { ...m(ids.john, john), createdAt: at(minute) });
    await insertOutbound({ ...m(ids.john, john), createdAt: at(7), origin: "campaign" });
    await insertOutbound({ ...m(ids.john, john), createdAt: at(8), origin: "inbox", status: "failed" });
    // mary: answered by a flow after her message (0 unread)
    await insertInboxMessage(pool(), { ...m(ids.mary, mary), createdAt: at(1) });
    await insertOutbound({ ...m(ids.mary, mary), createdAt: at(2), origin: "flow" });
    // bot_fan: one message, never answered; the AI escalated it
    await insertInboxMessage(pool(), { ...m(ids.bot, bot), createdAt: at(1) });
    await pool().query(`INSERT INTO ai_sessions (merchant_id, conversation_id, escalated, escalated_at, escalation_reason) VALUES ($1, $2, true, now(), 'asked for a human')`, [merchantId, ids.bot]);
    // another merchant's conversation with a matching name never shows
    const foreign = newMerchant();
    const foreignAccount = await insertAccount(pool(), { merchantId: foreign });
    await insertInboxConversation(pool(), { merchantId: foreign, accountId: foreignAccount, contactId: await insertInboxContact(pool(), { merchantId: foreign, accountId: foreignAccount, username: "john_elsewhere" }) });
  });

  it("counts the customer's messages since the latest reply, and flags escalated conversations", async () => {
    const data = expectSuccess(await list(token));
    expect(data.map((c) => [c.id, c.unreadCount, c.escalated])).toEqual([
      [ids.john, 3, false],
      [ids.mary, 0, false],
      [ids.bot, 1, true],
    ]);
  });

  it.each([
    ["search=john", () => [ids.john]],
    ["search=%40customer_JOHN", () => [ids.john]],
    ["search=doe", () => [ids.john]],
    ["search=100%25", () => [ids.mary]],
    ["search=_", () => [ids.john, ids.mary, ids.bot]],
    ["search=%25", () => [ids.mary]],
    ["search=nobody", () => []],
    ["escalated=true", () => [ids.bot]],
    ["escalated=false", () => [ids.john, ids.mary]],
    ["escalated=1&search=john", () => []],
    ["unassigned=true", () => [ids.john, ids.bot]],
    ["unassigned=false", () => [ids.mary]],
    ["unassigned=0&escalated=0", () => [ids.mary]],
  ])("filters with %s", async (query, expected) => {
    const res = await list(token, `?${query}`);
    expect(expectSuccess(res).map((c) => c.id)).toEqual(expected());
    expect(res.body.pagination?.total).toBe(expected().length);
  });

  it.each(["escalated=yes", "unassigned=maybe", `search=${"x".repeat(101)}`])("answers 400 to %s", async (query) => {
    expectFailure(await list(token, `?${query}`), 400, "VALIDATION_ERROR");
  });

  it("takes real booleans over tRPC", async () => {
    const res = await fetch(`${h.url}/trpc/conversations.list?input=${encodeURIComponent(JSON.stringify({ escalated: true, unassigned: true }))}`, { headers: { authorization: `Bearer ${token}` } });
    const body = (await res.json()) as { result: { data: { data: Item[] } } };
    expect(body.result.data.data.map((c) => c.id)).toEqual([ids.bot]);
  });

  it("shows the escalation and its reason on the conversation", async () => {
    const res = await h.call<Success<{ escalated: boolean; escalationReason: string | null }>>("GET", `/conversations/${ids.bot}?includeMessages=false`, { token });
    expect(expectSuccess(res)).toMatchObject({ escalated: true, escalationReason: "asked for a human" });
    const plain = await h.call<Success<{ escalated: boolean; escalationReason: string | null }>>("GET", `/conversations/${ids.john}`, { token });
    expect(expectSuccess(plain)).toMatchObject({ escalated: false, escalationReason: null });
  });
});

describe("PUT /conversations/{conversationId}/reopen", () => {
  async function closedConversation() {
    const merchantId = newMerchant();
    const accountId = await insertAccount(pool(), { merchantId });
    const contactId = await insertInboxContact(pool(), { merchantId, accountId });
    const conversationId = await insertInboxConversation(pool(), { merchantId, accountId, contactId, status: "closed", closeReason: "resolved" });
    return { merchantId, accountId, contactId, conversationId, agent: await h.token({ merchantId, role: "agent", sub: randomUUID() }), viewer: await h.token({ merchantId, role: "viewer" }) };
  }

  it("reopens a closed conversation, clearing its close time and reason; reopening again changes nothing", async () => {
    const s = await closedConversation();
    const reopened = expectSuccess(await reopen(s.agent, s.conversationId));
    expect(reopened).toMatchObject({ id: s.conversationId, status: "open", closedAt: null, closeReason: null });
    expect(expectSuccess(await reopen(s.agent, s.conversationId))).toMatchObject({ status: "open" });
    expect(expectSuccess(await close(s.agent, s.conversationId))).toMatchObject({ status: "closed" });
    expect(expectSuccess(await reopen(s.agent, s.conversationId, {}))).toMatchObject({ status: "open" });
  });

  it("answers 409 naming the contact's other open conversation, changing nothing", async () => {
    const s = await closedConversation();
    const open = await insertInboxConversation(pool(), { merchantId: s.merchantId, accountId: s.accountId, contactId: s.contactId });
    const failure = expectFailure(await reopen(s.agent, s.conversationId), 409, "CONFLICT");
    expect(failure.details).toMatchObject({ openConversationId: open });
    const { rows } = await pool().query<{ status: string }>("SELECT status FROM conversations WHERE id = $1", [s.conversationId]);
    expect(rows[0]?.status).toBe("closed");
  });

  it("answers 404 for unknown, non-UUID and other merchants' conversations, 400 to an unknown field, 403 to viewers", async () => {
    const s = await closedConversation();
    const other = await closedConversation();
    expectFailure(await reopen(s.agent, randomUUID()), 404, "RESOURCE_NOT_FOUND");
    expectFailure(await reopen(s.agent, "not-a-uuid"), 404, "RESOURCE_NOT_FOUND");
    expectFailure(await reopen(s.agent, other.conversationId), 404, "RESOURCE_NOT_FOUND");
    expectFailure(await reopen(s.agent, s.conversationId, { reason: "x" }), 400, "VALIDATION_ERROR");
    expectFailure(await reopen(s.viewer, s.conversationId), 403, "FORBIDDEN");
    const { rows } = await pool().query<{ status: string }>("SELECT status FROM conversations WHERE id = $1", [s.conversationId]);
    expect(rows[0]?.status).toBe("closed");
  });
});
