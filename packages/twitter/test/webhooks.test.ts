import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { verifyWebhookSignature } from "../src/webhook-crypto.ts";
import { buildInboundDmPayload, createXSandbox, signWebhookPayload } from "../src/sandbox/index.ts";
import { CONSUMER_SECRET, startFixture, type Fixture } from "./support/sandbox-fixture.ts";
import { startWebhookReceiver, type WebhookReceiver } from "./support/webhook-receiver.ts";

let f: Fixture;
let receiver: WebhookReceiver;
beforeAll(async () => {
  f = await startFixture();
  receiver = await startWebhookReceiver(CONSUMER_SECRET);
});
afterAll(async () => {
  await f.close();
  await receiver.close();
});
beforeEach(() => {
  receiver.setCrcMode("correct");
  receiver.setPostStatus(200);
});

const customer = () => f.sandbox.addUser({ username: `customer_${f.sandbox.users().length}`, name: "Carla Customer" });

describe("webhook registration (Account Activity API)", () => {
  it("registers a webhook that answers the CRC challenge as valid, and is idempotent", async () => {
    const hook = await f.client.ensureWebhook(f.creds, receiver.url);
    expect(hook).toEqual({ id: expect.stringMatching(/^\d+$/), url: receiver.url, valid: true });
    expect(receiver.crcTokens).toHaveLength(1);

    const again = await f.client.ensureWebhook(f.creds, receiver.url);
    expect(again).toEqual(hook);
    expect(receiver.crcTokens).toHaveLength(1);
    expect(f.sandbox.webhooks().filter((h) => h.url === receiver.url)).toHaveLength(1);
  });

  it("a wrong CRC answer or an erroring endpoint registers as invalid; a later ensure revalidates", async () => {
    const wrongUrl = `${receiver.url}?variant=wrong`;
    receiver.setCrcMode("wrong");
    await expect(f.client.ensureWebhook(f.creds, wrongUrl)).resolves.toMatchObject({ url: wrongUrl, valid: false });

    receiver.setCrcMode("error");
    const downUrl = `${receiver.url}?variant=down`;
    await expect(f.client.ensureWebhook(f.creds, downUrl)).resolves.toMatchObject({ url: downUrl, valid: false });

    receiver.setCrcMode("correct");
    const fixed = await f.client.ensureWebhook(f.creds, wrongUrl);
    expect(fixed).toMatchObject({ url: wrongUrl, valid: true });
    expect(f.sandbox.requests().some((r) => r.method === "PUT" && r.path === `/2/webhooks/${fixed.id}`)).toBe(true);
  });

  it("an unreachable URL registers as invalid", async () => {
    await expect(f.client.ensureWebhook(f.creds, "http://127.0.0.1:1/webhook")).resolves.toMatchObject({ valid: false });
  });

  it("subscribe and unsubscribe keep the subscription per webhook and user", async () => {
    const hook = await f.client.ensureWebhook(f.creds, receiver.url);
    await f.client.subscribe(f.creds, hook.id);
    expect(f.sandbox.webhooks().find((h) => h.id === hook.id)?.subscribedUserIds).toEqual([f.account.id]);
    await f.client.unsubscribe(f.creds, hook.id, f.account.id);
    expect(f.sandbox.webhooks().find((h) => h.id === hook.id)?.subscribedUserIds).toEqual([]);
  });

  it("subscribing to an invalid webhook is a bad_request", async () => {
    receiver.setCrcMode("wrong");
    const hook = await f.client.ensureWebhook(f.creds, `${receiver.url}?variant=never-valid`);
    receiver.setCrcMode("correct");
    await expect(f.client.subscribe(f.creds, hook.id)).rejects.toMatchObject({ kind: "bad_request", status: 400 });
  });
});

