// Catch-up after downtime: the sandbox drops every webhook (a simulated outage) while customers
// write, then the dm.catchup job reads X's DM history back and each missed DM appears once.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPT_OUT_CONFIRMATION } from "@mkt-x/core";
import { catchUpAccount, catchUpDms } from "@mkt-x/core/server";
import type { SandboxUser } from "@mkt-x/twitter/sandbox";
import { startE2E, type E2E } from "./e2e-harness.ts";
import { eventually } from "./harness.ts";

let e: E2E;
let shop: SandboxUser;
let accountId: string;

beforeAll(async () => {
  e = await startE2E();
  await e.startWorker();
  ({ user: shop, accountId } = await e.connect("catchup_shop"));
});
afterAll(async () => {
  await e?.close();
});

const q = async <T = Record<string, unknown>>(sql: string, params: unknown[] = []) => (await e.database.pool.query(sql, params)).rows as T[];
const deps = () => ({ db: e.database.db, x: e.send.x, cipher: e.cipher, queue: e.queue });
/** every stored X event applied (or skipped) by its job */
const settled = () => eventually(() => q<{ n: number }>("SELECT count(*)::int AS n FROM webhook_events WHERE status NOT IN ('processed', 'skipped')"), (r) => r[0]?.n === 0);

interface ConversationBody {
  data: { id: string; messages: { content: string; direction: string; origin: string; twitterMessageId: string | null }[] };
}
/** the conversation of the X user as the API shows it, messages oldest first */
async function conversationOf(xUserId: string, ofAccount = accountId) {
  const [row] = await q<{ id: string }>("SELECT c.id FROM conversations c JOIN contacts k ON k.id = c.contact_id WHERE k.twitter_user_id = $1 AND k.account_id = $2", [xUserId, ofAccount]);
  if (!row) return null;
  const res = await e.call<ConversationBody>("GET", `/conversations/${row.id}`);
  expect(res.status).toBe(200);
  return res.body.data;
}

