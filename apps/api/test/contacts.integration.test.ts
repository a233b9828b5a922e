// The contacts slice as a REST client sees it: list with filters, details with engagement, update,
// tags, attributes, a contact's conversations and GDPR erasure, against a real database.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildInboundDmPayload, signWebhookPayload } from "@mkt-x/twitter/sandbox";
import { CONSUMER_SECRET, startHarness, type Harness } from "./harness.ts";
import {
  insertAccount,
  insertContactFootprint,
  insertContactMessage,
  insertContactWith,
  insertConversation,
  newMerchant,
  randomXUserId,
  uniqueUsername,
  type ContactBody,
  type ContactConversationBody,
  type Success,
} from "./factories.ts";
import { detailFields, expectFailure, expectSuccess } from "./envelope-assertions.ts";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const pool = () => h.database.pool;

/** A merchant with one account and an agent's token. */
async function shop(role: "owner" | "admin" | "agent" | "viewer" = "agent") {
  const merchantId = newMerchant();
  const accountId = await insertAccount(pool(), { merchantId });
  return { merchantId, accountId, token: await h.token({ merchantId, role }) };
}

const LIST_KEYS = ["accountId", "attributes", "conversationCount", "displayName", "firstInteractionAt", "id", "lastInteractionAt", "optedOut", "profileImageUrl", "source", "tags", "twitterUserId", "username"];
const at = (iso: string, plusSeconds = 0) => new Date(Date.parse(iso) + plusSeconds * 1000);

const getContact = async (token: string, id: string) => h.call<Success<ContactBody>>("GET", `/contacts/${id}`, { token });
async function storedContact(id: string) {
  const { rows } = await pool().query<{ display_name: string | null; tags: string[]; attributes: Record<string, unknown> }>("SELECT display_name, tags, attributes FROM contacts WHERE id = $1", [id]);
  return rows[0];
}

describe("GET /contacts", () => {
  it("lists the merchant's contacts in the seed's shape, most recent interaction first", async () => {
    const s = await shop("viewer");
    const older = await insertContactWith(pool(), { ...s, username: "older_one", lastInteractionAt: new Date("2026-01-01T00:00:00Z") });
    const first = new Date("2025-12-01T10:00:00Z");
    const last = new Date("2026-01-18T09:30:00Z");
    const newer = await insertContactWith(pool(), {
      ...s,
      twitterUserId: "987654321",
      username: "customer_john",
      displayName: "John Doe",
      profileImageUrl: "https://pbs.twimg.com/p.jpg",
      tags: ["vip", "customer"],
      attributes: { purchaseCount: 5, totalSpent: 1250000, lastPurchaseDate: "2026-01-15", member: true },
      firstInteractionAt: first,
      lastInteractionAt: last,
    });
    for (const status of ["closed", "closed", "open"] as const) await insertConversation(pool(), { ...s, contactId: newer, status });

    const res = await h.call<Success<ContactBody[]>>("GET", "/contacts", { token: s.token });
    const data = expectSuccess(res);
    expect(data.map((c) => c.id)).toEqual([newer, older]);
    expect(res.body.pagination).toEqual({ page: 1, limit: 20, total: 2, totalPages: 1 });
    const john = data[0];
    expect(Object.keys(john ?? {}).sort()).toEqual(LIST_KEYS);
    expect(john).toEqual({
      id: newer,
      accountId: s.accountId,
      twitterUserId: "987654321",
      username: "customer_john",
      displayName: "John Doe",
      profileImageUrl: "https://pbs.twimg.com/p.jpg",
      tags: ["vip", "customer"],
      attributes: { purchaseCount: 5, totalSpent: 1250000, lastPurchaseDate: "2026-01-15", member: true },
      source: "inbound_message",
      optedOut: false,
      conversationCount: 3,
      firstInteractionAt: first.toISOString(),
      lastInteractionAt: last.toISOString(),
    });
  });

  it("filters by account, by tags (all must match, normalized) and by a case-insensitive search", async () => {
    const s = await shop();
    const otherAccount = await insertAccount(pool(), { merchantId: s.merchantId });
    const both = await insertContactWith(pool(), { ...s, username: "Alice_Shop", displayName: "Alice Nguyen", tags: ["vip", "customer"] });
    const vipOnly = await insertContactWith(pool(), { ...s, username: "bob", displayName: "Bob ALICEson", tags: ["vip"] });
    const elsewhere = await insertContactWith(pool(), { merchantId: s.merchantId, accountId: otherAccount, username: "carol", tags: ["vip", "customer"] });
    const ids = async (query: string) => expectSuccess(await h.call<Success<ContactBody[]>>("GET", `/contacts${query}`, { token: s.token })).map((c) => c.id).sort();

    expect(await ids("")).toEqual([both, vipOnly, elsewhere].sort());
    expect(await ids(`?accountId=${s.accountId}`)).toEqual([both, vipOnly].sort());
    expect(await ids(`?accountId=${otherAccount}`)).toEqual([elsewhere]);
    expect(await ids("?tags=vip")).toEqual([both, vipOnly, elsewhere].sort());
    expect(await ids("?tags=vip,customer")).toEqual([both, elsewhere].sort());
    expect(await ids(`?tags=${encodeURIComponent(" VIP , Customer ")}&accountId=${s.accountId}`)).toEqual([both]);
    expect(await ids("?tags=vip,nobody")).toEqual([]);
    expect(await ids("?search=alice")).toEqual([both, vipOnly].sort());
    expect(await ids("?search=NGUYEN")).toEqual([both]);
    expect(await ids(`?search=${encodeURIComponent("@alice_")}`)).toEqual([both]);
    expect(await ids("?search=zzz")).toEqual([]);
    // an unknown or another merchant's account filters everything out, like an empty account
    expect(await ids(`?accountId=${randomUUID()}`)).toEqual([]);
  });

  it("paginates with skip and take", async () => {
    const s = await shop();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await insertContactWith(pool(), { ...s, lastInteractionAt: new Date(Date.UTC(2026, 0, 10 - i)) }));
    const page = await h.call<Success<ContactBody[]>>("GET", `/contacts?accountId=${s.accountId}&skip=2&take=2`, { token: s.token });
    expect(expectSuccess(page).map((c) => c.id)).toEqual(ids.slice(2, 4));
    expect(page.body.pagination).toEqual({ page: 2, limit: 2, total: 5, totalPages: 3 });
  });

  it("refuses bad queries with 400", async () => {
    const s = await shop();
    for (const query of ["take=0", "take=101", "skip=-1", "take=abc", "accountId=not-a-uuid"]) {
      const failure = expectFailure(await h.call("GET", `/contacts?${query}`, { token: s.token }), 400, "VALIDATION_ERROR");
      expect(detailFields(failure).length, query).toBeGreaterThan(0);
    }
  });

  it("never shows another merchant's contacts, and needs a token", async () => {
    const a = await shop();
    const b = await shop();
    await insertContactWith(pool(), { ...a });
    const mine = await insertContactWith(pool(), { ...b });
    const res = await h.call<Success<ContactBody[]>>("GET", `/contacts?accountId=${a.accountId}`, { token: b.token });
    expect(expectSuccess(res)).toEqual([]);
    expect(expectSuccess(await h.call<Success<ContactBody[]>>("GET", "/contacts", { token: b.token })).map((c) => c.id)).toEqual([mine]);
    expectFailure(await h.call("GET", "/contacts", { token: null }), 401, "UNAUTHORIZED");
  });
});