describe("Account Activity deliveries", () => {
  beforeAll(async () => {
    const hook = await f.client.ensureWebhook(f.creds, receiver.url);
    await f.client.subscribe(f.creds, hook.id);
  });

  const lastDelivery = () => {
    const last = receiver.received.at(-1);
    if (!last) throw new Error("nothing delivered");
    return last;
  };

  it("an inbound DM arrives signed over its raw bytes, in X's shape", async () => {
    const from = customer();
    const result = await f.sandbox.inboundDm({ fromUserId: from.id, toUserId: f.account.id, text: "Do you ship to Lyon?" });
    expect(result).toEqual({ eventId: expect.stringMatching(/^\d+$/), delivered: true, status: 200 });

    const delivery = lastDelivery();
    expect(verifyWebhookSignature(CONSUMER_SECRET, delivery.raw, delivery.signature)).toBe(true);
    expect(verifyWebhookSignature("another-secret", delivery.raw, delivery.signature)).toBe(false);
    expect(delivery.json).toMatchObject({
      for_user_id: f.account.id,
      direct_message_events: [
        {
          type: "message_create",
          id: result.eventId,
          created_timestamp: expect.stringMatching(/^\d{13}$/),
          message_create: {
            sender_id: from.id,
            target: { recipient_id: f.account.id },
            message_data: { text: "Do you ship to Lyon?", entities: { hashtags: [], symbols: [], user_mentions: [], urls: [] } },
          },
        },
      ],
      users: {
        [from.id]: { id: from.id, name: "Carla Customer", screen_name: from.username, profile_image_url_https: expect.any(String) },
        [f.account.id]: { id: f.account.id, screen_name: "acme_store", name: "Acme Store" },
      },
    });
  });

  it("a replayed event id is delivered again with the same id (for dedupe tests)", async () => {
    const from = customer();
    const first = await f.sandbox.inboundDm({ fromUserId: from.id, toUserId: f.account.id, text: "twice", eventId: "1900000000000000000" });
    const second = await f.sandbox.inboundDm({ fromUserId: from.id, toUserId: f.account.id, text: "twice", eventId: "1900000000000000000" });
    expect([first.eventId, second.eventId]).toEqual(["1900000000000000000", "1900000000000000000"]);
    const ids = receiver.received.slice(-2).map((r) => JSON.stringify(r.json));
    expect(ids[0]).toContain('"id":"1900000000000000000"');
    expect(ids[1]).toContain('"id":"1900000000000000000"');
  });

  it("a follow arrives as follow_events with both users", async () => {
    const from = customer();
    const result = await f.sandbox.follow({ fromUserId: from.id, toUserId: f.account.id });
    expect(result.delivered).toBe(true);
    const delivery = lastDelivery();
    expect(verifyWebhookSignature(CONSUMER_SECRET, delivery.raw, delivery.signature)).toBe(true);
    expect(delivery.json).toMatchObject({
      for_user_id: f.account.id,
      follow_events: [
        { type: "follow", created_timestamp: expect.stringMatching(/^\d+$/), source: { id: from.id, screen_name: from.username }, target: { id: f.account.id, screen_name: "acme_store" } },
      ],
    });
  });

  it("a read receipt arrives as direct_message_mark_read_events", async () => {
    const reader = customer();
    const sent = await f.client.sendDm(f.creds, reader.id, "Your order shipped");
    const result = await f.sandbox.read({ readerUserId: reader.id, accountUserId: f.account.id, lastReadEventId: sent.dmEventId });
    expect(result.delivered).toBe(true);
    const delivery = lastDelivery();
    expect(verifyWebhookSignature(CONSUMER_SECRET, delivery.raw, delivery.signature)).toBe(true);
    expect(delivery.json).toMatchObject({
      for_user_id: f.account.id,
      direct_message_mark_read_events: [
        { created_timestamp: expect.stringMatching(/^\d+$/), sender_id: reader.id, target: { recipient_id: f.account.id }, last_read_event_id: sent.dmEventId },
      ],
    });
  });

  it("with echoOutbound, a DM sent through the API comes back as the account's own message_create", async () => {
    const to = customer();
    f.sandbox.configure({ echoOutbound: true });
    try {
      const sent = await f.client.sendDm(f.creds, to.id, "Thanks for your order!");
      await f.sandbox.settled();
      const delivery = lastDelivery();
      expect(verifyWebhookSignature(CONSUMER_SECRET, delivery.raw, delivery.signature)).toBe(true);
      expect(delivery.json).toMatchObject({
        for_user_id: f.account.id,
        direct_message_events: [{ id: sent.dmEventId, message_create: { sender_id: f.account.id, target: { recipient_id: to.id }, message_data: { text: "Thanks for your order!" } } }],
      });
    } finally {
      f.sandbox.configure({ echoOutbound: false });
    }
  });

  it("the account's own posts come back as its tweet_create_events: one written in the X app, and with echoOutbound a public reply made through POST /2/tweets", async () => {
    const person = customer();
    const mention = await f.sandbox.mention({ fromUserId: person.id, toUserId: f.account.id, text: "@acme hello" });
    const own = await f.sandbox.accountPost({ userId: f.account.id, text: "hi from the app", inReplyToPostId: mention.postId });
    expect(own).toMatchObject({ delivered: true, conversationId: mention.postId });
    expect(lastDelivery().json).toMatchObject({ for_user_id: f.account.id, tweet_create_events: [{ id_str: own.postId, text: "hi from the app", in_reply_to_status_id_str: mention.postId, in_reply_to_user_id_str: person.id, user: { id: f.account.id } }] });
    f.sandbox.configure({ echoOutbound: true });
    try {
      const posted = await f.client.postReply(f.creds, "answered in public", mention.postId);
      await f.sandbox.settled();
      const delivery = lastDelivery();
      expect(verifyWebhookSignature(CONSUMER_SECRET, delivery.raw, delivery.signature)).toBe(true);
      expect(delivery.json).toMatchObject({ for_user_id: f.account.id, tweet_create_events: [{ id_str: posted.postId, in_reply_to_status_id_str: mention.postId, user: { id: f.account.id } }] });
    } finally {
      f.sandbox.configure({ echoOutbound: false });
    }
  });

  it("without echoOutbound, sending a DM delivers nothing", async () => {
    const count = receiver.received.length;
    await f.client.sendDm(f.creds, customer().id, "quiet");
    await f.sandbox.settled();
    expect(receiver.received).toHaveLength(count);
  });

  it("a webhook answering non-2xx is reported as not delivered with its status", async () => {
    receiver.setPostStatus(503);
    const result = await f.sandbox.inboundDm({ fromUserId: customer().id, toUserId: f.account.id, text: "hello?" });
    expect(result).toMatchObject({ delivered: false, status: 503 });
    expect(f.sandbox.deliveries().at(-1)).toMatchObject({ kind: "direct_message", eventId: result.eventId, url: receiver.url, delivered: false, status: 503 });
  });

  it("inbound events need both users to exist", async () => {
    await expect(f.sandbox.inboundDm({ fromUserId: "404", toUserId: f.account.id, text: "x" })).rejects.toMatchObject({ statusCode: 404 });
  });
});

