import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTwitterXClient } from "../src/x-client.ts";
import { verifyWebhookSignature } from "../src/webhook-crypto.ts";
import { createXSandbox, type XSandbox } from "../src/sandbox/index.ts";
import { CONSUMER_KEY, CONSUMER_SECRET } from "./support/sandbox-fixture.ts";
import { startWebhookReceiver, type WebhookReceiver } from "./support/webhook-receiver.ts";

let sandbox: XSandbox;
let base: string;
let receiver: WebhookReceiver;
beforeAll(async () => {
  sandbox = createXSandbox({ consumerKey: CONSUMER_KEY, consumerSecret: CONSUMER_SECRET });
  base = await sandbox.listen();
  receiver = await startWebhookReceiver(CONSUMER_SECRET);
});
afterAll(async () => {
  await sandbox.close();
  await receiver.close();
});

async function http(method: string, path: string, body?: unknown): Promise<{ status: number; headers: Headers; json: unknown }> {
  const response = await fetch(base + path, {
    method,
    ...(body === undefined ? {} : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: text ? JSON.parse(text) : null };
}

const field = (value: unknown, key: string): unknown => (typeof value === "object" && value !== null ? Reflect.get(value, key) : undefined);
const text = (value: unknown, key: string): string => {
  const v = field(value, key);
  if (typeof v !== "string") throw new Error(`expected string ${key}`);
  return v;
};

describe("X wire protocol", () => {
  it("an unsigned request gets X's exact 401 body", async () => {
    const res = await http("GET", "/2/users/me");
    expect(res.status).toBe(401);
    expect(res.json).toEqual({ title: "Unauthorized", type: "about:blank", status: 401, detail: "Unauthorized" });
  });

  it("a 1.1 request with a bad token gets the 1.1 error shape", async () => {
    const res = await http("POST", "/1.1/oauth/invalidate_token");
    expect(res.status).toBe(401);
    expect(res.json).toEqual({ errors: [{ code: 32, message: "Could not authenticate you." }] });
  });

  it("a 429 fault answers X's body and rate-limit headers", async () => {
    sandbox.addFault({ path: "/2/users/me", status: 429, resetInSeconds: 60 });
    const before = Math.ceil(Date.now() / 1000);
    const res = await http("GET", "/2/users/me?user.fields=profile_image_url");
    expect(res.status).toBe(429);
    expect(res.json).toEqual({ title: "Too Many Requests", detail: "Too Many Requests", type: "about:blank", status: 429 });
    expect(res.headers.get("x-rate-limit-remaining")).toBe("0");
    expect(res.headers.get("x-rate-limit-limit")).toMatch(/^\d+$/);
    const reset = Number(res.headers.get("x-rate-limit-reset"));
    expect(reset).toBeGreaterThanOrEqual(before + 60);
    expect(reset).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000) + 60);
    expect(sandbox.requests().at(-1)).toMatchObject({ path: "/2/users/me", query: { "user.fields": "profile_image_url" }, fault: 429, userId: null });
  });

  it("unknown paths are X-style 404s", async () => {
    const res = await http("GET", "/2/nothing-here");
    expect(res.status).toBe(404);
    expect(res.json).toMatchObject({ status: 404, type: "about:blank" });
  });
});

