import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPT_OUT_CONFIRMATION, OPT_IN_CONFIRMATION } from "@mkt-x/core";
import { buildInboundDmPayload, signWebhookPayload, type SandboxUser } from "@mkt-x/twitter/sandbox";
import { startE2E, type E2E } from "./e2e-harness.ts";
import { eventually } from "./harness.ts";
import { CONSUMER_SECRET } from "./harness.ts";

let e: E2E;
let shop: SandboxUser;
let accountId: string;

beforeAll(async () => {
  e = await startE2E();
  await e.startWorker();
  ({ user: shop, accountId } = await e.connect("inbound_shop"));
});
afterAll(async () => {
  await e?.close();
});

const q = async <T = Record<string, unknown>>(sql: string, params: unknown[] = []) => (await e.database.pool.query(sql, params)).rows as T[];
const eventStatus = (key: string) => q<{ status: string; skip_reason: string | null }>("SELECT status, skip_reason FROM webhook_events WHERE event_key = $1", [key]).then((r) => r[0]);
const processed = (key: string) => eventually(() => eventStatus(key), (s) => s?.status === "processed" || s?.status === "skipped");

describe("inbound DMs", () => {
  it("a DM from a new person through a signed webhook becomes a contact, a conversation and a message", async () => {
    const customer = e.sandbox.addUser({ username: "customer_john", name: "John Doe" });
    const delivery = await e.sandbox.inboundDm({ fromUserId: customer.id, toUserId: shop.id, text: "Hello, where is my order?" });
    expect(delivery).toMatchObject({ delivered: true, status: 200 });
    await processed(`dm:${delivery.eventId}`);

    const [contact] = await q("SELECT * FROM contacts WHERE twitter_user_id = $1", [customer.id]);
    expect(contact).toMatchObject({ merchant_id: e.merchantId, account_id: accountId, username: "customer_john", display_name: "John Doe", source: "inbound_message", conversation_count: 1, opted_out: false });
    expect(contact?.consent_at).toBeInstanceOf(Date);
    expect(contact?.first_interaction_at).toEqual(contact?.last_interaction_at);
    const conversations = await q("SELECT * FROM conversations WHERE contact_id = $1", [contact?.id]);
    expect(conversations).toHaveLength(1);
    expect(conversations[0]).toMatchObject({ status: "open", message_count: 1, account_id: accountId });
    const messages = await q("SELECT * FROM messages WHERE conversation_id = $1", [conversations[0]?.id]);
    expect(messages).toEqual([expect.objectContaining({ direction: "inbound", content: "Hello, where is my order?", twitter_message_id: delivery.eventId, status: "received", contact_id: contact?.id })]);
    expect(conversations[0]?.last_message_at).toEqual(messages[0]?.created_at);

    // visible through the API the merchant uses
    const account = await e.call<{ data: { statistics: { totalContacts: number; totalConversations: number; messagesThisMonth: number } } }>("GET", `/accounts/${accountId}`);
    expect(account.body.data.statistics).toEqual({ totalContacts: 1, totalConversations: 1, messagesThisMonth: 1 });
  });

  it("a replayed or doubly delivered event changes nothing", async () => {
    const customer = e.sandbox.addUser({ username: "replayer" });
    const first = await e.sandbox.inboundDm({ fromUserId: customer.id, toUserId: shop.id, text: "once" });
    await processed(`dm:${first.eventId}`);
    const snapshot = async () => ({
      contacts: await q("SELECT id, conversation_count, last_interaction_at FROM contacts WHERE twitter_user_id = $1", [customer.id]),
      conversations: await q("SELECT c.id, c.message_count FROM conversations c JOIN contacts k ON k.id = c.contact_id WHERE k.twitter_user_id = $1", [customer.id]),
      messages: await q("SELECT m.id FROM messages m JOIN contacts k ON k.id = m.contact_id WHERE k.twitter_user_id = $1", [customer.id]),
      events: await q("SELECT id FROM webhook_events WHERE event_key = $1", [`dm:${first.eventId}`]),
    });
    const before = await snapshot();
    const again = await e.sandbox.inboundDm({ fromUserId: customer.id, toUserId: shop.id, text: "once", eventId: first.eventId });
    expect(again.status).toBe(200);
    // and the same bytes signed and posted by hand, as a second delivery from X would be
    const payload = buildInboundDmPayload({ eventId: first.eventId, sender: { id: customer.id, username: "replayer" }, recipient: { id: shop.id, username: shop.username }, text: "once", forUserId: shop.id });
    const signed = signWebhookPayload(CONSUMER_SECRET, payload);
    const res = await fetch(`${e.base}/webhooks/twitter`, { method: "POST", headers: signed.headers, body: signed.body });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ data: { duplicates: 1, stored: 0 } });
    expect(await snapshot()).toEqual(before);
    expect(before.messages).toHaveLength(1);
  });

  it("a second DM reuses the open conversation; after closing, the next DM starts a new one", async () => {
    const customer = e.sandbox.addUser({ username: "regular" });
    const a = await e.sandbox.inboundDm({ fromUserId: customer.id, toUserId: shop.id, text: "one" });
    await processed(`dm:${a.eventId}`);
    const b = await e.sandbox.inboundDm({ fromUserId: customer.id, toUserId: shop.id, text: "two" });
    await processed(`dm:${b.eventId}`);
    const open = await q<{ id: string; message_count: number }>("SELECT c.id, c.message_count FROM conversations c JOIN contacts k ON k.id = c.contact_id WHERE k.twitter_user_id = $1", [customer.id]);
    expect(open).toEqual([expect.objectContaining({ message_count: 2 })]);
    await q("UPDATE conversations SET status = 'closed', closed_at = now() WHERE id = $1", [open[0]?.id]);
    const c = await e.sandbox.inboundDm({ fromUserId: customer.id, toUserId: shop.id, text: "three" });
    await processed(`dm:${c.eventId}`);
    const all = await q<{ status: string; message_count: number }>("SELECT c.status, c.message_count FROM conversations c JOIN contacts k ON k.id = c.contact_id WHERE k.twitter_user_id = $1 ORDER BY c.started_at", [customer.id]);
    expect(all).toEqual([expect.objectContaining({ status: "closed", message_count: 2 }), expect.objectContaining({ status: "open", message_count: 1 })]);
    const [contact] = await q("SELECT conversation_count FROM contacts WHERE twitter_user_id = $1", [customer.id]);
    expect(contact?.conversation_count).toBe(2);
  });

  it("keeps the name the merchant gave a contact; X's name only fills a missing one", async () => {
    const customer = e.sandbox.addUser({ username: "renamed_one", name: "Jo" });
    const first = await e.sandbox.inboundDm({ fromUserId: customer.id, toUserId: shop.id, text: "hi" });
    await processed(`dm:${first.eventId}`);
    const [contact] = await q<{ id: string; display_name: string }>("SELECT id, display_name FROM contacts WHERE twitter_user_id = $1", [customer.id]);
    expect(contact?.display_name).toBe("Jo");
    const edited = await e.call("PUT", `/contacts/${contact?.id}`, { displayName: "Jo Tran (VIP)" });
    expect(edited.status).toBe(200);
    const again = await e.sandbox.inboundDm({ fromUserId: customer.id, toUserId: shop.id, text: "me again" });
    await processed(`dm:${again.eventId}`);
    const read = await e.call<{ data: { displayName: string } }>("GET", `/contacts/${contact?.id}`);
    expect(read.body.data.displayName).toBe("Jo Tran (VIP)");
  });

  it("an echo of the account's own DM is recorded as outbound, never as a customer message", async () => {
    const customer = e.sandbox.addUser({ username: "echo_target" });
    const payload = buildInboundDmPayload({ eventId: "777000111", sender: { id: shop.id, username: shop.username }, recipient: { id: customer.id, username: "echo_target", name: "Echo Target" }, text: "sent from the X app", forUserId: shop.id });
    const signed = signWebhookPayload(CONSUMER_SECRET, payload);
    expect((await fetch(`${e.base}/webhooks/twitter`, { method: "POST", headers: signed.headers, body: signed.body })).status).toBe(200);
    // the sender's own copy of a DM is keyed apart from the recipient's (both may be connected accounts)
    await processed("dm:777000111:sent");
    const rows = await q("SELECT m.direction, m.origin, m.status, k.twitter_user_id, k.source, k.consent_at FROM messages m JOIN contacts k ON k.id = m.contact_id WHERE m.twitter_message_id = '777000111'");
    expect(rows).toEqual([{ direction: "outbound", origin: "x_app", status: "sent", twitter_user_id: customer.id, source: "outbound_message", consent_at: null }]);
    expect(await q("SELECT 1 FROM contacts WHERE twitter_user_id = $1 AND account_id = $2", [shop.id, accountId])).toHaveLength(0);
  });

  it("an event for an unknown account is stored and skipped with a reason", async () => {
    const payload = buildInboundDmPayload({ eventId: "888000111", sender: { id: "1234", username: "someone" }, recipient: { id: "5678", username: "not_ours" }, text: "hi", forUserId: "5678" });
    const signed = signWebhookPayload(CONSUMER_SECRET, payload);
    expect((await fetch(`${e.base}/webhooks/twitter`, { method: "POST", headers: signed.headers, body: signed.body })).status).toBe(200);
    const status = await processed("dm:888000111");
    expect(status).toEqual({ status: "skipped", skip_reason: expect.stringContaining("no connected account") });
    expect(await q("SELECT 1 FROM messages WHERE twitter_message_id = '888000111'")).toHaveLength(0);
  });
});