describe("GET /contacts/{contactId}", () => {
  it("answers the details with engagement: messages each way and the average response time", async () => {
    const s = await shop("viewer");
    const contactId = await insertContactWith(pool(), { ...s, source: "new_follower" });
    const t0 = "2026-01-18T09:00:00.000Z";
    const conv1 = await insertConversation(pool(), { ...s, contactId, status: "closed" });
    const conv2 = await insertConversation(pool(), { ...s, contactId });
    const msg = (conversationId: string, direction: "inbound" | "outbound", seconds: number, status?: string, origin?: string) =>
      insertContactMessage(pool(), { ...s, contactId, conversationId, direction, createdAt: at(t0, seconds), ...(status ? { status } : {}), ...(origin ? { origin } : {}) });
    // conversation 1: a turn of two messages answered after 70s (from the turn's first message),
    // then a turn whose first reply failed and the next came 330s after the question
    await msg(conv1, "inbound", 0);
    await msg(conv1, "inbound", 10);
    await msg(conv1, "outbound", 70);
    await msg(conv1, "inbound", 100);
    await msg(conv1, "outbound", 130, "failed");
    await msg(conv1, "outbound", 430);
    // conversation 2: a campaign DM first (no question), an answered turn (20s), an unanswered one;
    // a reply in another conversation never answers this one
    await msg(conv2, "outbound", 1000);
    await msg(conv2, "inbound", 2000);
    await msg(conv2, "outbound", 2020, "queued");
    await msg(conv2, "inbound", 3000);
    // a campaign DM is sent, but it answers nobody: the last turn stays unanswered
    await msg(conv2, "outbound", 3010, "sent", "campaign");
    // another contact's conversation does not count
    const other = await insertContactWith(pool(), { ...s });
    const otherConv = await insertConversation(pool(), { ...s, contactId: other });
    await insertContactMessage(pool(), { ...s, contactId: other, conversationId: otherConv, direction: "inbound", createdAt: at(t0, 0) });
    await insertContactMessage(pool(), { ...s, contactId: other, conversationId: otherConv, direction: "outbound", createdAt: at(t0, 5) });

    const details = expectSuccess(await getContact(s.token, contactId));
    expect(Object.keys(details).sort()).toEqual([...LIST_KEYS, "engagement", "consentAt", "optedOutAt"].sort());
    expect(details).toMatchObject({ id: contactId, source: "new_follower", conversationCount: 2 });
    // sent: 70, 430, 1000, 2020, 3010 (the failed one is not); received: 0, 10, 100, 2000, 3000
    // response times 70s, 330s, 20s → mean 140s
    expect(details.engagement).toEqual({ messagesSent: 5, messagesReceived: 5, averageResponseTime: "2m 20s" });
  });

  it("has no average response time before anything was answered", async () => {
    const s = await shop();
    const contactId = await insertContactWith(pool(), { ...s });
    expect(expectSuccess(await getContact(s.token, contactId)).engagement).toEqual({ messagesSent: 0, messagesReceived: 0, averageResponseTime: null });
    const conv = await insertConversation(pool(), { ...s, contactId });
    await insertContactMessage(pool(), { ...s, contactId, conversationId: conv, direction: "inbound", createdAt: new Date() });
    expect(expectSuccess(await getContact(s.token, contactId)).engagement).toEqual({ messagesSent: 0, messagesReceived: 1, averageResponseTime: null });
  });

  it("answers 404 for a missing id, a malformed id and another merchant's contact", async () => {
    const a = await shop();
    const b = await shop();
    const theirs = await insertContactWith(pool(), { ...a });
    for (const id of [randomUUID(), "not-a-uuid", theirs]) expectFailure(await getContact(b.token, id), 404, "RESOURCE_NOT_FOUND");
    expectSuccess(await getContact(a.token, theirs));
  });
});

