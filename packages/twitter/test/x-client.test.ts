import { XApiError, type XErrorKind } from "@mkt-x/core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createTwitterXClient } from "../src/x-client.ts";
import { CONSUMER_KEY, CONSUMER_SECRET, credsOf, startFixture, type Fixture } from "./support/sandbox-fixture.ts";

let f: Fixture;
beforeAll(async () => {
  f = await startFixture();
});
afterAll(() => f.close());
afterEach(() => {
  f.sandbox.clearFaults();
});

async function failure(promise: Promise<unknown>): Promise<XApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(XApiError);
  if (!(error instanceof XApiError)) throw new Error("expected an XApiError");
  return error;
}

const expectKind = async (promise: Promise<unknown>, kind: XErrorKind, status: number | null) => {
  const error = await failure(promise);
  expect({ kind: error.kind, status: error.status }).toEqual({ kind, status });
  return error;
};

describe("XClient against the sandbox", () => {
  it("me returns the account of the access token", async () => {
    await expect(f.client.me(f.creds)).resolves.toEqual({
      id: "1500000000000000001",
      username: "acme_store",
      name: "Acme Store",
      profileImageUrl: "https://pbs.twimg.com/profile_images/1/acme_normal.jpg",
    });
    const last = f.sandbox.requests().at(-1);
    expect(last).toMatchObject({ method: "GET", path: "/2/users/me", query: { "user.fields": "profile_image_url" }, userId: f.account.id, status: 200 });
  });

  it("another user's token reads that user", async () => {
    const other = f.sandbox.addUser({ username: "other_shop" });
    await expect(f.client.me(credsOf(other))).resolves.toMatchObject({ id: other.id, username: "other_shop", name: "other_shop" });
  });

  it("sendDm reports X's x-rate-limit-* headers (none when X sends none)", async () => {
    expect((await f.client.sendDm(f.creds, "4711", "no headers")).rateLimits).toEqual([]);
    f.sandbox.configure({ dmLimitPer15m: 1000 });
    try {
      const sent = await f.client.sendDm(f.creds, "4711", "with headers");
      const used = f.sandbox.dms().filter((d) => d.senderId === f.account.id && Date.parse(d.createdAt) > Date.now() - 15 * 60_000).length;
      expect(sent.rateLimits).toHaveLength(1);
      expect(sent.rateLimits?.[0]).toMatchObject({ limit: 1000, remaining: 1000 - used });
      expect(sent.rateLimits?.[0]?.resetAt.getTime()).toBeGreaterThan(Date.now());
    } finally {
      f.sandbox.configure({ dmLimitPer15m: null });
    }
  });

  it("sendDm posts the text to the participant and X records sender, recipient and text", async () => {
    const sent = await f.client.sendDm(f.creds, "42", "Hi there ☃ — 50% off today");
    expect(sent.dmConversationId).toBe(`42-${f.account.id}`);
    expect(sent.dmEventId).toMatch(/^\d+$/);
    expect(f.sandbox.dms().at(-1)).toMatchObject({
      dmEventId: sent.dmEventId,
      dmConversationId: sent.dmConversationId,
      senderId: f.account.id,
      recipientId: "42",
      text: "Hi there ☃ — 50% off today",
    });
    expect(f.sandbox.requests().at(-1)).toMatchObject({ method: "POST", path: "/2/dm_conversations/with/42/messages", body: { text: "Hi there ☃ — 50% off today" } });
  });

  it("listDmEvents returns the conversation's DM events newest first, and none for a stranger", async () => {
    const first = await f.client.sendDm(f.creds, "44", "first");
    const second = await f.client.sendDm(f.creds, "44", "second");
    const events = await f.client.listDmEvents(f.creds, "44");
    expect(events.map((e) => [e.id, e.senderId, e.text])).toEqual([
      [second.dmEventId, f.account.id, "second"],
      [first.dmEventId, f.account.id, "first"],
    ]);
    expect(events[0]?.createdAt).toBeInstanceOf(Date);
    await expect(f.client.listDmEvents(f.creds, "45")).resolves.toEqual([]);
  });

  it("listRecentDmEvents lists every conversation's DMs newest first, page by page, with senders and media", async () => {
    // a user of its own, so earlier tests' DMs do not count
    const shop = f.sandbox.addUser({ username: "history_shop" });
    const buyer = f.sandbox.addUser({ username: "history_buyer", name: "Hana Buyer" });
    const creds = credsOf(shop);
    const inbound = await f.sandbox.inboundDm({ fromUserId: buyer.id, toUserId: shop.id, text: "is it in stock?", media: { type: "photo", url: "https://pbs.twimg.com/dm/1.jpg" } });
    const answer = await f.client.sendDm(creds, buyer.id, "yes it is");
    const later = await f.sandbox.inboundDm({ fromUserId: buyer.id, toUserId: shop.id, text: "great" });

    const first = await f.client.listRecentDmEvents(creds, { maxResults: 2 });
    expect(first.events.map((e) => [e.id, e.senderId, e.text, e.dmConversationId])).toEqual([
      [later.eventId, buyer.id, "great", `${shop.id}-${buyer.id}`],
      [answer.dmEventId, shop.id, "yes it is", `${shop.id}-${buyer.id}`],
    ]);
    expect(first.nextToken).not.toBeNull();
    expect(first.users).toEqual(expect.arrayContaining([expect.objectContaining({ id: buyer.id, username: "history_buyer", name: "Hana Buyer" })]));
    const second = await f.client.listRecentDmEvents(creds, { maxResults: 2, paginationToken: first.nextToken ?? "" });
    expect(second.events.map((e) => [e.id, e.text, e.media])).toEqual([[inbound.eventId, "is it in stock?", { type: "photo", url: "https://pbs.twimg.com/dm/1.jpg" }]]);
    expect(second.nextToken).toBeNull();
    expect(f.sandbox.requests().at(-1)).toMatchObject({
      method: "GET",
      path: "/2/dm_events",
      query: { "dm_event.fields": "id,text,event_type,created_at,sender_id,dm_conversation_id,attachments,participant_ids", event_types: "MessageCreate", max_results: "2" },
    });
    // a user with no DMs: X leaves data out
    await expect(f.client.listRecentDmEvents(credsOf(f.sandbox.addUser({ username: "history_nobody" })))).resolves.toEqual({ events: [], users: [], nextToken: null });
  });

  it("listRecentDmEvents: X's 429 is rate_limited with its reset", async () => {
    f.sandbox.addFault({ method: "GET", path: "/2/dm_events", status: 429, resetInSeconds: 600 });
    const error = await expectKind(f.client.listRecentDmEvents(f.creds), "rate_limited", 429);
    expect(error.resetAt?.getTime()).toBeGreaterThan(Date.now() + 500_000);
  });

  it("event ids increase like snowflakes", async () => {
    const a = await f.client.sendDm(f.creds, "43", "one");
    const b = await f.client.sendDm(f.creds, "43", "two");
    expect(BigInt(b.dmEventId)).toBeGreaterThan(BigInt(a.dmEventId));
  });

  it("X's validation error is bad_request", async () => {
    await expectKind(f.client.sendDm(f.creds, "not-a-user-id", "hi"), "bad_request", 400);
    await expectKind(f.client.sendDm(f.creds, "42", ""), "bad_request", 400);
  });

  it("a wrong access secret (bad signature) is invalid_credentials, and nothing is sent", async () => {
    const before = f.sandbox.dms().length;
    await expectKind(f.client.sendDm({ ...f.creds, accessSecret: "wrong-secret" }, "42", "hi"), "invalid_credentials", 401);
    expect(f.sandbox.dms()).toHaveLength(before);
  });

  it("an unknown access token is invalid_credentials", async () => {
    await expectKind(f.client.me({ accessToken: "999-unknown", accessSecret: "whatever" }), "invalid_credentials", 401);
  });

  it("a client with another app's consumer credentials is refused", async () => {
    const foreign = createTwitterXClient({ baseUrl: f.baseUrl, consumerKey: "other-app", consumerSecret: CONSUMER_SECRET });
    const wrongSecret = createTwitterXClient({ baseUrl: f.baseUrl, consumerKey: CONSUMER_KEY, consumerSecret: "other-secret" });
    await expectKind(foreign.me(f.creds), "invalid_credentials", 401);
    await expectKind(wrongSecret.me(f.creds), "invalid_credentials", 401);
    foreign.close();
    wrongSecret.close();
  });

  it("error messages never contain the tokens or secrets", async () => {
    const error = await failure(f.client.me({ ...f.creds, accessSecret: "s3cr3t-value" }));
    for (const secret of [f.creds.accessToken, "s3cr3t-value", CONSUMER_SECRET, CONSUMER_KEY]) expect(error.message).not.toContain(secret);
  });

  it("429 is rate_limited with resetAt from x-rate-limit-reset, and the DM is not stored", async () => {
    f.sandbox.addFault({ path: "/2/dm_conversations", status: 429, resetInSeconds: 120 });
    const before = f.sandbox.dms().length;
    const earliest = Math.ceil(Date.now() / 1000) + 120;
    const error = await expectKind(f.client.sendDm(f.creds, "42", "hi"), "rate_limited", 429);
    const latest = Math.ceil(Date.now() / 1000) + 120;
    const resetSeconds = (error.resetAt?.getTime() ?? 0) / 1000;
    expect(Number.isInteger(resetSeconds)).toBe(true);
    expect(resetSeconds).toBeGreaterThanOrEqual(earliest);
    expect(resetSeconds).toBeLessThanOrEqual(latest);
    expect(f.sandbox.dms()).toHaveLength(before);
    expect(f.sandbox.requests().at(-1)).toMatchObject({ path: "/2/dm_conversations/with/42/messages", fault: 429, status: 429 });
    // The fault was used up: the next attempt goes through.
    await expect(f.client.sendDm(f.creds, "42", "hi")).resolves.toMatchObject({ dmConversationId: `42-${f.account.id}` });
  });

  it("429 without rate-limit headers is rate_limited with no resetAt", async () => {
    f.sandbox.addFault({ path: "/2/users/me", status: 429 });
    const error = await expectKind(f.client.me(f.creds), "rate_limited", 429);
    expect(error.resetAt).toBeNull();
  });

  it.each([
    [503, "transient"],
    [500, "transient"],
    [502, "transient"],
    [403, "forbidden"],
    [401, "invalid_credentials"],
  ] as const)("HTTP %i is %s", async (status, kind) => {
    f.sandbox.addFault({ method: "POST", path: "/2/dm_conversations", status });
    const before = f.sandbox.dms().length;
    await expectKind(f.client.sendDm(f.creds, "42", "hi"), kind, status);
    expect(f.sandbox.dms()).toHaveLength(before);
  });

  it("404 is not_found", async () => {
    await expectKind(f.client.subscribe(f.creds, "123456"), "not_found", 404);
  });

  it("faults match by method and path only", async () => {
    f.sandbox.addFault({ method: "POST", path: "/2/dm_conversations", status: 503, sticky: true });
    await expect(f.client.me(f.creds)).resolves.toMatchObject({ id: f.account.id });
    await expectKind(f.client.sendDm(f.creds, "42", "a"), "transient", 503);
    await expectKind(f.client.sendDm(f.creds, "42", "b"), "transient", 503);
    f.sandbox.clearFaults();
    await expect(f.client.sendDm(f.creds, "42", "c")).resolves.toBeDefined();
  });

  it("a response slower than timeoutMs is transient with no status", async () => {
    const impatient = createTwitterXClient({ baseUrl: f.baseUrl, consumerKey: CONSUMER_KEY, consumerSecret: CONSUMER_SECRET, timeoutMs: 200 });
    await impatient.me(f.creds); // a pooled keep-alive socket exists before the slow call
    f.sandbox.addFault({ path: "/2/users/me", latencyMs: 5_000 });
    const started = Date.now();
    const error = await expectKind(impatient.me(f.creds), "transient", null);
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(error.message).toMatch(/timeout/i);
    // The keep-alive pool recovers from the destroyed socket.
    await expect(impatient.me(f.creds)).resolves.toMatchObject({ id: f.account.id });
    impatient.close();
  });

  it("a latency shorter than timeoutMs only delays the answer", async () => {
    f.sandbox.addFault({ path: "/2/users/me", latencyMs: 50 });
    await expect(f.client.me(f.creds)).resolves.toMatchObject({ id: f.account.id });
  });

  it("an unreachable X is transient", async () => {
    const dead = createTwitterXClient({ baseUrl: "http://127.0.0.1:1", consumerKey: CONSUMER_KEY, consumerSecret: CONSUMER_SECRET });
    const error = await expectKind(dead.me(f.creds), "transient", null);
    expect(error.message).toMatch(/ECONNREFUSED/);
    dead.close();
  });

  it("invalidateToken revokes the token: me then fails with invalid_credentials", async () => {
    const user = f.sandbox.addUser({ username: "leaving_shop" });
    await expect(f.client.me(credsOf(user))).resolves.toMatchObject({ id: user.id });
    await f.client.invalidateToken(credsOf(user));
    expect(f.sandbox.requests().at(-1)).toMatchObject({ method: "POST", path: "/1.1/oauth/invalidate_token", userId: user.id, status: 200 });
    await expectKind(f.client.me(credsOf(user)), "invalid_credentials", 401);
    await expectKind(f.client.invalidateToken(credsOf(user)), "invalid_credentials", 401);
  });

  it("a base URL with a trailing slash works the same", async () => {
    const slashed = createTwitterXClient({ baseUrl: f.baseUrl + "/", consumerKey: CONSUMER_KEY, consumerSecret: CONSUMER_SECRET });
    await expect(slashed.me(f.creds)).resolves.toMatchObject({ id: f.account.id });
    slashed.close();
  });
});