describe("catch-up after downtime", () => {
  it("dm.catchup is one job at a time over every worker, every 15 minutes", async () => {
    expect(await e.boss.getQueue("dm.catchup")).toMatchObject({ policy: "exclusive" });
    expect((await e.boss.getSchedules()).filter((s) => s.name === "dm.catchup")).toEqual([expect.objectContaining({ cron: "*/15 * * * *" })]);
  });

  it("applies each DM missed during an outage once; a second run and a late webhook add nothing", async () => {
    const regular = e.sandbox.addUser({ username: "catchup_regular", name: "Rita Regular" });
    const newcomer = e.sandbox.addUser({ username: "catchup_newcomer", name: "Nico Newcomer" });
    const before = await e.sandbox.inboundDm({ fromUserId: regular.id, toUserId: shop.id, text: "before the outage" });
    expect(before.delivered).toBe(true);
    await eventually(() => conversationOf(regular.id), (c) => c?.messages.length === 1);

    // the outage: X keeps the DMs, our webhook hears of none
    e.sandbox.configure({ dropWebhooks: true });
    const missed1 = await e.sandbox.inboundDm({ fromUserId: regular.id, toUserId: shop.id, text: "are you there?" });
    const missed2 = await e.sandbox.inboundDm({ fromUserId: newcomer.id, toUserId: shop.id, text: "hello, first time here" });
    const stop = await e.sandbox.inboundDm({ fromUserId: newcomer.id, toUserId: shop.id, text: "STOP" });
    // the merchant answered from the X app meanwhile (X sends our own DMs back as events too)
    const fromApp = await e.send.x.sendDm({ accessToken: shop.accessToken, accessSecret: shop.accessSecret }, regular.id, "answered from the X app");
    expect([missed1, missed2, stop].map((d) => d.delivered)).toEqual([false, false, false]);
    expect(await conversationOf(newcomer.id)).toBeNull();
    e.sandbox.configure({ dropWebhooks: false });

    // the worker's job, as the schedule (or a worker start) runs it
    await e.queue.send("dm.catchup", {});
    const regularConversation = await eventually(() => conversationOf(regular.id), (c) => c?.messages.length === 3);
    const inbound = (c: Awaited<ReturnType<typeof conversationOf>>) => c?.messages.filter((m) => m.direction === "inbound") ?? [];
    const newcomerConversation = await eventually(() => conversationOf(newcomer.id), (c) => inbound(c).length === 2);
    await settled();
    expect(regularConversation?.messages.map((m) => [m.content, m.direction, m.origin, m.twitterMessageId])).toEqual([
      ["before the outage", "inbound", "customer", before.eventId],
      ["are you there?", "inbound", "customer", missed1.eventId],
      ["answered from the X app", "outbound", "x_app", fromApp.dmEventId],
    ]);
    // (both written in the same millisecond: in X's order)
    const byXId = (a: { twitterMessageId: string | null }, b: { twitterMessageId: string | null }) => ((a.twitterMessageId ?? "") < (b.twitterMessageId ?? "") ? -1 : 1);
    expect(inbound(newcomerConversation).sort(byXId).map((m) => [m.content, m.twitterMessageId])).toEqual([
      ["hello, first time here", missed2.eventId],
      ["STOP", stop.eventId],
    ]);
    // the newcomer's contact carries X's profile from the history's expansion
    const [contact] = await q("SELECT username, display_name, opted_out, source FROM contacts WHERE twitter_user_id = $1", [newcomer.id]);
    expect(contact).toEqual({ username: "catchup_newcomer", display_name: "Nico Newcomer", opted_out: true, source: "inbound_message" });
    // STOP was acted on: one confirmation reached X
    await e.sandbox.waitForDm((dm) => dm.recipientId === newcomer.id && dm.text === OPT_OUT_CONFIRMATION);

    // a second run finds nothing new (once our confirmation's send is recorded: until then X's
    // copy of it would come back as the echo of a DM in flight, which the echo path settles)
    await eventually(() => q("SELECT id FROM messages WHERE status IN ('queued', 'sending')"), (r) => r.length === 0);
    const again = await catchUpDms(deps());
    expect(again.find((a) => a.accountId === accountId)).toMatchObject({ stored: 0 });

    // X's retry of a missed DM arrives late by webhook: the same event, stored once
    const late = await e.sandbox.inboundDm({ fromUserId: newcomer.id, toUserId: shop.id, text: "STOP", eventId: stop.eventId });
    expect(late).toMatchObject({ delivered: true, status: 200 });
    await settled();
    expect(inbound(await conversationOf(newcomer.id))).toHaveLength(2);
    expect((await conversationOf(regular.id))?.messages).toHaveLength(3);
    expect(await q("SELECT event_key FROM webhook_events WHERE event_key = ANY($1)", [[`dm:${missed1.eventId}`, `dm:${missed2.eventId}`, `dm:${stop.eventId}`]])).toHaveLength(3);
    expect(e.sandbox.dms().filter((dm) => dm.recipientId === newcomer.id && dm.text === OPT_OUT_CONFIRMATION)).toHaveLength(1);
  });

  it("reads X's history page by page with the DM fields, and only within the window", async () => {
    // an account of its own: a run "73 hours from now" marks it caught up until then
    const { user: shop, accountId } = await e.connect();
    const reader = e.sandbox.addUser({ username: "catchup_window" });
    e.sandbox.configure({ dropWebhooks: true });
    const dm = await e.sandbox.inboundDm({ fromUserId: reader.id, toUserId: shop.id, text: "inside the window" });
    e.sandbox.configure({ dropWebhooks: false });
    const account = await e.database.db.xAccount.findUniqueOrThrow({ where: { id: accountId } });
    const seen = e.sandbox.requests().length;
    // three days and more from now, everything X lists is older than the window
    const later = await catchUpAccount({ ...deps(), now: () => new Date(Date.now() + 73 * 3600_000) }, account);
    expect(later).toMatchObject({ listed: 0, stored: 0 });
    const pages = await catchUpAccount(deps(), account, { maxPages: 1 });
    expect(pages).toMatchObject({ listed: 1, stored: 1 });
    expect(await q("SELECT status FROM webhook_events WHERE event_key = $1", [`dm:${dm.eventId}`])).toHaveLength(1);
    await eventually(() => q("SELECT m.content FROM messages m JOIN contacts k ON k.id = m.contact_id WHERE k.twitter_user_id = $1", [reader.id]), (r) => r.length === 1);
    const requests = e.sandbox.requests().slice(seen).filter((r) => r.path === "/2/dm_events");
    expect(requests.at(-1)?.query).toMatchObject({ "dm_event.fields": "id,text,event_type,created_at,sender_id,dm_conversation_id,attachments,participant_ids", event_types: "MessageCreate", max_results: "100" });
  });

  it("never brings back what a GDPR erasure removed; what the person writes afterwards is caught up", async () => {
    const person = e.sandbox.addUser({ username: "catchup_erased" });
    const first = await e.sandbox.inboundDm({ fromUserId: person.id, toUserId: shop.id, text: "my address is 1 Main St" });
    expect(first.delivered).toBe(true);
    const [contact] = await eventually(() => q<{ id: string }>("SELECT id FROM contacts WHERE twitter_user_id = $1", [person.id]), (r) => r.length === 1);
    expect((await e.call("DELETE", `/contacts/${contact?.id}`)).status).toBe(200);
    const account = await e.database.db.xAccount.findUniqueOrThrow({ where: { id: accountId } });
    await catchUpAccount(deps(), account);
    await settled();
    expect(await q("SELECT id FROM contacts WHERE twitter_user_id = $1", [person.id])).toEqual([]);

    e.sandbox.configure({ dropWebhooks: true });
    await e.sandbox.inboundDm({ fromUserId: person.id, toUserId: shop.id, text: "hello again" });
    e.sandbox.configure({ dropWebhooks: false });
    await catchUpAccount(deps(), await e.database.db.xAccount.findUniqueOrThrow({ where: { id: accountId } }));
    const conversation = await eventually(() => conversationOf(person.id), (c) => (c?.messages.length ?? 0) > 0);
    expect(conversation?.messages.map((m) => m.content)).toEqual(["hello again"]);
  });

  it("a complete run marks the account caught up: the next reads back only to shortly before it", async () => {
    const { user: shop, accountId } = await e.connect();
    // connected days ago, so the whole 72-hour window is the account's
    await q("UPDATE x_accounts SET connected_at = now() - interval '4 days' WHERE id = $1", [accountId]);
    const account = async () => e.database.db.xAccount.findUniqueOrThrow({ where: { id: accountId } });
    expect(await catchUpAccount(deps(), await account())).toMatchObject({ stored: 0 });
    const mark = (await account()).dmCaughtUpAt;
    expect(mark).toBeInstanceOf(Date);

    const person = e.sandbox.addUser({ username: `catchup_${accountId.slice(0, 8)}` });
    e.sandbox.configure({ dropWebhooks: true });
    // X lists a DM written two hours ago only now, and one written just now
    await e.sandbox.inboundDm({ fromUserId: person.id, toUserId: shop.id, text: "written two hours ago", createdAt: new Date(Date.now() - 2 * 3600_000).toISOString() });
    await e.sandbox.inboundDm({ fromUserId: person.id, toUserId: shop.id, text: "written just now" });
    e.sandbox.configure({ dropWebhooks: false });
    expect(await catchUpAccount(deps(), await account())).toMatchObject({ listed: 1, stored: 1 });
    await eventually(() => conversationOf(person.id, accountId), (c) => c?.messages.map((m) => m.content).join() === "written just now");
    // without the mark, the whole window is read again and the late one found
    await q("UPDATE x_accounts SET dm_caught_up_at = NULL WHERE id = $1", [accountId]);
    expect(await catchUpAccount(deps(), await account())).toMatchObject({ stored: 1 });
    await eventually(() => conversationOf(person.id, accountId), (c) => c?.messages.length === 2);
  });

  it("an account X answers 429 for stops at once and waits for the next run", async () => {
    const writer = e.sandbox.addUser({ username: "catchup_limited" });
    e.sandbox.configure({ dropWebhooks: true });
    await e.sandbox.inboundDm({ fromUserId: writer.id, toUserId: shop.id, text: "while limited" });
    e.sandbox.configure({ dropWebhooks: false });
    const account = await e.database.db.xAccount.findUniqueOrThrow({ where: { id: accountId } });
    e.sandbox.addFault({ method: "GET", path: "/2/dm_events", status: 429, resetInSeconds: 900 });
    const seen = e.sandbox.requests().length;
    const limited = await catchUpAccount(deps(), account);
    expect(limited).toMatchObject({ listed: 0, stored: 0 });
    expect(limited.rateLimitedUntil?.getTime()).toBeGreaterThan(Date.now() + 800_000);
    expect(e.sandbox.requests().slice(seen).filter((r) => r.path === "/2/dm_events")).toHaveLength(1);
    expect(await conversationOf(writer.id)).toBeNull();
    // the next run, X's window reset: the DM arrives
    expect((await catchUpAccount(deps(), account)).stored).toBe(1);
    await eventually(() => conversationOf(writer.id), (c) => c?.messages.map((m) => m.content).join() === "while limited");
  });
});