describe("PUT /contacts/{contactId}", () => {
  it("sets the display name and merges attributes, answering the contact's details", async () => {
    const s = await shop();
    const contactId = await insertContactWith(pool(), { ...s, displayName: "John Doe", attributes: { purchaseCount: 5, preferredLanguage: "vi", obsolete: "x" } });
    const res = await h.call<Success<ContactBody>>("PUT", `/contacts/${contactId}`, {
      token: s.token,
      body: { displayName: "  John Doe (VIP) ", attributes: { preferredLanguage: "en", notes: "Premium customer", obsolete: null } },
    });
    const data = expectSuccess(res);
    expect(data.displayName).toBe("John Doe (VIP)");
    expect(data.attributes).toEqual({ purchaseCount: 5, preferredLanguage: "en", notes: "Premium customer" });
    expect(data.engagement).toEqual({ messagesSent: 0, messagesReceived: 0, averageResponseTime: null });
    expect(await storedContact(contactId)).toMatchObject({ display_name: "John Doe (VIP)", attributes: { purchaseCount: 5, preferredLanguage: "en", notes: "Premium customer" } });

    // only what is given changes; null clears the name
    const cleared = expectSuccess(await h.call<Success<ContactBody>>("PUT", `/contacts/${contactId}`, { token: s.token, body: { displayName: null } }));
    expect(cleared).toMatchObject({ displayName: null, attributes: { purchaseCount: 5, preferredLanguage: "en", notes: "Premium customer" } });
  });

  it("refuses invalid fields with 400 and changes nothing", async () => {
    const s = await shop();
    const contactId = await insertContactWith(pool(), { ...s, displayName: "Keep", attributes: { a: 1 } });
    const cases: Array<[unknown, string]> = [
      [{ displayName: "" }, "displayName"],
      [{ displayName: "x".repeat(101) }, "displayName"],
      [{ displayName: 5 }, "displayName"],
      [{ attributes: { "bad-key": 1 } }, "attributes.bad-key"],
      [{ attributes: { nested: { a: 1 } } }, "attributes.nested"],
      [{ attributes: { list: [1, 2] } }, "attributes.list"],
      [{ attributes: "x" }, "attributes"],
      [{ tags: ["vip"] }, "tags"],
    ];
    for (const [body, field] of cases) {
      const failure = expectFailure(await h.call("PUT", `/contacts/${contactId}`, { token: s.token, body }), 400, "VALIDATION_ERROR");
      expect(detailFields(failure), JSON.stringify(body)).toContain(field);
    }
    expect(await storedContact(contactId)).toMatchObject({ display_name: "Keep", attributes: { a: 1 } });
  });

  it("is for agents and up, and 404 for another merchant's contact", async () => {
    const s = await shop();
    const contactId = await insertContactWith(pool(), { ...s, displayName: "Keep" });
    const viewer = await h.token({ merchantId: s.merchantId, role: "viewer" });
    expectFailure(await h.call("PUT", `/contacts/${contactId}`, { token: viewer, body: { displayName: "No" } }), 403, "FORBIDDEN");
    const other = await shop();
    expectFailure(await h.call("PUT", `/contacts/${contactId}`, { token: other.token, body: { displayName: "No" } }), 404, "RESOURCE_NOT_FOUND");
    expectFailure(await h.call("PUT", `/contacts/${randomUUID()}`, { token: s.token, body: { displayName: "No" } }), 404, "RESOURCE_NOT_FOUND");
    expect((await storedContact(contactId))?.display_name).toBe("Keep");
  });
});

