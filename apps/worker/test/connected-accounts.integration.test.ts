// Two connected accounts writing to each other, end to end through the sandbox (which delivers a DM
// to every subscribed participant, as X does): each side stores the DM, and keyword-less automation
// on both sides does not answer itself for ever.
import { afterEach, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import type { SandboxUser } from "@mkt-x/twitter/sandbox";
import { startE2E, type E2E } from "./e2e-harness.ts";
import { eventually } from "./harness.ts";

let e: E2E | undefined;
afterEach(async () => {
  await e?.close();
  e = undefined;
});

interface Row {
  direction: string;
  content: string;
  origin: string;
  twitter_message_id: string | null;
}

/** The messages of the conversation `account` keeps with `other` as its contact, oldest first. */
async function thread(env: E2E, accountId: string, other: SandboxUser): Promise<Row[]> {
  const { rows } = await env.database.pool.query<Row>(
    `SELECT m.direction, m.content, m.origin, m.twitter_message_id FROM messages m JOIN contacts c ON c.id = m.contact_id
     WHERE m.account_id = $1 AND c.twitter_user_id = $2 ORDER BY m.created_at, m.id`,
    [accountId, other.id],
  );
  return rows;
}

const dmsBetween = (env: E2E, from: SandboxUser, to: SandboxUser) => env.sandbox.dms().filter((d) => d.senderId === from.id && d.recipientId === to.id);

describe("two connected accounts", () => {
  it("a DM from one to the other is stored on both sides: the sender's outbound copy and the recipient's inbound one", async () => {
    e = await startE2E({ subscribe: true });
    e.sandbox.configure({ echoOutbound: true });
    const a = await e.connect();
    const b = await e.connect();
    // X delivers both accounts' activity: the sandbox knows them as subscribed
    expect(e.sandbox.webhooks().flatMap((w) => w.subscribedUserIds)).toEqual(expect.arrayContaining([a.user.id, b.user.id]));
    await e.startWorker();

    await e.sandbox.inboundDm({ fromUserId: b.user.id, toUserId: a.user.id, text: "Hi from the shop next door" });
    const [first] = await eventually(() => thread(e!, a.accountId, b.user), (rows) => rows.length === 1);
    const conversation = await e.database.pool.query<{ id: string }>("SELECT conversation_id AS id FROM messages WHERE account_id = $1 AND direction = 'inbound'", [a.accountId]);
    expect(first).toMatchObject({ direction: "inbound", content: "Hi from the shop next door" });

    const reply = await e.call("POST", `/conversations/${conversation.rows[0]?.id}/messages`, { content: "Hello, neighbour!" });
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    const dm = await e.sandbox.waitForDm((d) => d.text === "Hello, neighbour!", 15_000);
    // the recipient's side: an inbound message from the sender, X's id as on the sender's side
    const received = await eventually(() => thread(e!, b.accountId, a.user), (rows) => rows.length === 1);
    expect(received).toEqual([{ direction: "inbound", content: "Hello, neighbour!", origin: "customer", twitter_message_id: dm.dmEventId }]);
    // the sender's side: its own reply once (the echo recognized it), sent with the same id
    const sent = await eventually(() => thread(e!, a.accountId, b.user), (rows) => rows.length === 2 && rows[1]?.twitter_message_id !== null);
    expect(sent[1]).toEqual({ direction: "outbound", content: "Hello, neighbour!", origin: "inbox", twitter_message_id: dm.dmEventId });
    const deliveries = await e.database.pool.query<{ event_key: string; status: string }>("SELECT event_key, status FROM webhook_events WHERE event_key LIKE $1 ORDER BY event_key", [`dm:${dm.dmEventId}%`]);
    expect(deliveries.rows).toEqual([
      { event_key: `dm:${dm.dmEventId}`, status: "processed" },
      { event_key: `dm:${dm.dmEventId}:sent`, status: "processed" },
    ]);
  });

  it("keyword-less flows on both accounts answering each other stop after a few automated DMs per conversation; the DMs are kept for people", async () => {
    e = await startE2E({ subscribe: true });
    const a = await e.connect();
    const b = await e.connect();
    const tpl = await e.call<{ data: { id: string } }>("POST", "/templates", { name: `auto ${randomUUID().slice(0, 6)}`, type: "text", content: "Thanks for writing! We will be right with you.", variables: [] });
    expect(tpl.status, JSON.stringify(tpl.body)).toBe(200);
    const flow = await e.call<{ data: { id: string } }>("POST", "/automation/flows", {
      name: "Answer everything",
      trigger: { type: "message_received", config: {} },
      nodes: [
        { id: "answer", type: "send_message", config: { templateId: tpl.body.data.id, delay: 0 } },
        { id: "done", type: "end", config: {} },
      ],
      connections: [{ fromNodeId: "answer", toNodeId: "done" }],
    });
    expect(flow.status, JSON.stringify(flow.body)).toBe(200);
    expect((await e.call("POST", `/automation/flows/${flow.body.data.id}/activate`)).status).toBe(200);
    await e.startWorker();

    await e.sandbox.inboundDm({ fromUserId: b.user.id, toUserId: a.user.id, text: "hello?" });
    // each side's conversation sends the other 3 automated DMs; the third one's answer raises no automation
    await eventually(
      async () => (await e!.database.pool.query("SELECT count(*)::int AS n FROM webhook_events WHERE account_id = $1 AND status = 'processed' AND kind = 'direct_message' AND event_key NOT LIKE '%:sent'", [a.accountId])).rows[0].n,
      (n: number) => n === 4,
      60_000,
    );
    await eventually(
      async () => (await e!.database.pool.query("SELECT count(*)::int AS n FROM pgboss.job WHERE name IN ('domain.event', 'flow.step', 'message.send', 'webhook.event') AND state NOT IN ('completed', 'failed', 'cancelled')")).rows[0].n,
      (n: number) => n === 0,
      30_000,
    );
    expect(dmsBetween(e, a.user, b.user)).toHaveLength(3);
    expect(dmsBetween(e, b.user, a.user)).toHaveLength(3);
    // the last automated DM is stored on the receiving side for a person to see
    const onA = await thread(e, a.accountId, b.user);
    expect(onA.filter((m) => m.direction === "inbound").map((m) => m.content)).toEqual(["hello?", ...Array(3).fill("Thanks for writing! We will be right with you.")]);
    expect(onA.filter((m) => m.direction === "outbound")).toHaveLength(3);
  });
});