describe("opt-out", () => {
  it("STOP opts out with one confirmation; START opts back in with one", async () => {
    const customer = e.sandbox.addUser({ username: "stopper" });
    const hello = await e.sandbox.inboundDm({ fromUserId: customer.id, toUserId: shop.id, text: "hi" });
    await processed(`dm:${hello.eventId}`);
    const stop = await e.sandbox.inboundDm({ fromUserId: customer.id, toUserId: shop.id, text: "  Stop " });
    await processed(`dm:${stop.eventId}`);
    const [contact] = await q("SELECT opted_out, opted_out_at FROM contacts WHERE twitter_user_id = $1", [customer.id]);
    expect(contact).toMatchObject({ opted_out: true });
    const confirmation = await e.sandbox.waitForDm((dm) => dm.recipientId === customer.id && dm.text === OPT_OUT_CONFIRMATION, 10_000);
    expect(confirmation.senderId).toBe(shop.id);

    const start = await e.sandbox.inboundDm({ fromUserId: customer.id, toUserId: shop.id, text: "START" });
    await processed(`dm:${start.eventId}`);
    await e.sandbox.waitForDm((dm) => dm.recipientId === customer.id && dm.text === OPT_IN_CONFIRMATION, 10_000);
    const [after] = await q("SELECT opted_out FROM contacts WHERE twitter_user_id = $1", [customer.id]);
    expect(after?.opted_out).toBe(false);
    await eventually(async () => q("SELECT status FROM messages m JOIN contacts k ON k.id = m.contact_id WHERE k.twitter_user_id = $1 AND m.origin = 'system'", [customer.id]), (rows) => rows.length === 2 && rows.every((r) => r.status === "sent"));
    expect(e.sandbox.dms().filter((dm) => dm.recipientId === customer.id)).toHaveLength(2);
  });

  it.each(["unsubscribe", "OPT OUT", "dừng", "Hủy", "huỷ"])("'%s' is a stop word", async (word) => {
    const customer = e.sandbox.addUser({ username: `stop_${Buffer.from(word).toString("hex").slice(0, 10)}` });
    const dm = await e.sandbox.inboundDm({ fromUserId: customer.id, toUserId: shop.id, text: word });
    await processed(`dm:${dm.eventId}`);
    const [contact] = await q("SELECT opted_out FROM contacts WHERE twitter_user_id = $1", [customer.id]);
    expect(contact?.opted_out).toBe(true);
  });

  it("a sentence that contains stop is not an opt-out", async () => {
    const customer = e.sandbox.addUser({ username: "not_stopping" });
    const dm = await e.sandbox.inboundDm({ fromUserId: customer.id, toUserId: shop.id, text: "please don't stop the promotion" });
    await processed(`dm:${dm.eventId}`);
    const [contact] = await q("SELECT opted_out FROM contacts WHERE twitter_user_id = $1", [customer.id]);
    expect(contact?.opted_out).toBe(false);
  });
});