describe("POST /contacts/{contactId}/tags", () => {
  it("adds tags trimmed, lower-cased and without duplicates, idempotently", async () => {
    const s = await shop();
    const contactId = await insertContactWith(pool(), { ...s, tags: ["customer"] });
    const add = (tags: unknown) => h.call<Success<ContactBody>>("POST", `/contacts/${contactId}/tags`, { token: s.token, body: { tags } });
    const first = expectSuccess(await add([" VIP ", "vip", "Premium", "CUSTOMER", "Khách Hàng"]));
    expect(first.tags).toEqual(["customer", "vip", "premium", "khách hàng"]);
    expect(first.engagement).toBeDefined();
    expect(expectSuccess(await add(["vip", "premium"])).tags).toEqual(["customer", "vip", "premium", "khách hàng"]);
    expect((await storedContact(contactId))?.tags).toEqual(["customer", "vip", "premium", "khách hàng"]);
  });

  it("refuses bad tags with 400 naming the tag", async () => {
    const s = await shop();
    const contactId = await insertContactWith(pool(), { ...s, tags: ["keep"] });
    const cases: Array<[unknown, string]> = [
      [{ tags: [""] }, "tags.0"],
      [{ tags: ["ok", "   "] }, "tags.1"],
      [{ tags: ["x".repeat(51)] }, "tags.0"],
      [{ tags: ["a,b"] }, "tags.0"],
      [{ tags: ["a|b"] }, "tags.0"],
      [{ tags: [5] }, "tags.0"],
      [{ tags: [] }, "tags"],
      [{ tags: "vip" }, "tags"],
      [{}, "tags"],
    ];
    for (const [body, field] of cases) {
      const failure = expectFailure(await h.call("POST", `/contacts/${contactId}/tags`, { token: s.token, body }), 400, "VALIDATION_ERROR");
      expect(detailFields(failure), JSON.stringify(body)).toContain(field);
    }
    // 50 characters is fine
    expect(expectSuccess(await h.call<Success<ContactBody>>("POST", `/contacts/${contactId}/tags`, { token: s.token, body: { tags: ["y".repeat(50)] } })).tags).toEqual(["keep", "y".repeat(50)]);
  });

  it("allows 100 tags per contact and refuses the 101st with 400", async () => {
    const s = await shop();
    const contactId = await insertContactWith(pool(), { ...s, tags: Array.from({ length: 99 }, (_, i) => `t${i}`) });
    const tooMany = expectFailure(await h.call("POST", `/contacts/${contactId}/tags`, { token: s.token, body: { tags: ["new1", "new2"] } }), 400, "VALIDATION_ERROR");
    expect(detailFields(tooMany)).toEqual(["tags"]);
    expect((await storedContact(contactId))?.tags).toHaveLength(99);
    // a tag already there does not count twice
    expect(expectSuccess(await h.call<Success<ContactBody>>("POST", `/contacts/${contactId}/tags`, { token: s.token, body: { tags: ["t0", "new1"] } })).tags).toHaveLength(100);
  });

  it("is 404 for another merchant's contact and 403 for a viewer", async () => {
    const s = await shop();
    const contactId = await insertContactWith(pool(), { ...s, tags: [] });
    const other = await shop();
    expectFailure(await h.call("POST", `/contacts/${contactId}/tags`, { token: other.token, body: { tags: ["x"] } }), 404, "RESOURCE_NOT_FOUND");
    expectFailure(await h.call("POST", `/contacts/not-a-uuid/tags`, { token: s.token, body: { tags: ["x"] } }), 404, "RESOURCE_NOT_FOUND");
    const viewer = await h.token({ merchantId: s.merchantId, role: "viewer" });
    expectFailure(await h.call("POST", `/contacts/${contactId}/tags`, { token: viewer, body: { tags: ["x"] } }), 403, "FORBIDDEN");
    expect((await storedContact(contactId))?.tags).toEqual([]);
  });
});