describe("delivery target", () => {
  it("uses the configured webhookUrl when no webhook is registered, and reports when there is none", async () => {
    const sandbox = createXSandbox({ consumerKey: "k", consumerSecret: CONSUMER_SECRET });
    const a = sandbox.addUser({ username: "a" });
    const b = sandbox.addUser({ username: "b" });
    await expect(sandbox.inboundDm({ fromUserId: a.id, toUserId: b.id, text: "x" })).resolves.toMatchObject({ delivered: false, status: null });

    const count = receiver.received.length;
    sandbox.configure({ webhookUrl: receiver.url });
    await expect(sandbox.inboundDm({ fromUserId: a.id, toUserId: b.id, text: "configured" })).resolves.toMatchObject({ delivered: true, status: 200 });
    expect(receiver.received).toHaveLength(count + 1);
    expect(JSON.stringify(receiver.received.at(-1)?.json)).toContain("configured");
    await sandbox.close();
  });
});

describe("payload builders", () => {
  it("build and sign the same bytes the sandbox would send", () => {
    const payload = buildInboundDmPayload({
      sender: { id: "2", username: "carla", name: "Carla" },
      recipient: { id: "1", username: "acme", profileImageUrl: "https://img/1.png", createdAt: new Date(1_600_000_000_000) },
      text: "hi",
      eventId: "3",
      createdAt: new Date(1_700_000_000_000),
    });
    expect(payload).toEqual({
      for_user_id: "1",
      direct_message_events: [
        {
          type: "message_create",
          id: "3",
          created_timestamp: "1700000000000",
          message_create: {
            sender_id: "2",
            target: { recipient_id: "1" },
            message_data: { text: "hi", entities: { hashtags: [], symbols: [], user_mentions: [], urls: [] } },
          },
        },
      ],
      users: {
        "2": expect.objectContaining({ id: "2", name: "Carla", screen_name: "carla" }),
        "1": expect.objectContaining({ id: "1", name: "acme", screen_name: "acme", created_timestamp: "1600000000000", profile_image_url_https: "https://img/1.png" }),
      },
    });
    const signed = signWebhookPayload(CONSUMER_SECRET, payload);
    expect(signed.body).toBe(JSON.stringify(payload));
    expect(verifyWebhookSignature(CONSUMER_SECRET, signed.body, signed.headers["x-twitter-webhooks-signature"])).toBe(true);
  });
});