describe("follows and read receipts", () => {
  it("a follow creates a contact without consent and emits new_follower", async () => {
    const fan = e.sandbox.addUser({ username: "new_fan", name: "New Fan" });
    const follow = await e.sandbox.follow({ fromUserId: fan.id, toUserId: shop.id });
    expect(follow.status).toBe(200);
    const [event] = await eventually(() => q("SELECT status FROM webhook_events WHERE kind = 'follow' AND payload::text LIKE $1", [`%${fan.id}%`]), (r) => r[0]?.status === "processed");
    expect(event).toBeDefined();
    const [contact] = await q("SELECT source, consent_at, display_name FROM contacts WHERE twitter_user_id = $1", [fan.id]);
    expect(contact).toEqual({ source: "new_follower", consent_at: null, display_name: "New Fan" });
    const jobs = await q("SELECT data FROM pgboss.job WHERE name = 'domain.event' AND data->>'type' = 'new_follower'");
    expect(jobs.map((j) => j.data)).toContainEqual(expect.objectContaining({ accountId, merchantId: e.merchantId }));
  });

  it("a read receipt marks our outbound DMs read up to the last read event", async () => {
    const reader = e.sandbox.addUser({ username: "reader" });
    const hi = await e.sandbox.inboundDm({ fromUserId: reader.id, toUserId: shop.id, text: "hi" });
    await processed(`dm:${hi.eventId}`);
    const [row] = await q<{ contact_id: string; conversation_id: string }>("SELECT contact_id, conversation_id FROM messages WHERE twitter_message_id = $1", [hi.eventId]);
    const insert = (id: string) =>
      q("INSERT INTO messages (merchant_id, account_id, conversation_id, contact_id, direction, content, status, twitter_message_id, sent_at) VALUES ($1, $2, $3, $4, 'outbound', 'x', 'sent', $5, now())", [e.merchantId, accountId, row?.conversation_id, row?.contact_id, id]);
    await insert("1000000000000000001");
    await insert("1000000000000000005");
    await insert("1000000000000000009");
    const read = await e.sandbox.read({ readerUserId: reader.id, accountUserId: shop.id, lastReadEventId: "1000000000000000005" });
    expect(read.status).toBe(200);
    const rows = await eventually(
      () => q<{ twitter_message_id: string; read_at: Date | null }>("SELECT twitter_message_id, read_at FROM messages WHERE contact_id = $1 AND direction = 'outbound' ORDER BY twitter_message_id", [row?.contact_id]),
      (r) => r.filter((m) => m.read_at).length === 2,
    );
    expect(rows.map((m) => [m.twitter_message_id, m.read_at !== null])).toEqual([
      ["1000000000000000001", true],
      ["1000000000000000005", true],
      ["1000000000000000009", false],
    ]);
  });
});