describe("DELETE /contacts/{contactId}/tags/{tagName}", () => {
  it("removes the tag, matched normalized, and removing it again is fine", async () => {
    const s = await shop();
    const contactId = await insertContactWith(pool(), { ...s, tags: ["vip", "khách hàng", "customer"] });
    const remove = (tag: string) => h.call<Success<ContactBody>>("DELETE", `/contacts/${contactId}/tags/${encodeURIComponent(tag)}`, { token: s.token });
    expect(expectSuccess(await remove("VIP")).tags).toEqual(["khách hàng", "customer"]);
    expect(expectSuccess(await remove("vip")).tags).toEqual(["khách hàng", "customer"]);
    expect(expectSuccess(await remove("Khách Hàng")).tags).toEqual(["customer"]);
    expect((await storedContact(contactId))?.tags).toEqual(["customer"]);
    // encoded characters are decoded once: a 50-character Vietnamese tag is not too long
    const long = "đ".repeat(50);
    expect(expectSuccess(await h.call<Success<ContactBody>>("POST", `/contacts/${contactId}/tags`, { token: s.token, body: { tags: [long, "50%off"] } })).tags).toEqual(["customer", long, "50%off"]);
    expect(expectSuccess(await remove(long)).tags).toEqual(["customer", "50%off"]);
    expect(expectSuccess(await remove("50%off")).tags).toEqual(["customer"]);
  });

  it("takes the tag plain from tRPC callers and percent-encoded from REST ones", async () => {
    const s = await shop();
    const contactId = await insertContactWith(pool(), { ...s, tags: ["a%20b", "keep", "c%20d"] });
    const viaTrpc = await h.call<{ result: { data: ContactBody } }>("POST", `${h.url}/trpc/contacts.removeTag`, { token: s.token, body: { contactId, tagName: "a%20b" } });
    expect(viaTrpc.status).toBe(200);
    expect(viaTrpc.body.result.data.tags).toEqual(["keep", "c%20d"]);
    expect(expectSuccess(await h.call<Success<ContactBody>>("DELETE", `/contacts/${contactId}/tags/c%2520d`, { token: s.token })).tags).toEqual(["keep"]);
  });

  it("refuses an impossible tag with 400 and is 404 across merchants", async () => {
    const s = await shop();
    const contactId = await insertContactWith(pool(), { ...s, tags: ["vip"] });
    for (const tag of ["x".repeat(51), "a,b", "%20%20"]) {
      const failure = expectFailure(await h.call("DELETE", `/contacts/${contactId}/tags/${tag}`, { token: s.token }), 400, "VALIDATION_ERROR");
      expect(detailFields(failure), tag).toEqual(["tagName"]);
    }
    const other = await shop();
    expectFailure(await h.call("DELETE", `/contacts/${contactId}/tags/vip`, { token: other.token }), 404, "RESOURCE_NOT_FOUND");
    expect((await storedContact(contactId))?.tags).toEqual(["vip"]);
  });
});

