// Live events of what the worker changes, end to end: X's webhook → the API → the worker's
// transaction → NOTIFY → the API's bus → a client's SSE stream. Each event's data is the resource
// as the REST API shows it.
import { afterEach, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { startE2E, type E2E } from "./e2e-harness.ts";
import { eventOf, openSse, type SseStream } from "../../api/test/sse-client.ts";

let e: E2E | undefined;
let s: SseStream | undefined;
afterEach(async () => {
  s?.close();
  await e?.close();
  e = undefined;
  s = undefined;
});

async function live(env: E2E) {
  const stream = await openSse(`${env.base}/events/stream`, { token: env.token });
  await stream.comment((c) => c === "connected");
  return stream;
}

const get = async <T = Record<string, unknown>>(env: E2E, path: string) => (await env.call<{ data: T }>("GET", path)).body.data;

describe("live events from the worker", () => {
  it("an inbound DM: contact.created, conversation.created, then message.created with the message as the conversation shows it", async () => {
    e = await startE2E();
    const { user: shop } = await e.connect();
    await e.startWorker();
    s = await live(e);
    const customer = e.sandbox.addUser({ username: `live_${randomUUID().slice(0, 6)}`, name: "Live Customer" });
    await e.sandbox.inboundDm({ fromUserId: customer.id, toUserId: shop.id, text: "Is it in stock?" });

    const message = eventOf(await s.next((m) => m.event === "message.created"));
    expect(s.messages.map((m) => m.event)).toEqual(["contact.created", "conversation.created", "message.created"]);
    const conversationId = String(message.data.conversationId);
    const conversation = await get<{ messages: unknown[] }>(e, `/conversations/${conversationId}`);
    expect(conversation.messages).toEqual([message.data]);
    expect(message.data).toMatchObject({ direction: "inbound", content: "Is it in stock?", status: "received" });

    const contact = eventOf(s.messages[0] ?? { id: "", event: "", data: "{}" });
    expect(contact.data).toMatchObject({ id: message.data.contactId, twitterUserId: customer.id, username: customer.username, source: "inbound_message" });
    const opened = eventOf(s.messages[1] ?? { id: "", event: "", data: "{}" });
    expect(opened.data).toMatchObject({ id: conversationId, contactId: message.data.contactId, status: "open" });

    // a second DM from the same person: only the message is new
    await e.sandbox.inboundDm({ fromUserId: customer.id, toUserId: shop.id, text: "And in blue?" });
    const second = eventOf(await s.nth(4));
    expect(second).toMatchObject({ type: "message.created", data: { content: "And in blue?", conversationId } });
  });

  it("STOP opts the contact out: contact.updated, and the confirmation DM is created then sent", async () => {
    e = await startE2E();
    const { user: shop } = await e.connect();
    await e.startWorker();
    s = await live(e);
    const customer = e.sandbox.addUser({ username: `stop_${randomUUID().slice(0, 6)}` });
    await e.sandbox.inboundDm({ fromUserId: customer.id, toUserId: shop.id, text: "STOP" });
    const optedOut = eventOf(await s.next((m) => m.event === "contact.updated"));
    expect(optedOut.data).toMatchObject({ optedOut: true, twitterUserId: customer.id });
    const sent = eventOf(await s.next((m) => m.event === "message.updated"));
    expect(sent.data).toMatchObject({ direction: "outbound", origin: "system", status: "sent" });
    const conversation = await get<{ messages: { id: string }[] }>(e, `/conversations/${String(sent.data.conversationId)}`);
    expect(conversation.messages.find((m) => m.id === sent.data.id)).toEqual(sent.data);
    expect(await get(e, `/contacts/${String(optedOut.data.id)}`)).toMatchObject({ optedOut: true });
  });

  it("a campaign: campaign.updated from start to completion (the last as GET shows it), its DMs created and sent, read receipts", async () => {
    e = await startE2E();
    const { user: shop, accountId } = await e.connect();
    const customer = e.sandbox.addUser({ username: `camp_${randomUUID().slice(0, 6)}` });
    const { rows } = await e.database.pool.query<{ id: string }>(
      `INSERT INTO contacts (merchant_id, account_id, twitter_user_id, username, tags, consent_at) VALUES ($1, $2, $3, $4, '{live}', now()) RETURNING id`,
      [e.merchantId, accountId, customer.id, customer.username],
    );
    const contactId = rows[0]?.id;
    const seg = await e.call<{ data: { id: string } }>("POST", "/segments", { name: "live", conditions: [{ field: "tags", operator: "contains", value: "live" }] });
    const tpl = await e.call<{ data: { id: string } }>("POST", "/templates", { name: "live", type: "text", content: "New arrivals today", variables: [] });
    const created = await e.call<{ data: { id: string } }>("POST", "/campaigns", { name: "Live", type: "promotional", templateId: tpl.body.data.id, segmentIds: [seg.body.data.id] });
    const campaignId = created.body.data.id;
    await e.startWorker();
    s = await live(e);
    expect((await e.call("POST", `/campaigns/${campaignId}/start`)).status).toBe(200);

    const first = eventOf(await s.next((m) => m.event === "campaign.updated"));
    expect(first.data).toMatchObject({ id: campaignId, status: "running" });
    const completed = eventOf(await s.next((m) => m.event === "campaign.updated" && eventOf(m).data.status === "completed"));
    expect(completed.data).toEqual(await get(e, `/campaigns/${campaignId}`));
    expect(completed.data).toMatchObject({ metrics: { delivered: 1, totalSent: 1 } });

    const dm = eventOf(await s.next((m) => m.event === "message.created" && eventOf(m).data.contactId === contactId));
    expect(dm.data).toMatchObject({ origin: "campaign", status: "queued", content: "New arrivals today" });
    const sent = eventOf(await s.next((m) => m.event === "message.updated" && eventOf(m).data.id === dm.data.id));
    expect(sent.data).toMatchObject({ status: "sent", readAt: null });

    await e.sandbox.read({ readerUserId: customer.id, accountUserId: shop.id, lastReadEventId: String(sent.data.twitterMessageId) });
    const read = eventOf(await s.next((m) => m.event === "message.updated" && eventOf(m).data.id === dm.data.id && eventOf(m).data.readAt !== null));
    const conversation = await get<{ messages: { id: string }[] }>(e, `/conversations/${String(dm.data.conversationId)}`);
    expect(conversation.messages.find((m) => m.id === dm.data.id)).toEqual(read.data);
  });
});
