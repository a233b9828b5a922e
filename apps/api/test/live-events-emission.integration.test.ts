// What the API's own changes announce live: each event's data is the resource exactly as the REST
// GET shows it right after the change. Streams are held on another instance than the one changed.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type ApiInstance, type Harness } from "./harness.ts";
import { connectAccount, insertInboxContact, insertInboxConversation, newMerchant, uniqueUsername, type Success } from "./factories.ts";
import { eventOf, openSse, type SseStream } from "./sse-client.ts";

let h: Harness;
let other: ApiInstance;
const streams: SseStream[] = [];

beforeAll(async () => {
  h = await startHarness();
  other = await h.startInstance({ deliverNow: true });
});
afterAll(async () => {
  for (const s of streams) s.close();
  await h?.close();
});

const pool = () => h.database.pool;

async function scene() {
  const merchantId = newMerchant();
  const owner = await h.token({ merchantId, role: "owner" });
  const { account } = await connectAccount(h, { token: owner });
  const customer = h.sandbox.addUser({ username: uniqueUsername("live") });
  const contactId = await insertInboxContact(pool(), { merchantId, accountId: account.id, twitterUserId: customer.id });
  const conversationId = await insertInboxConversation(pool(), { merchantId, accountId: account.id, contactId });
  const stream = await openSse(`${other.base}/events/stream`, { token: owner });
  streams.push(stream);
  await stream.comment((c) => c === "connected");
  return { merchantId, owner, contactId, conversationId, stream };
}

const rest = async <T>(token: string, path: string) => {
  const res = await h.call<Success<T>>("GET", path, { token });
  expect(res.status).toBe(200);
  return res.body.data;
};

describe("live events of API changes", () => {
  it("assign and close: conversation.updated with the conversation as GET shows it", async () => {
    const s = await scene();
    const agentId = "agent-7";
    expect((await h.call("POST", `/conversations/${s.conversationId}/assign`, { token: s.owner, body: { userId: agentId } })).status).toBe(200);
    const assigned = eventOf(await s.stream.nth(1));
    expect(assigned.type).toBe("conversation.updated");
    expect(assigned.data).toEqual(await rest(s.owner, `/conversations/${s.conversationId}?includeMessages=false`));
    expect(assigned.data.assignedToUserId).toBe(agentId);

    expect((await h.call("PUT", `/conversations/${s.conversationId}/close`, { token: s.owner, body: { reason: "resolved" } })).status).toBe(200);
    const closed = eventOf(await s.stream.nth(2));
    expect(closed.type).toBe("conversation.updated");
    expect(closed.data).toEqual(await rest(s.owner, `/conversations/${s.conversationId}?includeMessages=false`));
    expect(closed.data).toMatchObject({ status: "closed", closeReason: "resolved" });

    // closing again changes nothing and announces nothing: the next event is the next change
    expect((await h.call("PUT", `/conversations/${s.conversationId}/close`, { token: s.owner })).status).toBe(200);
    await h.call("POST", `/contacts/${s.contactId}/tags`, { token: s.owner, body: { tags: ["after"] } });
    expect((await s.stream.nth(3)).event).toBe("contact.updated");
  });

  it("tags added: contact.updated with the contact as GET /contacts/{id} shows it", async () => {
    const s = await scene();
    expect((await h.call("POST", `/contacts/${s.contactId}/tags`, { token: s.owner, body: { tags: ["VIP", "Early Bird"] } })).status).toBe(200);
    const event = eventOf(await s.stream.nth(1));
    expect(event.type).toBe("contact.updated");
    expect(event.data).toEqual(await rest(s.owner, `/contacts/${s.contactId}`));
    expect(event.data.tags).toEqual(expect.arrayContaining(["vip", "early bird"]));
  });

  it("an agent's reply: message.created (queued), then message.updated (sent) as the conversation shows it", async () => {
    const s = await scene();
    const agent = await h.token({ merchantId: s.merchantId, role: "agent" });
    const sent = await h.call<Success<{ id: string; status: string }>>("POST", `${other.base}/conversations/${s.conversationId}/messages`, { token: agent, body: { content: "On its way!" } });
    expect(sent.status).toBe(200);
    const created = eventOf(await s.stream.next((m) => m.event === "message.created"));
    expect(created.data).toMatchObject({ id: sent.body.data.id, direction: "outbound", content: "On its way!", status: "queued", twitterMessageId: null });
    const updated = eventOf(await s.stream.next((m) => m.event === "message.updated"));
    const conversation = await rest<{ messages: unknown[] }>(s.owner, `/conversations/${s.conversationId}`);
    expect(conversation.messages).toEqual([updated.data]);
    expect(updated.data).toMatchObject({ id: sent.body.data.id, status: "sent" });
    expect(Number(updated.id)).toBeGreaterThan(Number(created.id));
  });

  it("a flow run by hand: flow.execution.updated for the new execution, as the executions list shows it", async () => {
    const s = await scene();
    const flow = await h.call<Success<{ id: string }>>("POST", "/automation/flows", {
      token: s.owner,
      body: { name: "Live tag", trigger: { type: "manual", config: {} }, nodes: [{ id: "tag", type: "add_tag", config: { tag: "live" } }, { id: "done", type: "end", config: {} }], connections: [{ fromNodeId: "tag", toNodeId: "done" }] },
    });
    expect(flow.status).toBe(200);
    expect((await h.call("POST", `/automation/flows/${flow.body.data.id}/activate`, { token: s.owner })).status).toBe(200);
    expect((await h.call("POST", `/automation/flows/${flow.body.data.id}/run`, { token: s.owner, body: { contactIds: [s.contactId] } })).status).toBe(200);
    const started = eventOf(await s.stream.nth(1));
    expect(started.type).toBe("flow.execution.updated");
    expect([started.data]).toEqual(await rest(s.owner, `/automation/flows/${flow.body.data.id}/executions`));
    expect(started.data).toMatchObject({ contactId: s.contactId, status: "running", currentNodeId: "tag" });
  });

  it("a rolled-back change announces nothing: a reply refused for a disconnected account", async () => {
    const s = await scene();
    await pool().query("UPDATE x_accounts SET status = 'inactive' WHERE merchant_id = $1", [s.merchantId]);
    expect((await h.call("POST", `/conversations/${s.conversationId}/messages`, { token: s.owner, body: { content: "nope" } })).status).toBe(400);
    await h.call("POST", `/contacts/${s.contactId}/tags`, { token: s.owner, body: { tags: ["next"] } });
    const first = await s.stream.nth(1);
    expect(first.event).toBe("contact.updated");
  });
});