describe("control API under /_sandbox", () => {
  it("creates users with working tokens and lists them", async () => {
    const created = await http("POST", "/_sandbox/users", { username: "shop_http", name: "Shop Over HTTP" });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ id: expect.stringMatching(/^\d+$/), username: "shop_http", name: "Shop Over HTTP", accessToken: expect.any(String), accessSecret: expect.any(String) });

    const client = createTwitterXClient({ baseUrl: base, consumerKey: CONSUMER_KEY, consumerSecret: CONSUMER_SECRET });
    const me = await client.me({ accessToken: text(created.json, "accessToken"), accessSecret: text(created.json, "accessSecret") });
    expect(me).toMatchObject({ id: text(created.json, "id"), username: "shop_http" });
    client.close();

    const list = await http("GET", "/_sandbox/users");
    expect(list.json).toEqual(expect.arrayContaining([expect.objectContaining({ username: "shop_http" })]));
  });

  it("re-adding a user by id rotates its tokens", async () => {
    const first = sandbox.addUser({ id: "777", username: "rotating" });
    const second = (await http("POST", "/_sandbox/users", { id: "777", username: "rotating" })).json;
    expect(text(second, "id")).toBe("777");
    expect(text(second, "accessToken")).not.toBe(first.accessToken);
    const client = createTwitterXClient({ baseUrl: base, consumerKey: CONSUMER_KEY, consumerSecret: CONSUMER_SECRET });
    await expect(client.me({ accessToken: first.accessToken, accessSecret: first.accessSecret })).rejects.toMatchObject({ kind: "invalid_credentials" });
    await expect(client.me({ accessToken: text(second, "accessToken"), accessSecret: text(second, "accessSecret") })).resolves.toMatchObject({ id: "777" });
    client.close();
  });

  it("validates its input", async () => {
    expect((await http("POST", "/_sandbox/users", { name: "no username" })).status).toBe(400);
    expect((await http("POST", "/_sandbox/faults", { status: 418 })).status).toBe(400);
    expect((await http("POST", "/_sandbox/faults", { path: "/2/" })).status).toBe(400);
    expect((await http("POST", "/_sandbox/inbound-dm", { fromUserId: "1", toUserId: "2" })).status).toBe(400);
    expect((await http("POST", "/_sandbox/inbound-dm", { fromUserId: "1", toUserId: "2", text: "x" })).status).toBe(404);
  });

  it("faults are set and cleared over HTTP and never hit the control API", async () => {
    const created = await http("POST", "/_sandbox/faults", { path: "/", status: 503, sticky: true });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ status: 503, remaining: null });
    expect((await http("GET", "/_sandbox/users")).status).toBe(200);
    expect((await http("GET", "/2/users/me")).status).toBe(503);
    expect((await http("GET", "/2/webhooks")).status).toBe(503);
    expect((await http("GET", "/_sandbox/faults")).json).toHaveLength(1);
    expect((await http("DELETE", "/_sandbox/faults")).json).toEqual({ cleared: 1 });
    expect((await http("GET", "/2/users/me")).status).toBe(401);
  });

  it("a counted fault applies exactly count times", async () => {
    await http("POST", "/_sandbox/faults", { path: "/2/users/me", status: 500, count: 2 });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await http("GET", "/2/users/me")).status);
    expect(statuses).toEqual([500, 500, 401]);
  });

  it("a fault with a rate hits that share of matching calls, the same calls for the same seed", async () => {
    const run = async (seed: number) => {
      await http("DELETE", "/_sandbox/faults");
      expect((await http("POST", "/_sandbox/faults", { path: "/2/users/me", status: 503, sticky: true, rate: 0.3, seed })).status).toBe(201);
      const statuses: number[] = [];
      for (let i = 0; i < 200; i++) statuses.push((await http("GET", "/2/users/me")).status);
      // the spared calls reach X's handler (unsigned here: 401)
      expect(new Set(statuses)).toEqual(new Set([503, 401]));
      const listed = (await http("GET", "/_sandbox/faults")).json;
      expect(listed).toEqual([expect.objectContaining({ rate: 0.3, seed, draws: 200 })]);
      await http("DELETE", "/_sandbox/faults");
      return statuses;
    };
    const first = await run(42);
    const hits = first.filter((s) => s === 503).length;
    expect(hits).toBeGreaterThan(40);
    expect(hits).toBeLessThan(80);
    expect(await run(42)).toEqual(first);
    expect(await run(43)).not.toEqual(first);
    // a counted fault with a rate counts its hits only, and rate is checked
    await http("POST", "/_sandbox/faults", { path: "/2/users/me", status: 500, count: 3, rate: 0.5, seed: 7 });
    const counted: number[] = [];
    for (let i = 0; i < 40; i++) counted.push((await http("GET", "/2/users/me")).status);
    expect(counted.filter((s) => s === 500)).toHaveLength(3);
    expect((await http("GET", "/_sandbox/faults")).json).toEqual([]);
    expect((await http("POST", "/_sandbox/faults", { status: 500, rate: 0 })).status).toBe(400);
    expect((await http("POST", "/_sandbox/faults", { status: 500, rate: 1.5 })).status).toBe(400);
  });

  it("inbound events over HTTP reach the configured webhook URL, signed", async () => {
    const config = await http("POST", "/_sandbox/config", { webhookUrl: receiver.url });
    expect(config.json).toEqual({ webhookUrl: receiver.url, echoOutbound: false });
    const shop = sandbox.addUser({ username: "shop_events" });
    const fan = sandbox.addUser({ username: "fan_events" });

    const dm = await http("POST", "/_sandbox/inbound-dm", { fromUserId: fan.id, toUserId: shop.id, text: "hello shop" });
    expect(dm.json).toEqual({ eventId: expect.stringMatching(/^\d+$/), delivered: true, status: 200 });
    const follow = await http("POST", "/_sandbox/follow", { fromUserId: fan.id, toUserId: shop.id });
    expect(follow.json).toMatchObject({ delivered: true, status: 200 });
    const read = await http("POST", "/_sandbox/read", { readerUserId: fan.id, accountUserId: shop.id, lastReadEventId: "123" });
    expect(read.json).toMatchObject({ delivered: true, status: 200 });

    const last3 = receiver.received.slice(-3);
    expect(last3.map((r) => Object.keys(typeof r.json === "object" && r.json !== null ? r.json : {}).filter((k) => k.endsWith("_events")))).toEqual([
      ["direct_message_events"],
      ["follow_events"],
      ["direct_message_mark_read_events"],
    ]);
    for (const r of last3) expect(verifyWebhookSignature(CONSUMER_SECRET, r.raw, r.signature)).toBe(true);
    expect((await http("GET", "/_sandbox/deliveries")).json).toEqual(
      expect.arrayContaining([expect.objectContaining({ kind: "follow", eventId: text(follow.json, "eventId"), url: receiver.url, delivered: true })]),
    );
  });

  it("typing indicators and read receipts of both payload families reach the webhook", async () => {
    await http("POST", "/_sandbox/config", { webhookUrl: receiver.url });
    const shop = sandbox.addUser({ username: "shop_typing" });
    const fan = sandbox.addUser({ username: "fan_typing" });
    expect((await http("POST", "/_sandbox/typing", { fromUserId: fan.id, toUserId: shop.id })).json).toMatchObject({ delivered: true, status: 200 });
    expect((await http("POST", "/_sandbox/typing", { fromUserId: fan.id, toUserId: shop.id, via: "xaa" })).json).toMatchObject({ delivered: true, status: 200 });
    expect((await http("POST", "/_sandbox/read", { readerUserId: fan.id, accountUserId: shop.id, lastReadEventId: "77", via: "xaa" })).json).toMatchObject({ delivered: true, status: 200 });
    const [aaa, xaaTyping, xaaRead] = receiver.received.slice(-3).map((r) => r.json);
    expect(aaa).toMatchObject({ for_user_id: shop.id, direct_message_indicate_typing_events: [{ sender_id: fan.id, target: { recipient_id: shop.id }, created_timestamp: expect.stringMatching(/^\d+$/) }] });
    const conversation = BigInt(fan.id) < BigInt(shop.id) ? `${fan.id}-${shop.id}` : `${shop.id}-${fan.id}`;
    expect(xaaTyping).toMatchObject({ data: { event_type: "dm.indicate_typing", filter: { user_id: shop.id }, payload: { sender_id: fan.id, recipient_id: shop.id, dm_conversation_id: conversation } } });
    expect(xaaRead).toMatchObject({ data: { event_type: "dm.read", payload: { sender_id: fan.id, recipient_id: shop.id, last_read_event_id: "77" } } });
    expect((await http("POST", "/_sandbox/typing", { fromUserId: fan.id })).status).toBe(400);
  });

  it("dropWebhooks simulates an outage: DMs are kept in X's history, not delivered", async () => {
    await http("POST", "/_sandbox/config", { webhookUrl: receiver.url });
    const shop = sandbox.addUser({ username: "shop_outage" });
    const received = receiver.received.length;
    expect((await http("POST", "/_sandbox/config", { dropWebhooks: true })).json).toMatchObject({ dropWebhooks: true });
    const dm = await http("POST", "/_sandbox/customer-dm", { to: "shop_outage", from: "fan_outage", text: "anyone there?" });
    expect(dm.json).toMatchObject({ delivered: false, status: null, error: "webhook delivery dropped (simulated outage)" });
    expect(receiver.received.length).toBe(received);
    await http("POST", "/_sandbox/config", { dropWebhooks: false });
    const client = createTwitterXClient({ baseUrl: base, consumerKey: CONSUMER_KEY, consumerSecret: CONSUMER_SECRET });
    const page = await client.listRecentDmEvents({ accessToken: shop.accessToken, accessSecret: shop.accessSecret });
    expect(page.events.map((e) => [e.id, e.text])).toEqual([[text(dm.json, "eventId"), "anyone there?"]]);
    client.close();
    // the outage over, the same event delivered late is still one DM in the history
    await http("POST", "/_sandbox/inbound-dm", { fromUserId: text(dm.json, "fromUserId"), toUserId: shop.id, text: "anyone there?", eventId: text(dm.json, "eventId") });
    expect(receiver.received.length).toBe(received + 1);
    const again = createTwitterXClient({ baseUrl: base, consumerKey: CONSUMER_KEY, consumerSecret: CONSUMER_SECRET });
    expect((await again.listRecentDmEvents({ accessToken: shop.accessToken, accessSecret: shop.accessSecret })).events).toHaveLength(1);
    again.close();
  });

  it("lists sent DMs, requests and webhooks, and reset forgets everything", async () => {
    const shop = sandbox.addUser({ username: "shop_reset" });
    const client = createTwitterXClient({ baseUrl: base, consumerKey: CONSUMER_KEY, consumerSecret: CONSUMER_SECRET });
    const creds = { accessToken: shop.accessToken, accessSecret: shop.accessSecret };
    await client.sendDm(creds, "55", "listed");
    await client.ensureWebhook(creds, receiver.url);

    expect((await http("GET", "/_sandbox/dms")).json).toEqual(
      expect.arrayContaining([expect.objectContaining({ senderId: shop.id, recipientId: "55", text: "listed", createdAt: expect.any(String) })]),
    );
    expect((await http("GET", "/_sandbox/requests")).json).toEqual(
      expect.arrayContaining([expect.objectContaining({ method: "POST", path: "/2/dm_conversations/with/55/messages", userId: shop.id, body: { text: "listed" } })]),
    );
    expect((await http("GET", "/_sandbox/webhooks")).json).toEqual([expect.objectContaining({ url: receiver.url, valid: true, subscribedUserIds: [] })]);

    expect((await http("POST", "/_sandbox/reset")).status).toBe(200);
    expect((await http("GET", "/_sandbox/users")).json).toEqual([]);
    expect((await http("GET", "/_sandbox/dms")).json).toEqual([]);
    expect((await http("GET", "/_sandbox/webhooks")).json).toEqual([]);
    expect((await http("GET", "/_sandbox/config")).json).toEqual({ webhookUrl: null, echoOutbound: false });
    await expect(client.me(creds)).rejects.toMatchObject({ kind: "invalid_credentials" });
    client.close();
  });

  it("waitForDm resolves when a matching DM is sent", async () => {
    const shop = sandbox.addUser({ username: "shop_wait" });
    const waiting = sandbox.waitForDm((dm) => dm.recipientId === "66");
    const client = createTwitterXClient({ baseUrl: base, consumerKey: CONSUMER_KEY, consumerSecret: CONSUMER_SECRET });
    const sent = await client.sendDm({ accessToken: shop.accessToken, accessSecret: shop.accessSecret }, "66", "awaited");
    await expect(waiting).resolves.toMatchObject({ dmEventId: sent.dmEventId, text: "awaited" });
    client.close();
  });
});
