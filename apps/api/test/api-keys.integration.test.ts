// Merchant API keys (CONTRACT.md "Team and API keys"): shown once, stored as a hash, used exactly
// like a JWT (roles, the per-merchant rate limit), revoked at once on every API instance.
import { createHash, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "./harness.ts";
import { connectAccount, newMerchant, uniqueUsername, type AccountBody, type Success } from "./factories.ts";
import { expectFailure, expectSuccess } from "./envelope-assertions.ts";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

interface CreatedKey {
  id: string;
  name: string;
  role: string;
  key: string;
  prefix: string;
  createdAt: string;
}
interface ListedKey {
  id: string;
  name: string;
  role: string;
  prefix: string;
  lastUsedAt: string | null;
  createdAt: string;
}

async function createKey(token: string, body: { name: string; role: string }) {
  return expectSuccess(await h.call<Success<CreatedKey>>("POST", "/api-keys", { token, body }));
}

describe("POST /api-keys", () => {
  it("answers { id, name, role, key, prefix, createdAt } once, and stores only a hash", async () => {
    const owner = await h.token({ merchantId: newMerchant(), role: "owner" });
    const created = await createKey(owner, { name: "Zapier", role: "agent" });
    expect(Object.keys(created).sort()).toEqual(["createdAt", "id", "key", "name", "prefix", "role"]);
    expect(created).toMatchObject({ name: "Zapier", role: "agent" });
    expect(created.key).toMatch(/^mktx_[A-Za-z0-9_-]{43}$/);
    expect(created.key.startsWith(created.prefix)).toBe(true);
    expect(created.prefix).toMatch(/^mktx_.{7}$/);

    const { rows } = await h.database.pool.query<Record<string, unknown>>("SELECT * FROM api_keys WHERE id = $1", [created.id]);
    expect(rows[0]?.key_hash).toBe(createHash("sha256").update(created.key).digest("hex"));
    expect(JSON.stringify(rows)).not.toContain(created.key);
  });

  it("lists keys without any secret", async () => {
    const merchantId = newMerchant();
    const admin = await h.token({ merchantId, role: "admin" });
    const a = await createKey(admin, { name: "first", role: "viewer" });
    const b = await createKey(admin, { name: "second", role: "admin" });
    const res = await h.call<Success<ListedKey[]>>("GET", "/api-keys", { token: admin });
    const keys = expectSuccess(res);
    expect(res.body.pagination).toMatchObject({ total: 2 });
    expect(keys.map((k) => k.id).sort()).toEqual([a.id, b.id].sort());
    for (const k of keys) expect(Object.keys(k).sort()).toEqual(["createdAt", "id", "lastUsedAt", "name", "prefix", "role"]);
    expect(res.text).not.toContain(a.key);
    expect(res.text).not.toContain(b.key);
    expect(res.text).not.toMatch(/hash/i);
    // another merchant sees none of them
    expect(expectSuccess(await h.call<Success<ListedKey[]>>("GET", "/api-keys", { token: await h.token({ role: "owner" }) }))).toEqual([]);
  });

  it("lets an admin mint keys up to admin, never owner; an owner may", async () => {
    const merchantId = newMerchant();
    expectFailure(await h.call("POST", "/api-keys", { token: await h.token({ merchantId, role: "admin" }), body: { name: "k", role: "owner" } }), 403, "FORBIDDEN");
    await createKey(await h.token({ merchantId, role: "admin" }), { name: "k", role: "admin" });
    await createKey(await h.token({ merchantId, role: "owner" }), { name: "k", role: "owner" });
  });

  it.each(["viewer", "agent"] as const)("%s cannot create, list or revoke keys", async (role) => {
    const token = await h.token({ role });
    expectFailure(await h.call("POST", "/api-keys", { token, body: { name: "k", role: "viewer" } }), 403, "FORBIDDEN");
    expectFailure(await h.call("GET", "/api-keys", { token }), 403, "FORBIDDEN");
    expectFailure(await h.call("DELETE", `/api-keys/${randomUUID()}`, { token }), 403, "FORBIDDEN");
  });

  it.each([
    ["no body", undefined],
    ["an unknown role", { name: "k", role: "root" }],
    ["no name", { role: "viewer" }],
    ["a number for the name", { name: 5, role: "viewer" }],
  ])("refuses %s with 400", async (_label, body) => {
    expectFailure(await h.call("POST", "/api-keys", { token: await h.token(), body }), 400, "VALIDATION_ERROR");
  });
});

describe("Authorization: Bearer mktx_…", () => {
  it("works like a JWT of the key's merchant and role, on REST and tRPC", async () => {
    const merchantId = newMerchant();
    const owner = await h.token({ merchantId, role: "owner" });
    const { account } = await connectAccount(h, { token: owner });
    const viewer = await createKey(owner, { name: "reports", role: "viewer" });

    const list = await h.call<Success<AccountBody[]>>("GET", "/accounts", { token: viewer.key });
    expect(expectSuccess(list).map((a) => a.id)).toEqual([account.id]);
    expect(list.headers.get("x-ratelimit-limit")).not.toBeNull();
    const trpc = await h.call<{ result: { data: { data: AccountBody[] } } }>("GET", `${h.url}/trpc/accounts.list?input=${encodeURIComponent("{}")}`, { token: viewer.key });
    expect(trpc.body.result.data.data.map((a) => a.id)).toEqual([account.id]);

    // the key's role, not more
    const user = h.sandbox.addUser({ username: uniqueUsername() });
    expectFailure(await h.call("POST", "/accounts", { token: viewer.key, body: { oauthToken: user.accessToken, oauthTokenSecret: user.accessSecret } }), 403, "FORBIDDEN");
    const admin = await createKey(owner, { name: "ops", role: "admin" });
    expectSuccess(await h.call<Success<unknown>>("PUT", `/accounts/${account.id}`, { token: admin.key, body: { autoReplyEnabled: true } }));
    // a key is no user: /auth/me does not know it
    expectFailure(await h.call("GET", `${h.url}/api/v1/auth/me`, { token: admin.key }), 401, "UNAUTHORIZED");
  });

  it("records when a key was last used", async () => {
    const owner = await h.token({ merchantId: newMerchant() });
    const key = await createKey(owner, { name: "used", role: "viewer" });
    expect(expectSuccess(await h.call<Success<ListedKey[]>>("GET", "/api-keys", { token: owner }))[0]?.lastUsedAt).toBeNull();
    expectSuccess(await h.call<Success<unknown>>("GET", "/accounts", { token: key.key }));
    await expect.poll(async () => expectSuccess(await h.call<Success<ListedKey[]>>("GET", "/api-keys", { token: owner }))[0]?.lastUsedAt).not.toBeNull();
  });

  it("counts against the merchant's rate limit together with its JWTs", async () => {
    const limited = await h.startInstance({ rateLimitPerMinute: 3 });
    const merchantId = newMerchant();
    const owner = await h.token({ merchantId });
    const key = await createKey(owner, { name: "busy", role: "viewer" });
    const at = (path: string) => `${limited.base}${path}`;
    // key and JWT alternate until the merchant's 3 a minute are spent (creating the key counted too)
    const statuses: number[] = [];
    for (let i = 0; i < 8 && !statuses.includes(429); i++) statuses.push((await h.call("GET", at("/accounts"), { token: i % 2 ? owner : key.key })).status);
    expect(statuses.at(-1)).toBe(429);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(2);
    const limitedKey = await h.call("GET", at("/accounts"), { token: key.key });
    expectFailure(limitedKey, 429, "RATE_LIMIT_EXCEEDED");
    expect(limitedKey.headers.get("x-ratelimit-limit")).toBe("3");
    expectFailure(await h.call("GET", at("/accounts"), { token: owner }), 429, "RATE_LIMIT_EXCEEDED");
  });

  it("answers 401 from the moment it is revoked, on every API instance", async () => {
    const other = await h.startInstance();
    const merchantId = newMerchant();
    const owner = await h.token({ merchantId, role: "owner" });
    const key = await createKey(owner, { name: "temp", role: "admin" });
    expectSuccess(await h.call<Success<unknown>>("GET", "/accounts", { token: key.key }));
    expectSuccess(await h.call<Success<unknown>>("GET", `${other.base}/accounts`, { token: key.key }));

    expect(expectSuccess(await h.call<Success<null>>("DELETE", `/api-keys/${key.id}`, { token: owner }))).toBeNull();
    expectFailure(await h.call("GET", "/accounts", { token: key.key }), 401, "UNAUTHORIZED");
    expectFailure(await h.call("GET", `${other.base}/accounts`, { token: key.key }), 401, "UNAUTHORIZED");
    expect(expectSuccess(await h.call<Success<ListedKey[]>>("GET", "/api-keys", { token: owner }))).toEqual([]);
    // revoking twice, or a key of another merchant, or no key at all: 404
    expectFailure(await h.call("DELETE", `/api-keys/${key.id}`, { token: owner }), 404, "RESOURCE_NOT_FOUND");
    const theirs = await createKey(await h.token({ role: "owner" }), { name: "theirs", role: "viewer" });
    expectFailure(await h.call("DELETE", `/api-keys/${theirs.id}`, { token: owner }), 404, "RESOURCE_NOT_FOUND");
    expectSuccess(await h.call<Success<unknown>>("GET", "/accounts", { token: theirs.key }));
    expectFailure(await h.call("DELETE", "/api-keys/not-a-uuid", { token: owner }), 404, "RESOURCE_NOT_FOUND");
  });

  it.each([
    ["the bare scheme", "mktx_"],
    ["garbage", "mktx_garbage"],
    ["a well-formed key nobody issued", `mktx_${"A".repeat(43)}`],
  ])("refuses %s with 401", async (_label, key) => {
    expectFailure(await h.call("GET", "/accounts", { token: key }), 401, "UNAUTHORIZED");
  });

  it("refuses a key sent without the Bearer scheme", async () => {
    const key = await createKey(await h.token(), { name: "k", role: "viewer" });
    expectFailure(await h.call("GET", "/accounts", { token: null, headers: { authorization: key.key } }), 401, "UNAUTHORIZED");
    expectFailure(await h.call("GET", "/accounts", { token: null, headers: { authorization: `Basic ${key.key}` } }), 401, "UNAUTHORIZED");
    expectSuccess(await h.call<Success<unknown>>("GET", "/accounts", { token: null, headers: { authorization: `bearer ${key.key}` } }));
  });
});