describe("PUT /contacts/{contactId}/attributes", () => {
  it("merges: a value sets its key, null deletes it, other keys stay; types are kept", async () => {
    const s = await shop();
    const contactId = await insertContactWith(pool(), { ...s, attributes: { purchaseCount: 5, totalSpent: 1250000, lastPurchaseDate: "2026-01-15", gone: "x" } });
    const res = await h.call<Success<ContactBody>>("PUT", `/contacts/${contactId}/attributes`, {
      token: s.token,
      body: { attributes: { purchaseCount: 6, totalSpent: 1500000.5, lastPurchaseDate: "2026-01-18", membershipTier: "gold", zip: "007", vip: false, gone: null, neverThere: null } },
    });
    const expected = { purchaseCount: 6, totalSpent: 1500000.5, lastPurchaseDate: "2026-01-18", membershipTier: "gold", zip: "007", vip: false };
    expect(expectSuccess(res).attributes).toEqual(expected);
    expect((await storedContact(contactId))?.attributes).toEqual(expected);
  });

  it("refuses bad keys and values with 400 naming the key", async () => {
    const s = await shop();
    const contactId = await insertContactWith(pool(), { ...s, attributes: { a: 1 } });
    const cases: Array<[unknown, string]> = [
      [{ attributes: { "1abc": 1 } }, "attributes.1abc"],
      [{ attributes: { "with-dash": 1 } }, "attributes.with-dash"],
      [{ attributes: { ["k".repeat(65)]: 1 } }, `attributes.${"k".repeat(65)}`],
      [{ attributes: { obj: { a: 1 } } }, "attributes.obj"],
      [{ attributes: { arr: ["a"] } }, "attributes.arr"],
      [{ attributes: [1] }, "attributes"],
      [{}, "attributes"],
      [{ attributes: {}, extra: 1 }, "extra"],
    ];
    for (const [body, field] of cases) {
      const failure = expectFailure(await h.call("PUT", `/contacts/${contactId}/attributes`, { token: s.token, body }), 400, "VALIDATION_ERROR");
      expect(detailFields(failure), JSON.stringify(body)).toContain(field);
    }
    expect((await storedContact(contactId))?.attributes).toEqual({ a: 1 });
    // a 64-character key starting with _ is fine
    const key = `_${"k".repeat(63)}`;
    expect(expectSuccess(await h.call<Success<ContactBody>>("PUT", `/contacts/${contactId}/attributes`, { token: s.token, body: { attributes: { [key]: "ok" } } })).attributes).toEqual({ a: 1, [key]: "ok" });
  });

  it("allows 100 keys after the merge and refuses more with 400", async () => {
    const s = await shop();
    const hundred = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, i]));
    const contactId = await insertContactWith(pool(), { ...s, attributes: hundred });
    const failure = expectFailure(await h.call("PUT", `/contacts/${contactId}/attributes`, { token: s.token, body: { attributes: { extra: 1 } } }), 400, "VALIDATION_ERROR");
    expect(detailFields(failure)).toEqual(["attributes"]);
    expect(Object.keys((await storedContact(contactId))?.attributes ?? {})).toHaveLength(100);
    // deleting one makes room for one
    const swapped = expectSuccess(await h.call<Success<ContactBody>>("PUT", `/contacts/${contactId}/attributes`, { token: s.token, body: { attributes: { extra: 1, k0: null } } }));
    expect(Object.keys(swapped.attributes)).toHaveLength(100);
    expect(swapped.attributes).toMatchObject({ extra: 1 });
    expect(swapped.attributes).not.toHaveProperty("k0");
  });

  it("is 404 across merchants", async () => {
    const s = await shop();
    const contactId = await insertContactWith(pool(), { ...s, attributes: {} });
    const other = await shop();
    expectFailure(await h.call("PUT", `/contacts/${contactId}/attributes`, { token: other.token, body: { attributes: { a: 1 } } }), 404, "RESOURCE_NOT_FOUND");
    expect((await storedContact(contactId))?.attributes).toEqual({});
  });
});

