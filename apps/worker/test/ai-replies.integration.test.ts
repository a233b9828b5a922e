// Automatic AI replies end to end: a customer's DM reaches the webhook, the worker's domain.event
// asks the AI (the embedded NLU) and, when allowed, the bot's answer lands in the sandbox.
import { afterEach, describe, expect, it } from "vitest";
import type { SandboxUser } from "@mkt-x/twitter/sandbox";
import { createEmbeddedAiProvider, replyWithAi } from "@mkt-x/core/server";
import { startE2E, type E2E } from "./e2e-harness.ts";
import { eventually } from "./harness.ts";

let e: E2E | undefined;
afterEach(async () => {
  await e?.close();
  e = undefined;
});

const q = async <T = Record<string, unknown>>(env: E2E, sql: string, params: unknown[] = []) => (await env.database.pool.query(sql, params)).rows as T[];
const completedDomainEvents = async (env: E2E) =>
  Number((await q<{ n: string }>(env, "SELECT count(*) AS n FROM pgboss.job WHERE name = 'domain.event' AND state = 'completed'"))[0]?.n ?? 0);
/** waits (polling) until n domain.event jobs completed: after that, any AI reply would already be queued */
const domainEventsDone = (env: E2E, n: number) => eventually(() => completedDomainEvents(env), (c) => c >= n);
const dmsTo = (env: E2E, user: SandboxUser) => env.sandbox.dms().filter((d) => d.recipientId === user.id);
const aiMessages = (env: E2E) => q(env, "SELECT * FROM messages WHERE origin = 'ai'");
const conversationOf = async (env: E2E, user: SandboxUser): Promise<string> => {
  const rows = await q<{ id: string }>(env, "SELECT cv.id FROM conversations cv JOIN contacts c ON c.id = cv.contact_id WHERE c.twitter_user_id = $1 AND cv.status = 'open'", [user.id]);
  const id = rows[0]?.id;
  if (!id) throw new Error(`no open conversation for ${user.id}`);
  return id;
};

async function setup(opts: { aiEnabled: boolean; autoReply: boolean }): Promise<{ env: E2E; shop: SandboxUser; accountId: string; customer: SandboxUser }> {
  const env = await startE2E();
  e = env;
  const { user: shop, accountId } = await env.connect();
  if (opts.aiEnabled) {
    const res = await env.call("PUT", "/ai/settings", { enabled: true });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  }
  if (opts.autoReply) await enableAutoReply(env, accountId);
  await env.startWorker();
  const customer = env.sandbox.addUser({ username: `customer_${Math.random().toString(36).slice(2, 8)}` });
  return { env, shop, accountId, customer };
}

