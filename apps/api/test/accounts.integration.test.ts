// The accounts slice as a REST client sees it: connect, list, details with statistics, settings,
// disconnect, against a real database and the X sandbox.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "./harness.ts";
import {
  connectAccount,
  decryptStoredToken,
  insertAccount,
  insertContact,
  insertThread,
  newMerchant,
  reauthorize,
  uniqueUsername,
  type AccountBody,
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
beforeEach(() => {
  h.sandbox.clearFaults();
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const tokenFor = (merchantId: string) => h.token({ merchantId, role: "admin" });
const getAccount = async (token: string, id: string) => h.call<Success<AccountBody>>("GET", `/accounts/${id}`, { token });
const usersMeCalls = () => h.sandbox.requests().filter((r) => r.path === "/2/users/me").length;

async function rawAccount(id: string) {
  const { rows } = await h.database.pool.query<{ merchant_id: string; status: string; access_token_enc: string | null; access_secret_enc: string | null; disconnected_at: Date | null }>(
    "SELECT merchant_id, status, access_token_enc, access_secret_enc, disconnected_at FROM x_accounts WHERE id = $1",
    [id],
  );
  return rows[0];
}

async function rowsForXUser(twitterUserId: string) {
  const { rows } = await h.database.pool.query<{ id: string; merchant_id: string; status: string }>("SELECT id, merchant_id, status FROM x_accounts WHERE twitter_user_id = $1 ORDER BY created_at", [twitterUserId]);
  return rows;
}

describe("POST /accounts (connect)", () => {
  it("verifies the credentials with X and answers the stored account", async () => {
    const merchantId = newMerchant();
    const username = uniqueUsername();
    const user = h.sandbox.addUser({ username, name: "GoodGo Official", profileImageUrl: "https://pbs.twimg.com/profile_images/1/goodgo_normal.jpg" });
    const before = Date.now();
    const res = await h.call<Success<AccountBody>>("POST", "/accounts", { token: await tokenFor(merchantId), body: { oauthToken: user.accessToken, oauthTokenSecret: user.accessSecret } });
    const account = expectSuccess(res);

    expect(account).toMatchObject({
      merchantId,
      twitterUserId: user.id,
      username,
      displayName: "GoodGo Official",
      profileImageUrl: "https://pbs.twimg.com/profile_images/1/goodgo_normal.jpg",
      status: "active",
      autoReplyEnabled: false,
      businessHours: null,
      requireConsent: true,
      disconnectedAt: null,
    });
    expect(account.id).toMatch(UUID);
    const connectedAt = Date.parse(account.connectedAt);
    expect(connectedAt).toBeGreaterThanOrEqual(before - 1000);
    expect(connectedAt).toBeLessThanOrEqual(Date.now() + 1000);

    // X saw GET /2/users/me asking for the profile image, signed with this user's token
    const me = h.sandbox.requests().filter((r) => r.path === "/2/users/me" && r.userId === user.id);
    expect(me).toHaveLength(1);
    expect(me[0]?.query["user.fields"]).toContain("profile_image_url");
    expect(me[0]?.status).toBe(200);

    const row = await rawAccount(account.id);
    expect(row).toMatchObject({ merchant_id: merchantId, status: "active" });
  });

  it.each([
    ["an empty body", {}, ["oauthToken", "oauthTokenSecret"]],
    ["a number for oauthToken", { oauthToken: 1, oauthTokenSecret: "s" }, ["oauthToken"]],
    ["a missing secret", { oauthToken: "t" }, ["oauthTokenSecret"]],
    ["an empty token", { oauthToken: "", oauthTokenSecret: "s" }, ["oauthToken"]],
    ["a blank secret", { oauthToken: "t", oauthTokenSecret: "   " }, ["oauthTokenSecret"]],
    ["an oversized token", { oauthToken: "t".repeat(513), oauthTokenSecret: "s" }, ["oauthToken"]],
  ])("refuses %s with 400 VALIDATION_ERROR naming the fields, without calling X", async (_label, body, fields) => {
    const calls = usersMeCalls();
    const failure = expectFailure(await h.call("POST", "/accounts", { body }), 400, "VALIDATION_ERROR");
    expect(detailFields(failure).sort()).toEqual([...fields].sort());
    expect(usersMeCalls()).toBe(calls);
  });

  it("answers 400 when X does not know the token (X says 401), storing nothing", async () => {
    const merchantId = newMerchant();
    const res = await h.call("POST", "/accounts", { token: await tokenFor(merchantId), body: { oauthToken: "1234-unknown-token", oauthTokenSecret: "unknown-secret" } });
    expectFailure(res, 400, "VALIDATION_ERROR");
    const last = h.sandbox.requests().at(-1);
    expect(last).toMatchObject({ path: "/2/users/me", status: 401 });
    const { rows } = await h.database.pool.query("SELECT 1 FROM x_accounts WHERE merchant_id = $1", [merchantId]);
    expect(rows).toHaveLength(0);
  });

  it("answers 400 when the token secret is wrong (X cannot verify the signature)", async () => {
    const user = h.sandbox.addUser({ username: uniqueUsername() });
    const res = await h.call("POST", "/accounts", { body: { oauthToken: user.accessToken, oauthTokenSecret: `${user.accessSecret}x` } });
    expectFailure(res, 400, "VALIDATION_ERROR");
    expect(await rowsForXUser(user.id)).toHaveLength(0);
  });

  it("answers TWITTER_API_ERROR (not a 400, not a 500) when X is down, storing nothing", async () => {
    const user = h.sandbox.addUser({ username: uniqueUsername() });
    h.sandbox.addFault({ path: "/2/users/me", status: 503 });
    const res = await h.call("POST", "/accounts", { body: { oauthToken: user.accessToken, oauthTokenSecret: user.accessSecret } });
    expectFailure(res, 502, "TWITTER_API_ERROR");
    expect(await rowsForXUser(user.id)).toHaveLength(0);
  });

  it("answers 409 DUPLICATE_RESOURCE when the merchant connects the same X account twice", async () => {
    const token = await tokenFor(newMerchant());
    const { user, account } = await connectAccount(h, { token });
    const again = await h.call("POST", "/accounts", { token, body: { oauthToken: user.accessToken, oauthTokenSecret: user.accessSecret } });
    expectFailure(again, 409, "DUPLICATE_RESOURCE");
    expect((await rowsForXUser(user.id)).map((r) => r.id)).toEqual([account.id]);
  });

  it("answers 409 when another merchant already has the X account connected", async () => {
    const { user, account } = await connectAccount(h, { token: await tokenFor(newMerchant()) });
    const other = await h.call("POST", "/accounts", { token: await tokenFor(newMerchant()), body: { oauthToken: user.accessToken, oauthTokenSecret: user.accessSecret } });
    expectFailure(other, 409, "DUPLICATE_RESOURCE");
    expect((await rowsForXUser(user.id)).map((r) => r.id)).toEqual([account.id]);
  });

  it("revives the same row when the merchant reconnects an account it disconnected, with its data", async () => {
    const merchantId = newMerchant();
    const token = await tokenFor(merchantId);
    const { user, account } = await connectAccount(h, { token });
    await insertContact(h.database.pool, { merchantId, accountId: account.id });
    await h.call<Success<AccountBody>>("PUT", `/accounts/${account.id}`, { token, body: { autoReplyEnabled: true } });
    expectSuccess(await h.call<Success<null>>("DELETE", `/accounts/${account.id}`, { token }));

    // disconnect revoked the token at X; the merchant goes through OAuth again
    const fresh = reauthorize(h, user);
    const res = await h.call<Success<AccountBody>>("POST", "/accounts", { token, body: { oauthToken: fresh.accessToken, oauthTokenSecret: fresh.accessSecret } });
    const revived = expectSuccess(res);
    expect(revived).toMatchObject({ id: account.id, status: "active", disconnectedAt: null, autoReplyEnabled: true });
    expect(Date.parse(revived.connectedAt)).toBeGreaterThanOrEqual(Date.parse(account.connectedAt));
    expect(await rowsForXUser(user.id)).toEqual([{ id: account.id, merchant_id: merchantId, status: "active" }]);

    const row = await rawAccount(account.id);
    expect(decryptStoredToken(h.encryptionKey, row?.access_token_enc ?? "", `x_accounts.access_token_enc:${account.id}`)).toBe(fresh.accessToken);
    expect(decryptStoredToken(h.encryptionKey, row?.access_secret_enc ?? "", `x_accounts.access_secret_enc:${account.id}`)).toBe(fresh.accessSecret);

    const details = expectSuccess(await getAccount(token, account.id));
    expect(details.statistics?.totalContacts).toBe(1);
  });

  it("lets another merchant connect an X account once its previous merchant disconnected it; the first then gets 409", async () => {
    const first = newMerchant();
    const firstToken = await tokenFor(first);
    const { user, account } = await connectAccount(h, { token: firstToken });
    expectSuccess(await h.call<Success<null>>("DELETE", `/accounts/${account.id}`, { token: firstToken }));

    const second = newMerchant();
    const fresh = reauthorize(h, user);
    const taken = expectSuccess(await h.call<Success<AccountBody>>("POST", "/accounts", { token: await tokenFor(second), body: { oauthToken: fresh.accessToken, oauthTokenSecret: fresh.accessSecret } }));
    expect(taken.id).not.toBe(account.id);
    expect(taken.merchantId).toBe(second);

    const back = await h.call("POST", "/accounts", { token: firstToken, body: { oauthToken: fresh.accessToken, oauthTokenSecret: fresh.accessSecret } });
    expectFailure(back, 409, "DUPLICATE_RESOURCE");
    expect(await rawAccount(account.id)).toMatchObject({ status: "inactive", access_token_enc: null });
  });
});

describe("GET /accounts (list)", () => {
  it("lists the merchant's accounts only, newest first, with the seed's fields and pagination", async () => {
    const merchantId = newMerchant();
    const token = await tokenFor(merchantId);
    const a = await connectAccount(h, { token });
    const b = await connectAccount(h, { token });
    await connectAccount(h, { token: await tokenFor(newMerchant()) });

    const res = await h.call<Success<AccountBody[]>>("GET", "/accounts", { token });
    const data = expectSuccess(res);
    expect(data.map((x) => x.id)).toEqual([b.account.id, a.account.id]);
    expect(res.body.pagination).toEqual({ page: 1, limit: 20, total: 2, totalPages: 1 });
    for (const item of data) {
      expect(item.merchantId).toBe(merchantId);
      expect(Object.keys(item)).toEqual(expect.arrayContaining(["id", "merchantId", "twitterUserId", "username", "displayName", "status", "connectedAt"]));
    }
  });

  it("filters by status", async () => {
    const merchantId = newMerchant();
    const token = await tokenFor(merchantId);
    const active = await connectAccount(h, { token });
    const gone = await connectAccount(h, { token });
    const broken = await insertAccount(h.database.pool, { merchantId, status: "error" });
    expectSuccess(await h.call<Success<null>>("DELETE", `/accounts/${gone.account.id}`, { token }));

    const ids = async (status: string) => expectSuccess(await h.call<Success<AccountBody[]>>("GET", `/accounts?status=${status}`, { token })).map((x) => x.id);
    expect(await ids("active")).toEqual([active.account.id]);
    expect(await ids("inactive")).toEqual([gone.account.id]);
    expect(await ids("error")).toEqual([broken]);
    const all = expectSuccess(await h.call<Success<AccountBody[]>>("GET", "/accounts", { token }));
    expect(all).toHaveLength(3);
  });

  it("refuses an unknown status with 400 VALIDATION_ERROR on the status field", async () => {
    const failure = expectFailure(await h.call("GET", "/accounts?status=deleted"), 400, "VALIDATION_ERROR");
    expect(detailFields(failure)).toEqual(["status"]);
  });

  it("answers an empty page for a merchant with no accounts", async () => {
    const res = await h.call<Success<AccountBody[]>>("GET", "/accounts", { token: await tokenFor(newMerchant()) });
    expect(expectSuccess(res)).toEqual([]);
    expect(res.body.pagination).toEqual({ page: 1, limit: 20, total: 0, totalPages: 0 });
  });
});

describe("GET /accounts/{accountId} (details)", () => {
  it("answers the account with the seed's detail fields and zero statistics for a fresh account", async () => {
    const token = await tokenFor(newMerchant());
    const { user, account } = await connectAccount(h, { token });
    const details = expectSuccess(await getAccount(token, account.id));
    expect(details).toMatchObject({ ...account, statistics: { totalContacts: 0, totalConversations: 0, messagesThisMonth: 0 } });
    expect(details).toHaveProperty("webhookId");
    expect(details.profileImageUrl).toBe(user.profileImageUrl);
  });

  it("answers 404 RESOURCE_NOT_FOUND for an unknown id and for an id that is not a UUID", async () => {
    expectFailure(await h.call("GET", `/accounts/${randomUUID()}`), 404, "RESOURCE_NOT_FOUND");
    expectFailure(await h.call("GET", "/accounts/not-a-uuid"), 404, "RESOURCE_NOT_FOUND");
    expectFailure(await h.call("GET", "/accounts/12345"), 404, "RESOURCE_NOT_FOUND");
  });

  it("counts the account's own contacts, conversations and this month's messages only", async () => {
    const merchantId = newMerchant();
    const token = await tokenFor(merchantId);
    const { account } = await connectAccount(h, { token });
    const { account: sibling } = await connectAccount(h, { token });
    const otherMerchant = newMerchant();
    const { account: foreign } = await connectAccount(h, { token: await tokenFor(otherMerchant) });
    const pool = h.database.pool;

    const now = new Date();
    const monthStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
    const lastMonth = new Date(monthStart.getTime() - 1000);
    // this account: 3 contacts, 2 conversations, 5 messages of which 3 this month (one exactly at its start)
    await insertThread(pool, { merchantId, accountId: account.id, messagesAt: [now, now, lastMonth] });
    await insertThread(pool, { merchantId, accountId: account.id, messagesAt: [monthStart, new Date(lastMonth.getTime() - 86_400_000 * 40)] });
    await insertContact(pool, { merchantId, accountId: account.id });
    // noise: the merchant's other account and another merchant's account
    await insertThread(pool, { merchantId, accountId: sibling.id, messagesAt: [now, now] });
    await insertThread(pool, { merchantId: otherMerchant, accountId: foreign.id, messagesAt: [now, now, now] });
    await insertContact(pool, { merchantId: otherMerchant, accountId: foreign.id });

    expect(expectSuccess(await getAccount(token, account.id)).statistics).toEqual({ totalContacts: 3, totalConversations: 2, messagesThisMonth: 3 });
    expect(expectSuccess(await getAccount(token, sibling.id)).statistics).toEqual({ totalContacts: 1, totalConversations: 1, messagesThisMonth: 2 });
    expect(expectSuccess(await getAccount(await tokenFor(otherMerchant), foreign.id)).statistics).toEqual({ totalContacts: 2, totalConversations: 1, messagesThisMonth: 3 });
  });
});

describe("another merchant's account", () => {
  let ownerToken: string;
  let intruderToken: string;
  let account: AccountBody;

  beforeAll(async () => {
    ownerToken = await tokenFor(newMerchant());
    intruderToken = await tokenFor(newMerchant());
    account = (await connectAccount(h, { token: ownerToken })).account;
  });

  // the body may name the id asked for; with that masked, it must be byte-identical to a missing one
  const masked = (text: string, id: string) => text.replaceAll(id, "<id>");

  it.each([
    ["GET", undefined],
    ["PUT", { autoReplyEnabled: true }],
    ["DELETE", undefined],
  ] as const)("%s answers 404 exactly like a missing account and changes nothing", async (method, body) => {
    const missing = randomUUID();
    const foreign = await h.call(method, `/accounts/${account.id}`, { token: intruderToken, body });
    const absent = await h.call(method, `/accounts/${missing}`, { token: intruderToken, body });
    expectFailure(foreign, 404, "RESOURCE_NOT_FOUND");
    expect(foreign.status).toBe(absent.status);
    expect(masked(foreign.text, account.id)).toBe(masked(absent.text, missing));

    const row = await rawAccount(account.id);
    expect(row?.status).toBe("active");
    expect(row?.access_token_enc).not.toBeNull();
    expect(expectSuccess(await getAccount(ownerToken, account.id)).autoReplyEnabled).toBe(false);
  });

  it("is not listed for the other merchant", async () => {
    const data = expectSuccess(await h.call<Success<AccountBody[]>>("GET", "/accounts", { token: intruderToken }));
    expect(data.map((a) => a.id)).not.toContain(account.id);
  });

  it("is not disconnected at X by the other merchant's DELETE", async () => {
    await h.call("DELETE", `/accounts/${account.id}`, { token: intruderToken });
    expect(h.sandbox.requests().filter((r) => r.path === "/1.1/oauth/invalidate_token" && r.userId === account.twitterUserId)).toHaveLength(0);
  });
});

describe("PUT /accounts/{accountId} (settings)", () => {
  let token: string;
  let account: AccountBody;
  const put = (body: unknown, id = account.id) => h.call<Success<AccountBody>>("PUT", `/accounts/${id}`, { token, body });

  beforeAll(async () => {
    token = await tokenFor(newMerchant());
    account = (await connectAccount(h, { token })).account;
  });

  it("defaults requireConsent to true and autoReplyEnabled to false", () => {
    expect(account.requireConsent).toBe(true);
    expect(account.autoReplyEnabled).toBe(false);
  });

  it("updates autoReplyEnabled and requireConsent and answers the account", async () => {
    const updated = expectSuccess(await put({ autoReplyEnabled: true, requireConsent: false }));
    expect(updated).toMatchObject({ id: account.id, autoReplyEnabled: true, requireConsent: false, status: "active" });
    expect(expectSuccess(await getAccount(token, account.id))).toMatchObject({ autoReplyEnabled: true, requireConsent: false });
    // a partial update leaves the rest alone
    expect(expectSuccess(await put({ requireConsent: true }))).toMatchObject({ autoReplyEnabled: true, requireConsent: true });
    expect(expectSuccess(await put({}))).toMatchObject({ autoReplyEnabled: true, requireConsent: true });
  });

  it("round-trips valid business hours, fills enabled, and clears them with null", async () => {
    const hours = { enabled: true, timezone: "Asia/Ho_Chi_Minh", schedule: { monday: { start: "09:00", end: "18:00" }, tuesday: { start: "00:00", end: "23:59" } } };
    expect(expectSuccess(await put({ businessHours: hours })).businessHours).toEqual(hours);
    expect(expectSuccess(await getAccount(token, account.id)).businessHours).toEqual(hours);
    const { rows } = await h.database.pool.query<{ business_hours: unknown }>("SELECT business_hours FROM x_accounts WHERE id = $1", [account.id]);
    expect(rows[0]?.business_hours).toEqual(hours);

    // another setting leaves the hours in place
    expect(expectSuccess(await put({ autoReplyEnabled: false })).businessHours).toEqual(hours);

    const withoutEnabled = { timezone: "Europe/Paris", schedule: { friday: { start: "10:00", end: "12:30" } } };
    expect(expectSuccess(await put({ businessHours: withoutEnabled })).businessHours).toEqual({ enabled: true, ...withoutEnabled });

    expect(expectSuccess(await put({ businessHours: null })).businessHours).toBeNull();
    expect(expectSuccess(await getAccount(token, account.id)).businessHours).toBeNull();
    const after = await h.database.pool.query<{ business_hours: unknown }>("SELECT business_hours FROM x_accounts WHERE id = $1", [account.id]);
    expect(after.rows[0]?.business_hours).toBeNull();
  });

  it.each([
    ["an unknown time zone", { businessHours: { timezone: "Mars/Olympus_Mons", schedule: {} } }, ["businessHours.timezone"]],
    ["25:00", { businessHours: { timezone: "UTC", schedule: { monday: { start: "25:00", end: "26:00" } } } }, ["businessHours.schedule.monday.start", "businessHours.schedule.monday.end"]],
    ["9:00 without the leading zero", { businessHours: { timezone: "UTC", schedule: { sunday: { start: "9:00", end: "17:00" } } } }, ["businessHours.schedule.sunday.start"]],
    ["minutes past 59", { businessHours: { timezone: "UTC", schedule: { monday: { start: "09:60", end: "17:00" } } } }, ["businessHours.schedule.monday.start"]],
    ["start after end", { businessHours: { timezone: "UTC", schedule: { tuesday: { start: "18:00", end: "09:00" } } } }, ["businessHours.schedule.tuesday.end"]],
    ["start equal to end", { businessHours: { timezone: "UTC", schedule: { wednesday: { start: "09:00", end: "09:00" } } } }, ["businessHours.schedule.wednesday.end"]],
    ["an unknown weekday", { businessHours: { timezone: "UTC", schedule: { funday: { start: "09:00", end: "10:00" } } } }, ["businessHours.schedule.funday"]],
    ["a missing time zone", { businessHours: { schedule: {} } }, ["businessHours.timezone"]],
    ["an unknown top-level field", { autoReplyEnabled: true, colour: "blue" }, ["colour"]],
    ["two unknown fields", { colour: "blue", size: 3 }, ["colour", "size"]],
    // JSON booleans only: "false" must not become true, nor "" or 0 become false
    ["the string \"false\" for autoReplyEnabled", { autoReplyEnabled: "false" }, ["autoReplyEnabled"]],
    ["an empty string for requireConsent", { requireConsent: "" }, ["requireConsent"]],
    ["0 for requireConsent", { requireConsent: 0 }, ["requireConsent"]],
    ["null for autoReplyEnabled", { autoReplyEnabled: null }, ["autoReplyEnabled"]],
    ["the string \"no\" for businessHours.enabled", { businessHours: { enabled: "no", timezone: "UTC", schedule: {} } }, ["businessHours.enabled"]],
  ])("refuses %s with 400 VALIDATION_ERROR and the field paths, changing nothing", async (_label, body, fields) => {
    const before = expectSuccess(await getAccount(token, account.id));
    const failure = expectFailure(await put(body), 400, "VALIDATION_ERROR");
    const reported = detailFields(failure);
    expect(reported).toEqual(expect.arrayContaining(fields));
    expect(reported.every((f) => fields.some((expected) => f === expected || f.startsWith("businessHours.schedule.")))).toBe(true);
    const after = expectSuccess(await getAccount(token, account.id));
    expect(after).toEqual(before);
  });

  it("answers 404 for an unknown or non-UUID id", async () => {
    expectFailure(await put({ autoReplyEnabled: true }, randomUUID()), 404, "RESOURCE_NOT_FOUND");
    expectFailure(await put({ autoReplyEnabled: true }, "nope"), 404, "RESOURCE_NOT_FOUND");
  });
});

describe("DELETE /accounts/{accountId} (disconnect)", () => {
  it("invalidates the token at X, wipes the tokens, marks the account inactive and keeps its data", async () => {
    const merchantId = newMerchant();
    const token = await tokenFor(merchantId);
    const { user, account } = await connectAccount(h, { token });
    await insertThread(h.database.pool, { merchantId, accountId: account.id, messagesAt: [new Date()] });

    const res = await h.call<Success<null>>("DELETE", `/accounts/${account.id}`, { token });
    expect(expectSuccess(res)).toBeNull();
    expect(res.body).toEqual({ success: true, data: null });

    const invalidations = h.sandbox.requests().filter((r) => r.method === "POST" && r.path === "/1.1/oauth/invalidate_token" && r.userId === user.id);
    expect(invalidations).toHaveLength(1);
    expect(invalidations[0]?.status).toBe(200);
    // the token really is dead at X now
    expectFailure(await h.call("POST", "/accounts", { token, body: { oauthToken: user.accessToken, oauthTokenSecret: user.accessSecret } }), 400, "VALIDATION_ERROR");

    const row = await rawAccount(account.id);
    expect(row).toMatchObject({ status: "inactive", access_token_enc: null, access_secret_enc: null });
    expect(row?.disconnected_at).toBeInstanceOf(Date);

    const details = expectSuccess(await getAccount(token, account.id));
    expect(details.status).toBe("inactive");
    expect(details.disconnectedAt).not.toBeNull();
    expect(details.statistics).toEqual({ totalContacts: 1, totalConversations: 1, messagesThisMonth: 1 });
    const { rows } = await h.database.pool.query("SELECT 1 FROM contacts WHERE account_id = $1", [account.id]);
    expect(rows).toHaveLength(1);
  });

  it("still disconnects when X fails, recording the failure on the account", async () => {
    const token = await tokenFor(newMerchant());
    const { account } = await connectAccount(h, { token });
    h.sandbox.addFault({ status: 503, sticky: true });

    const res = await h.call<Success<null>>("DELETE", `/accounts/${account.id}`, { token });
    expect(expectSuccess(res)).toBeNull();
    expect(h.sandbox.requests().filter((r) => r.path === "/1.1/oauth/invalidate_token" && r.fault === 503).length).toBeGreaterThan(0);
    expect(await rawAccount(account.id)).toMatchObject({ status: "inactive", access_token_enc: null, access_secret_enc: null });
    const details = expectSuccess(await getAccount(token, account.id));
    expect(details.status).toBe("inactive");
    expect(details.lastError).toMatch(/invalidat/i);
  });

  it("is idempotent: a second DELETE answers 200 and does not call X again", async () => {
    const token = await tokenFor(newMerchant());
    const { user, account } = await connectAccount(h, { token });
    expectSuccess(await h.call<Success<null>>("DELETE", `/accounts/${account.id}`, { token }));
    const calls = h.sandbox.requests().filter((r) => r.userId === user.id).length;
    expectSuccess(await h.call<Success<null>>("DELETE", `/accounts/${account.id}`, { token }));
    expect(h.sandbox.requests().filter((r) => r.userId === user.id).length).toBe(calls);
    expect((await rawAccount(account.id))?.status).toBe("inactive");
  });

  it("answers 404 for an unknown or non-UUID id", async () => {
    expectFailure(await h.call("DELETE", `/accounts/${randomUUID()}`), 404, "RESOURCE_NOT_FOUND");
    expectFailure(await h.call("DELETE", "/accounts/not-a-uuid"), 404, "RESOURCE_NOT_FOUND");
  });
});

describe("OAuth tokens at rest", () => {
  it("stores both tokens AES-256-GCM encrypted under the key, never in plain text", async () => {
    const { user, account } = await connectAccount(h);
    const row = await rawAccount(account.id);
    const tokenEnc = row?.access_token_enc ?? "";
    const secretEnc = row?.access_secret_enc ?? "";
    const tokenAt = `x_accounts.access_token_enc:${account.id}`;
    const secretAt = `x_accounts.access_secret_enc:${account.id}`;
    for (const [stored, plain, place] of [[tokenEnc, user.accessToken, tokenAt], [secretEnc, user.accessSecret, secretAt]] as const) {
      expect(stored.startsWith("v2:")).toBe(true);
      expect(stored).not.toContain(plain);
      expect(Buffer.from(stored.slice(3), "base64").length).toBe(12 + 16 + Buffer.byteLength(plain));
      expect(decryptStoredToken(h.encryptionKey, stored, place)).toBe(plain);
    }
    // bound to this row and column: the token's ciphertext does not decrypt as the secret, nor in another account's row
    expect(() => decryptStoredToken(h.encryptionKey, tokenEnc, secretAt)).toThrow();
    const other = await connectAccount(h);
    expect(() => decryptStoredToken(h.encryptionKey, tokenEnc, `x_accounts.access_token_enc:${other.account.id}`)).toThrow();
    // a fresh IV per value: the same plaintext would not give the same ciphertext
    expect(tokenEnc.slice(3, 19)).not.toBe(secretEnc.slice(3, 19));
    // nothing else in the row holds them either
    const { rows } = await h.database.pool.query<{ row: string }>("SELECT x_accounts::text AS row FROM x_accounts WHERE id = $1", [account.id]);
    expect(rows[0]?.row).not.toContain(user.accessToken);
    expect(rows[0]?.row).not.toContain(user.accessSecret);
  });

  it("does not decrypt under another key", async () => {
    const { account } = await connectAccount(h);
    const row = await rawAccount(account.id);
    expect(() => decryptStoredToken(Buffer.alloc(32, 7), row?.access_token_enc ?? "", `x_accounts.access_token_enc:${account.id}`)).toThrow();
  });

  it("never returns the tokens or their ciphertexts in any response", async () => {
    const token = await tokenFor(newMerchant());
    const user = h.sandbox.addUser({ username: uniqueUsername() });
    const connect = await h.call<Success<AccountBody>>("POST", "/accounts", { token, body: { oauthToken: user.accessToken, oauthTokenSecret: user.accessSecret } });
    const id = expectSuccess(connect).id;
    const row = await rawAccount(id);
    const texts = [
      connect.text,
      (await h.call("GET", "/accounts", { token })).text,
      (await h.call("GET", `/accounts/${id}`, { token })).text,
      (await h.call("PUT", `/accounts/${id}`, { token, body: { autoReplyEnabled: true } })).text,
      (await h.call("POST", "/accounts", { token, body: { oauthToken: user.accessToken, oauthTokenSecret: user.accessSecret } })).text,
      (await h.call("DELETE", `/accounts/${id}`, { token })).text,
    ];
    for (const text of texts) {
      for (const secret of [user.accessToken, user.accessSecret, row?.access_token_enc ?? "", row?.access_secret_enc ?? ""]) expect(text).not.toContain(secret);
      expect(text).not.toMatch(/accessToken|accessSecret|access_token|oauthToken/i);
    }
  });
});

describe("webhook subscription is best effort", () => {
  it("connects with webhookStatus failed and the reason when X cannot reach the webhook (CRC fails)", async () => {
    const { user, account } = await connectAccount(h);
    expect(account.status).toBe("active");
    expect(account.webhookStatus).toBe("failed");
    expect(account.lastError).toMatch(/webhook/i);
    // X was asked to register the webhook and ran its CRC check, which failed
    const hook = h.sandbox.webhooks().find((w) => w.url === h.webhookUrl);
    expect(hook?.valid).toBe(false);
    expect(hook?.subscribedUserIds ?? []).not.toContain(user.id);
    expect((await rawAccount(account.id))?.status).toBe("active");
  });

  it("connects with webhookStatus failed when X's webhook API answers 503", async () => {
    h.sandbox.addFault({ path: "/2/webhooks", status: 503, sticky: true });
    const { account } = await connectAccount(h);
    expect(account).toMatchObject({ status: "active", webhookStatus: "failed" });
  });
});

describe("with the API's own webhook registered at X", () => {
  let s: Harness;
  beforeAll(async () => {
    s = await startHarness({ selfWebhook: true });
  });
  afterAll(async () => {
    await s?.close();
  });

  it("passes X's CRC check and subscribes the account", async () => {
    const { user, account } = await connectAccount(s);
    expect(account).toMatchObject({ status: "active", webhookStatus: "subscribed", lastError: null });
    const hook = s.sandbox.webhooks().find((w) => w.url === s.webhookUrl);
    expect(hook).toMatchObject({ valid: true, id: account.webhookId });
    expect(hook?.subscribedUserIds).toContain(user.id);

    // a second account reuses the registered webhook
    const second = await connectAccount(s);
    expect(second.account).toMatchObject({ webhookStatus: "subscribed", webhookId: account.webhookId });
    expect(s.sandbox.webhooks()).toHaveLength(1);
  });

  it("unsubscribes the account from the webhook on disconnect", async () => {
    const token = await s.token();
    const { user, account } = await connectAccount(s, { token });
    expectSuccess(await s.call<Success<null>>("DELETE", `/accounts/${account.id}`, { token }));
    expect(s.sandbox.requests().some((r) => r.method === "DELETE" && r.path === `/2/account_activity/webhooks/${account.webhookId}/subscriptions/${user.id}/all`)).toBe(true);
    expect(s.sandbox.webhooks()[0]?.subscribedUserIds).not.toContain(user.id);
    expect(expectSuccess(await s.call<Success<AccountBody>>("GET", `/accounts/${account.id}`, { token })).webhookStatus).toBe("unsubscribed");
  });
});