describe("GET /contacts/{contactId}/conversations", () => {
  it("lists the contact's conversations, newest first, filtered by status and paginated", async () => {
    const s = await shop("viewer");
    const contactId = await insertContactWith(pool(), { ...s });
    const other = await insertContactWith(pool(), { ...s });
    await insertConversation(pool(), { ...s, contactId: other });
    const started = ["2026-01-10T09:00:00.000Z", "2026-01-12T09:00:00.000Z", "2026-01-14T09:00:00.000Z"];
    const ids: string[] = [];
    for (const [i, startedAt] of started.entries()) {
      const { rows } = await pool().query<{ id: string }>(
        `INSERT INTO conversations (merchant_id, account_id, contact_id, status, started_at, last_message_at, assigned_to_user_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
        [s.merchantId, s.accountId, contactId, i === 2 ? "open" : "closed", startedAt, at(startedAt, 1800), i === 2 ? "agent-7" : null],
      );
      ids.push(rows[0]?.id ?? "");
    }
    for (let i = 0; i < 3; i++) await insertContactMessage(pool(), { ...s, contactId, conversationId: ids[2] ?? "", direction: "inbound", createdAt: at(started[2] ?? "", i) });

    const res = await h.call<Success<ContactConversationBody[]>>("GET", `/contacts/${contactId}/conversations`, { token: s.token });
    const data = expectSuccess(res);
    expect(data.map((c) => c.id)).toEqual([ids[2], ids[1], ids[0]]);
    expect(res.body.pagination).toEqual({ page: 1, limit: 20, total: 3, totalPages: 1 });
    expect(data[0]).toEqual({
      id: ids[2],
      contactId,
      accountId: s.accountId,
      status: "open",
      messageCount: 3,
      startedAt: started[2],
      lastMessageAt: at(started[2] ?? "", 1800).toISOString(),
      assignedToUserId: "agent-7",
    });

    const closed = await h.call<Success<ContactConversationBody[]>>("GET", `/contacts/${contactId}/conversations?status=closed&take=1&skip=1`, { token: s.token });
    expect(expectSuccess(closed).map((c) => c.id)).toEqual([ids[0]]);
    expect(closed.body.pagination).toEqual({ page: 2, limit: 1, total: 2, totalPages: 2 });
    expect(expectSuccess(await h.call<Success<ContactConversationBody[]>>("GET", `/contacts/${contactId}/conversations?status=open`, { token: s.token })).map((c) => c.id)).toEqual([ids[2]]);
  });

  it("refuses an unknown status with 400 and is 404 for a contact that is not the merchant's", async () => {
    const s = await shop();
    const contactId = await insertContactWith(pool(), { ...s });
    expectFailure(await h.call("GET", `/contacts/${contactId}/conversations?status=pending`, { token: s.token }), 400, "VALIDATION_ERROR");
    const other = await shop();
    expectFailure(await h.call("GET", `/contacts/${contactId}/conversations`, { token: other.token }), 404, "RESOURCE_NOT_FOUND");
    expectFailure(await h.call("GET", `/contacts/${randomUUID()}/conversations`, { token: s.token }), 404, "RESOURCE_NOT_FOUND");
  });
});

describe("DELETE /contacts/{contactId} (GDPR)", () => {
  /** Every row of every table (all schemas) whose text mentions one of the needles. */
  async function rowsMentioning(needles: string[]): Promise<string[]> {
    const { rows: tables } = await pool().query<{ schema: string; name: string }>(
      `SELECT table_schema AS schema, table_name AS name FROM information_schema.tables
       WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')`,
    );
    expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(["contacts", "conversations", "messages", "campaign_recipients", "short_links", "flow_executions", "ai_sessions", "webhook_events"]));
    const found: string[] = [];
    for (const t of tables) {
      const table = `"${t.schema}"."${t.name}"`;
      const { rows } = await pool().query<{ row: string }>(`SELECT row_to_json(x)::text AS row FROM ${table} x WHERE ${needles.map((_, i) => `row_to_json(x)::text LIKE $${i + 1}`).join(" OR ")}`, needles.map((n) => `%${n}%`));
      for (const r of rows) found.push(`${t.schema}.${t.name}: ${r.row}`);
    }
    return found;
  }

  const dm = (opts: { sender: string; recipient: string; forUserId: string; eventId: string }) =>
    buildInboundDmPayload({ sender: { id: opts.sender, username: uniqueUsername("p") }, recipient: { id: opts.recipient, username: uniqueUsername("p") }, text: "Hi, do you ship to Hanoi?", eventId: opts.eventId, forUserId: opts.forUserId });
  const postWebhook = (body: ReturnType<typeof dm>) => {
    const signed = signWebhookPayload(CONSUMER_SECRET, body);
    return h.call<Success<{ received: number; stored: number; duplicates: number }>>("POST", "/webhooks/twitter", { token: null, rawBody: signed.body, headers: signed.headers });
  };

  it("erases the contact and every row about them, leaving other contacts and merchants alone", async () => {
    const s = await shop();
    const accountXId = randomXUserId();
    await pool().query("UPDATE x_accounts SET twitter_user_id = $1 WHERE id = $2", [accountXId, s.accountId]);
    const personXId = randomXUserId();
    const contactId = await insertContactWith(pool(), { ...s, twitterUserId: personXId, tags: ["vip"] });
    const conversationId = await insertConversation(pool(), { ...s, contactId });
    const messageId = await insertContactMessage(pool(), { ...s, contactId, conversationId, direction: "outbound", createdAt: new Date() });
    await insertContactMessage(pool(), { ...s, contactId, conversationId, direction: "inbound", createdAt: new Date() });
    const footprint = await insertContactFootprint(pool(), { ...s, contactId, conversationId, messageId });

    // their DM as X delivered it (not yet routed by the worker), and a read receipt and a follow
    // the worker already stamped with the merchant and account
    const eventId = randomXUserId();
    expectSuccess(await postWebhook(dm({ sender: personXId, recipient: accountXId, forUserId: accountXId, eventId })));
    await pool().query(
      `INSERT INTO webhook_events (event_key, kind, for_user_id, merchant_id, account_id, payload, status) VALUES
       ($1, 'direct_message_read', $2, $3, $4, $5, 'processed'), ($6, 'follow', $2, $3, $4, $7, 'processed')`,
      [
        `read:${personXId}:${randomUUID()}`, accountXId, s.merchantId, s.accountId,
        JSON.stringify({ for_user_id: accountXId, direct_message_mark_read_events: [{ sender_id: personXId, target: { recipient_id: accountXId }, last_read_event_id: "1" }] }),
        `follow:${randomUUID()}`,
        JSON.stringify({ for_user_id: accountXId, follow_events: [{ type: "follow", source: { id: Number(personXId) > Number.MAX_SAFE_INTEGER ? personXId : Number(personXId) }, target: { id: accountXId } }] }),
      ],
    );

    // what must stay: another contact of the merchant with its data, an event of the account about
    // someone else, and another merchant's contact and event for the same X person
    const keptContact = await insertContactWith(pool(), { ...s });
    const keptConversation = await insertConversation(pool(), { ...s, contactId: keptContact });
    await insertContactMessage(pool(), { ...s, contactId: keptContact, conversationId: keptConversation, direction: "inbound", createdAt: new Date() });
    expectSuccess(await postWebhook(dm({ sender: randomXUserId(), recipient: accountXId, forUserId: accountXId, eventId: randomXUserId() })));
    const other = await shop();
    const otherAccountXId = randomXUserId();
    await pool().query("UPDATE x_accounts SET twitter_user_id = $1 WHERE id = $2", [otherAccountXId, other.accountId]);
    const otherContact = await insertContactWith(pool(), { ...other, twitterUserId: personXId });
    expectSuccess(await postWebhook(dm({ sender: personXId, recipient: otherAccountXId, forUserId: otherAccountXId, eventId: randomXUserId() })));

    const before = await rowsMentioning([contactId, personXId]);
    const tablesBefore = new Set(before.map((row) => row.split(":")[0]));
    expect([...tablesBefore].sort()).toEqual(["public.campaign_recipients", "public.contacts", "public.conversations", "public.flow_executions", "public.messages", "public.webhook_events"]);

    const res = await h.call<Success<null>>("DELETE", `/contacts/${contactId}`, { token: s.token });
    expect(expectSuccess(res)).toBeNull();

    // nothing of theirs remains for this merchant: only the other merchant's rows name the person
    const after = await rowsMentioning([contactId, personXId]);
    expect(after.every((row) => row.includes(otherContact) || row.includes(otherAccountXId)), after.join("\n")).toBe(true);
    expect(after.filter((row) => row.startsWith("public.contacts:"))).toHaveLength(1);
    expect(after.filter((row) => row.startsWith("public.webhook_events:"))).toHaveLength(1);
    for (const [table, id] of [
      ["campaign_recipients", footprint.recipientId],
      ["short_links", footprint.shortLinkId],
      ["flow_executions", footprint.executionId],
      ["ai_sessions", footprint.aiSessionId],
      ["conversations", conversationId],
      ["messages", messageId],
    ] as const) {
      const { rowCount } = await pool().query(`SELECT 1 FROM ${table} WHERE id = $1`, [id]);
      expect(rowCount, table).toBe(0);
    }
    // the merchant's other data is untouched (campaign, flow, the other contact and its messages)
    const counts = await pool().query<{ campaigns: number; flows: number; contacts: number; messages: number; events: number }>(
      `SELECT (SELECT count(*)::int FROM campaigns WHERE id = $1) AS campaigns, (SELECT count(*)::int FROM flows WHERE id = $2) AS flows,
              (SELECT count(*)::int FROM contacts WHERE merchant_id = $3) AS contacts, (SELECT count(*)::int FROM messages WHERE contact_id = $4) AS messages,
              (SELECT count(*)::int FROM webhook_events WHERE for_user_id = $5) AS events`,
      [footprint.campaignId, footprint.flowId, s.merchantId, keptContact, accountXId],
    );
    expect(counts.rows[0]).toEqual({ campaigns: 1, flows: 1, contacts: 1, messages: 1, events: 1 });

    expectFailure(await getContact(s.token, contactId), 404, "RESOURCE_NOT_FOUND");
    expectFailure(await h.call("DELETE", `/contacts/${contactId}`, { token: s.token }), 404, "RESOURCE_NOT_FOUND");

    // the same DM delivered again is news: nothing remembers it
    const again = expectSuccess(await postWebhook(dm({ sender: personXId, recipient: accountXId, forUserId: accountXId, eventId })));
    expect(again).toEqual({ received: 1, stored: 1, duplicates: 0 });
    // and a new contact for them is created without a trace of the old one
    const fresh = await insertContactWith(pool(), { ...s, twitterUserId: personXId });
    const details = expectSuccess(await getContact(s.token, fresh));
    expect(details).toMatchObject({ tags: [], conversationCount: 0, engagement: { messagesSent: 0, messagesReceived: 0, averageResponseTime: null } });
  });

  it("is for agents and up, and 404 (deleting nothing) for another merchant", async () => {
    const s = await shop();
    const contactId = await insertContactWith(pool(), { ...s });
    const viewer = await h.token({ merchantId: s.merchantId, role: "viewer" });
    expectFailure(await h.call("DELETE", `/contacts/${contactId}`, { token: viewer }), 403, "FORBIDDEN");
    const other = await shop();
    expectFailure(await h.call("DELETE", `/contacts/${contactId}`, { token: other.token }), 404, "RESOURCE_NOT_FOUND");
    expectFailure(await h.call("DELETE", `/contacts/not-a-uuid`, { token: other.token }), 404, "RESOURCE_NOT_FOUND");
    expectSuccess(await getContact(s.token, contactId));
  });
});
