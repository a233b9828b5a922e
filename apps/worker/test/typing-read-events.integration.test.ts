// Typing indicators and read receipts on the live stream, end to end: X's webhook (both payload
// families: Account Activity and the X Activity API) → the API → the worker → a client's SSE stream.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import type { SandboxUser } from "@mkt-x/twitter/sandbox";
import { startE2E, type E2E } from "./e2e-harness.ts";
import { eventually } from "./harness.ts";
import { eventOf, openSse, type SseMessage, type SseStream } from "../../api/test/sse-client.ts";

let e: E2E;
let s: SseStream;
let shop: SandboxUser;

beforeAll(async () => {
  e = await startE2E();
  ({ user: shop } = await e.connect());
  await e.startWorker();
  s = await openSse(`${e.base}/events/stream`, { token: e.token });
  await s.comment((c) => c === "connected");
});
afterAll(async () => {
  s?.close();
  await e?.close();
});

const q = async <T = Record<string, unknown>>(sql: string, params: unknown[] = []) => (await e.database.pool.query(sql, params)).rows as T[];
const of = (type: string, conversationId: string) => (m: SseMessage) => m.event === type && eventOf(m).data.conversationId === conversationId;

/** a customer with a conversation: their first DM, as the stream announced it */
async function customerWithConversation() {
  const customer = e.sandbox.addUser({ username: `tr_${randomUUID().slice(0, 8)}` });
  const text = `hi, a question from ${customer.username}`;
  await e.sandbox.inboundDm({ fromUserId: customer.id, toUserId: shop.id, text });
  const created = eventOf(await s.next((m) => m.event === "message.created" && eventOf(m).data.content === text));
  const contactId = String(created.data.contactId);
  const conversationId = String(created.data.conversationId);
  return { customer, contactId, conversationId };
}

/** our reply through the API, once X accepted it (status sent, X's id) */
async function reply(conversationId: string, content: string) {
  const res = await e.call<{ data: { id: string } }>("POST", `/conversations/${conversationId}/messages`, { content });
  expect(res.status).toBeLessThan(300);
  const sent = eventOf(await s.next((m) => m.event === "message.updated" && eventOf(m).data.id === res.body.data.id && eventOf(m).data.status === "sent"));
  return { id: res.body.data.id, twitterMessageId: String(sent.data.twitterMessageId) };
}

describe("typing and read live events", () => {
  it("X's typing indicator (Account Activity) is conversation.typing with the conversation and contact", async () => {
    const { customer, contactId, conversationId } = await customerWithConversation();
    const delivery = await e.sandbox.typing({ fromUserId: customer.id, toUserId: shop.id });
    expect(delivery).toMatchObject({ delivered: true, status: 200 });
    const typing = eventOf(await s.next(of("conversation.typing", conversationId)));
    expect(typing.data).toEqual({ conversationId, contactId, at: expect.any(String) });
    expect(Number.isNaN(Date.parse(String(typing.data.at)))).toBe(false);
  });

  it("X Activity API's dm.indicate_typing is conversation.typing too", async () => {
    const { customer, contactId, conversationId } = await customerWithConversation();
    await e.sandbox.typing({ fromUserId: customer.id, toUserId: shop.id, via: "xaa" });
    const typing = eventOf(await s.next(of("conversation.typing", conversationId)));
    expect(typing.data).toMatchObject({ conversationId, contactId });
  });

  it("someone typing without a conversation announces nothing", async () => {
    const stranger = e.sandbox.addUser({ username: `tr_${randomUUID().slice(0, 8)}` });
    const before = await q("SELECT id FROM live_events WHERE type = 'conversation.typing'");
    await e.sandbox.typing({ fromUserId: stranger.id, toUserId: shop.id });
    const [event] = await eventually(() => q<{ status: string; skip_reason: string }>("SELECT status, skip_reason FROM webhook_events WHERE kind = 'direct_message_indicate_typing' AND payload->'direct_message_indicate_typing_events'->0->>'sender_id' = $1", [stranger.id]), (r) => r[0]?.status === "skipped");
    expect(event?.skip_reason).toBe("typing indicator from someone without a conversation");
    expect(await q("SELECT id FROM live_events WHERE type = 'conversation.typing'")).toHaveLength(before.length);
    expect(await q("SELECT id FROM contacts WHERE twitter_user_id = $1", [stranger.id])).toEqual([]);
  });

  it("a read receipt (Account Activity) is conversation.read naming the messages it read, each also message.updated with readAt", async () => {
    const { customer, contactId, conversationId } = await customerWithConversation();
    const first = await reply(conversationId, "let me check");
    const second = await reply(conversationId, "it is in stock");
    await e.sandbox.read({ readerUserId: customer.id, accountUserId: shop.id, lastReadEventId: first.twitterMessageId });
    const read = eventOf(await s.next(of("conversation.read", conversationId)));
    expect(read.data).toEqual({ conversationId, contactId, lastReadEventId: first.twitterMessageId, messageIds: [first.id], at: expect.any(String) });
    const updated = eventOf(await s.next((m) => m.event === "message.updated" && eventOf(m).data.id === first.id && eventOf(m).data.readAt !== null));
    const conversation = (await e.call<{ data: { messages: { id: string; readAt: string | null }[] } }>("GET", `/conversations/${conversationId}`)).body.data;
    expect(conversation.messages.find((m) => m.id === first.id)).toEqual(updated.data);
    expect(conversation.messages.find((m) => m.id === second.id)?.readAt).toBeNull();
  });

  it("X Activity API's dm.read is conversation.read; read again, it names no message", async () => {
    const { customer, contactId, conversationId } = await customerWithConversation();
    const answer = await reply(conversationId, "anything else?");
    await e.sandbox.read({ readerUserId: customer.id, accountUserId: shop.id, lastReadEventId: answer.twitterMessageId, via: "xaa" });
    const read = eventOf(await s.next(of("conversation.read", conversationId)));
    expect(read.data).toMatchObject({ conversationId, contactId, lastReadEventId: answer.twitterMessageId, messageIds: [answer.id] });
    const seen = s.messages.length;
    await e.sandbox.read({ readerUserId: customer.id, accountUserId: shop.id, lastReadEventId: answer.twitterMessageId });
    const again = eventOf(await s.next((m) => s.messages.indexOf(m) >= seen && of("conversation.read", conversationId)(m)));
    expect(again.data).toMatchObject({ conversationId, contactId, messageIds: [] });
  });
});