async function enableAutoReply(env: E2E, accountId: string): Promise<void> {
  const res = await env.call("PUT", `/accounts/${accountId}`, { autoReplyEnabled: true });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

describe("automatic AI replies", () => {
  it("answers an order question with one bot DM mentioning the order, stored as origin ai from the bot", async () => {
    const { env, shop, customer } = await setup({ aiEnabled: true, autoReply: true });
    const delivery = await env.sandbox.inboundDm({ fromUserId: customer.id, toUserId: shop.id, text: "What's the status of my order #12345?" });
    expect(delivery).toMatchObject({ delivered: true, status: 200 });

    const dm = await env.sandbox.waitForDm((d) => d.recipientId === customer.id, 15_000);
    expect(dm.text).toContain("12345");
    await domainEventsDone(env, 1);
    const rows = await eventually(() => aiMessages(env), (r) => r.length === 1 && r[0]?.status === "sent");
    expect(rows[0]).toMatchObject({ origin: "ai", is_from_bot: true, automated: true, direction: "outbound", conversation_id: await conversationOf(env, customer) });
    expect(String(rows[0]?.idempotency_key)).toMatch(/^ai:/);
    expect(dmsTo(env, customer)).toHaveLength(1);
    // the bot's DM counts in the conversation like any message
    const conversation = await env.call<{ data: { messageCount: number; lastMessageAt: string } }>("GET", `/conversations/${await conversationOf(env, customer)}?includeMessages=false`);
    expect(conversation.body.data.messageCount).toBe(2);
    expect(Date.parse(conversation.body.data.lastMessageAt)).toBe(new Date(rows[0]?.created_at as Date).getTime());
    // without an order endpoint the bot says a person will check the order, and escalates
    expect(dm.text).toMatch(/pass your question on/);
    const [session] = await q(env, "SELECT escalated, escalation_reason FROM ai_sessions WHERE conversation_id = $1", [await conversationOf(env, customer)]);
    expect(session).toMatchObject({ escalated: true, escalation_reason: "needs_human_answer" });
  });

  it("answers the DM its event names: two questions in quick succession get one answer each, not two answers to the latest", async () => {
    // no worker: the test runs the event's reply itself, after both DMs are stored (as when they arrive together)
    const env = await startE2E();
    e = env;
    const { accountId } = await env.connect();
    expect((await env.call("PUT", "/ai/settings", { enabled: true })).status).toBe(200);
    await enableAutoReply(env, accountId);
    expect((await env.call("POST", "/ai/knowledge/faqs", { question: "How long does delivery take?", answer: "Delivery takes 2 to 4 working days." })).status).toBe(200);
    const customer = env.sandbox.addUser({ username: `quick_${Math.random().toString(36).slice(2, 8)}` });
    const db = env.database.db;
    const contact = await db.contact.create({ data: { merchantId: env.merchantId, accountId, twitterUserId: customer.id, username: customer.username, consentAt: new Date() } });
    const conversation = await db.conversation.create({ data: { merchantId: env.merchantId, accountId, contactId: contact.id } });
    const inbound = (content: string, at: number) =>
      db.message.create({ data: { merchantId: env.merchantId, accountId, conversationId: conversation.id, contactId: contact.id, direction: "inbound", origin: "customer", content, status: "received", createdAt: new Date(at) } });
    const first = await inbound("how long does delivery take?", Date.now() - 2_000);
    const second = await inbound("thank you!", Date.now() - 1_000);

    const deps = { db, ai: createEmbeddedAiProvider(), queue: env.queue, cipher: env.cipher };
    const event = (messageId: string) => ({ type: "message_received", merchantId: env.merchantId, accountId, conversationId: conversation.id, messageId });
    expect(await replyWithAi(deps, event(first.id))).toBe("replied");
    expect(await replyWithAi(deps, event(second.id))).toBe("replied");
    expect(await replyWithAi(deps, event(first.id))).toBe("already_replied");
    const replies = await q<{ idempotency_key: string; content: string }>(env, "SELECT idempotency_key, content FROM messages WHERE conversation_id = $1 AND origin = 'ai' ORDER BY created_at", [conversation.id]);
    expect(replies.map((r) => r.idempotency_key)).toEqual([`ai:${first.id}`, `ai:${second.id}`]);
    expect(replies[0]?.content).toBe("Delivery takes 2 to 4 working days.");
    expect(replies[1]?.content).not.toContain("Delivery takes");
  });

  it("in draft mode stores the answer as a suggestion an agent sends (edited) or dismisses; nothing is sent by the bot", async () => {
    const { env, shop, customer } = await setup({ aiEnabled: true, autoReply: true });
    expect((await env.call("PUT", "/ai/settings", { replyMode: "draft" })).status).toBe(200);
    const faq = await env.call<{ data: { id: string } }>("POST", "/ai/knowledge/faqs", { question: "How long does delivery take?", answer: "Delivery takes 2 to 4 working days." });
    expect(faq.status).toBe(200);
    await env.sandbox.inboundDm({ fromUserId: customer.id, toUserId: shop.id, text: "how long does delivery take?" });
    await domainEventsDone(env, 1);
    const conversationId = await conversationOf(env, customer);
    const rows = await eventually(() => q<{ id: string; content: string; status: string }>(env, "SELECT * FROM ai_suggestions WHERE conversation_id = $1", [conversationId]), (r) => r.length === 1);
    expect(rows[0]).toMatchObject({ content: "Delivery takes 2 to 4 working days.", status: "pending" });
    expect(await aiMessages(env)).toHaveLength(0);
    expect(await q(env, "SELECT data FROM live_events WHERE type = 'suggestion.created'")).toHaveLength(1);
    const shown = await env.call<{ data: { suggestions?: Array<{ id: string; intent: string; sources: Array<{ type: string; id: string }> }> } }>("GET", `/conversations/${conversationId}`);
    const suggestion = shown.body.data.suggestions?.[0];
    expect(suggestion).toMatchObject({ intent: "shipping_query", sources: [{ type: "faq", id: faq.body.data.id }] });
    const sent = await env.call("POST", `/conversations/${conversationId}/messages`, { suggestionId: suggestion?.id, content: "Delivery takes 2 to 4 working days :)" });
    expect(sent.status, JSON.stringify(sent.body)).toBe(200);
    const dm = await env.sandbox.waitForDm((d) => d.recipientId === customer.id, 15_000);
    expect(dm.text).toBe("Delivery takes 2 to 4 working days :)");
    expect((await env.call("POST", `/conversations/${conversationId}/messages`, { suggestionId: suggestion?.id })).status).toBe(400);
    expect((await env.call("DELETE", `/conversations/${conversationId}/suggestions/${suggestion?.id}`)).status).toBe(400);
    expect((await env.call("POST", `/conversations/${conversationId}/messages`, { suggestionId: "00000000-0000-4000-8000-000000000000" })).status).toBe(404);

    // a second question, dismissed
    await env.sandbox.inboundDm({ fromUserId: customer.id, toUserId: shop.id, text: "and how long does delivery take to Hue?" });
    await domainEventsDone(env, 2);
    const pending = await eventually(() => q<{ id: string }>(env, "SELECT id FROM ai_suggestions WHERE status = 'pending'"), (r) => r.length === 1);
    expect((await env.call("DELETE", `/conversations/${conversationId}/suggestions/${pending[0]?.id}`)).status).toBe(200);
    const after = await env.call<{ data: { suggestions?: unknown[] } }>("GET", `/conversations/${conversationId}`);
    expect(after.body.data.suggestions).toBeUndefined();
    expect(dmsTo(env, customer)).toHaveLength(1);
  }, 60_000);

  it("a retry after the reply could not be queued reuses the AI's answer: one turn in the session, one DM", async () => {
    const { env, shop, customer } = await setup({ aiEnabled: true, autoReply: true });
    // the first attempt to queue the bot's DM fails after the AI answered (the session is already written)
    // (a sequence, because its nextval survives the rollback the exception causes)
    await env.database.pool.query(`
      CREATE SEQUENCE ai_attempts;
      CREATE FUNCTION refuse_ai_once() RETURNS trigger AS $$
      BEGIN
        IF NEW.origin = 'ai' AND nextval('ai_attempts') = 1 THEN RAISE EXCEPTION 'queue unavailable'; END IF;
        RETURN NEW;
      END $$ LANGUAGE plpgsql;
      CREATE TRIGGER refuse_ai_once BEFORE INSERT ON messages FOR EACH ROW EXECUTE FUNCTION refuse_ai_once();`);
    await env.sandbox.inboundDm({ fromUserId: customer.id, toUserId: shop.id, text: "What's the status of my order #12345?" });
    const dm = await env.sandbox.waitForDm((d) => d.recipientId === customer.id, 20_000);
    expect(dm.text).toContain("12345");
    // the first attempt did fail, and the second went through
    expect(await q(env, "SELECT last_value FROM ai_attempts")).toEqual([{ last_value: "2" }]);
    await eventually(() => aiMessages(env), (r) => r.length === 1 && r[0]?.status === "sent");
    const [session] = await q<{ context: { role: string; content: string }[] }>(env, "SELECT context FROM ai_sessions WHERE conversation_id = $1", [await conversationOf(env, customer)]);
    expect(session?.context.map((t) => t.role)).toEqual(["user", "assistant"]);
    expect(session?.context[1]?.content).toBe(dm.text);
    expect(dmsTo(env, customer)).toHaveLength(1);
  }, 60_000);

  it("does not reply when the merchant's AI is disabled, nor when the account's auto-reply is off", async () => {
    const { env, shop, accountId, customer } = await setup({ aiEnabled: false, autoReply: true });
    await env.sandbox.inboundDm({ fromUserId: customer.id, toUserId: shop.id, text: "What's the status of my order #12345?" });
    await domainEventsDone(env, 1);
    expect(await aiMessages(env)).toHaveLength(0);
    expect(await q(env, "SELECT id FROM ai_sessions")).toHaveLength(0);

    // AI on, auto-reply off
    expect((await env.call("PUT", "/ai/settings", { enabled: true })).status).toBe(200);
    expect((await env.call("PUT", `/accounts/${accountId}`, { autoReplyEnabled: false })).status).toBe(200);
    await env.sandbox.inboundDm({ fromUserId: customer.id, toUserId: shop.id, text: "Where is my order #777?" });
    await domainEventsDone(env, 2);
    expect(await aiMessages(env)).toHaveLength(0);
    expect(dmsTo(env, customer)).toHaveLength(0);
  });

  it("does not reply to a request for a human and marks the session escalated", async () => {
    const { env, shop, customer } = await setup({ aiEnabled: true, autoReply: true });
    await env.sandbox.inboundDm({ fromUserId: customer.id, toUserId: shop.id, text: "I want to talk to a human" });
    await domainEventsDone(env, 1);
    expect(await aiMessages(env)).toHaveLength(0);
    expect(dmsTo(env, customer)).toHaveLength(0);
    const [session] = await q(env, "SELECT escalated, escalation_reason FROM ai_sessions WHERE conversation_id = $1", [await conversationOf(env, customer)]);
    expect(session).toMatchObject({ escalated: true, escalation_reason: "human_request" });

    // an escalated conversation gets no automatic reply afterwards either
    await env.sandbox.inboundDm({ fromUserId: customer.id, toUserId: shop.id, text: "What's the status of my order #12345?" });
    await domainEventsDone(env, 2);
    expect(await aiMessages(env)).toHaveLength(0);
  });

  it("does not reply in a conversation assigned to an agent", async () => {
    const { env, shop, accountId, customer } = await setup({ aiEnabled: true, autoReply: false });
    // the conversation exists (auto-reply still off), then an agent takes it
    await env.sandbox.inboundDm({ fromUserId: customer.id, toUserId: shop.id, text: "Hello" });
    await domainEventsDone(env, 1);
    const conversationId = await conversationOf(env, customer);
    const assigned = await env.call("POST", `/conversations/${conversationId}/assign`, { userId: "agent-1" });
    expect(assigned.status, JSON.stringify(assigned.body)).toBe(200);
    await enableAutoReply(env, accountId);

    await env.sandbox.inboundDm({ fromUserId: customer.id, toUserId: shop.id, text: "What's the status of my order #12345?" });
    await domainEventsDone(env, 2);
    expect(await aiMessages(env)).toHaveLength(0);
    expect(dmsTo(env, customer)).toHaveLength(0);
    expect(await q(env, "SELECT id FROM ai_sessions WHERE conversation_id = $1", [conversationId])).toHaveLength(0);
  });
});
