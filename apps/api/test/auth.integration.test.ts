// Bearer tokens and roles (CONTRACT.md): 401 UNAUTHORIZED for anything but a valid HS256 token with
// the claims, 403 FORBIDDEN for a role without the right, on REST and tRPC alike.
import { createHmac, randomUUID } from "node:crypto";
import { generateKeyPair, SignJWT, type JWTPayload } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Role } from "@mkt-x/core";
import { JWT_SECRET, startHarness, type Harness } from "./harness.ts";
import { connectAccount, insertAccount, insertInboxContact, insertInboxConversation, newMerchant, uniqueUsername, type AccountBody, type MessageBody, type Success } from "./factories.ts";
import { expectFailure, expectSuccess } from "./envelope-assertions.ts";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const secret = new TextEncoder().encode(JWT_SECRET);
const b64url = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
const inAnHour = () => Math.floor(Date.now() / 1000) + 3600;
const validClaims = (): JWTPayload => ({ sub: randomUUID(), merchantId: newMerchant(), role: "owner", exp: inAnHour() });

const signHs = (claims: JWTPayload, alg = "HS256", key: Uint8Array = secret) => new SignJWT(claims).setProtectedHeader({ alg, typ: "JWT" }).sign(key);
/** HS256 signed by hand: jose types the registered claims, and these tests send them ill-typed. */
const signRaw = async (claims: Record<string, unknown>) => {
  const unsigned = `${b64url({ alg: "HS256", typ: "JWT" })}.${b64url(claims)}`;
  return `${unsigned}.${createHmac("sha256", secret).update(unsigned).digest("base64url")}`;
};

/** Every account endpoint with a body that would pass validation. */
const ENDPOINTS = [
  ["GET", "/accounts", undefined],
  ["POST", "/accounts", { oauthToken: "t", oauthTokenSecret: "s" }],
  ["GET", `/accounts/${randomUUID()}`, undefined],
  ["PUT", `/accounts/${randomUUID()}`, { autoReplyEnabled: true }],
  ["DELETE", `/accounts/${randomUUID()}`, undefined],
] as const;

describe("401 UNAUTHORIZED", () => {
  it.each(ENDPOINTS)("%s %s without a token", async (method, path, body) => {
    const res = await h.call(method, path, { token: null, body });
    expectFailure(res, 401, "UNAUTHORIZED");
    expect(res.headers.get("x-ratelimit-limit")).toBeNull();
  });

  const badTokens: Array<[string, () => Promise<string>]> = [
    ["a malformed token", async () => "not-a-jwt"],
    ["three garbage segments", async () => "abc.def.ghi"],
    ["an expired token", () => h.token({ expiresIn: "-1m" })],
    ["a token signed with another secret", () => signHs(validClaims(), "HS256", new TextEncoder().encode("another-secret-0123456789abcdef"))],
    ["a token whose payload was tampered with", async () => {
      const [header, , signature] = (await h.token({ role: "viewer" })).split(".");
      return `${header}.${b64url({ ...validClaims(), role: "owner" })}.${signature}`;
    }],
    ["alg: none", async () => `${b64url({ alg: "none", typ: "JWT" })}.${b64url(validClaims())}.`],
    ["alg: none with a signature", async () => `${b64url({ alg: "none", typ: "JWT" })}.${b64url(validClaims())}.c2lnbmF0dXJl`],
    ["HS512 with the right secret", () => signHs(validClaims(), "HS512")],
    ["HS384 with the right secret", () => signHs(validClaims(), "HS384")],
    ["RS256 (a key pair the API does not trust)", async () => {
      const { privateKey } = await generateKeyPair("RS256");
      return new SignJWT(validClaims()).setProtectedHeader({ alg: "RS256" }).sign(privateKey);
    }],
    ["no exp claim", () => {
      const { exp: _exp, ...claims } = validClaims();
      return signHs(claims);
    }],
    ["no merchantId claim", () => {
      const { merchantId: _m, ...claims } = validClaims();
      return signHs(claims);
    }],
    ["a sub that is not a string", () => signRaw({ ...validClaims(), sub: 42 })],
    ["a null sub", () => signRaw({ ...validClaims(), sub: null })],
    ["no role claim", () => {
      const { role: _r, ...claims } = validClaims();
      return signHs(claims);
    }],
    ["an unknown role", () => signHs({ ...validClaims(), role: "superuser" })],
    ["a token not yet valid (nbf in the future)", () => signHs({ ...validClaims(), nbf: inAnHour() })],
    ["a token expired one second ago (no clock tolerance)", () => signHs({ ...validClaims(), exp: Math.floor(Date.now() / 1000) - 1 })],
    ["an exp that is a string", () => signRaw({ ...validClaims(), exp: String(inAnHour()) })],
    ["an nbf that is a string", () => signRaw({ ...validClaims(), nbf: "0" })],
    ["an empty signature", async () => (await signHs(validClaims())).replace(/\.[^.]+$/, ".")],
    ["a critical header extension the API does not understand", async () => {
      const unsigned = `${b64url({ alg: "HS256", typ: "JWT", crit: ["exp-v2"], "exp-v2": 1 })}.${b64url(validClaims())}`;
      return `${unsigned}.${createHmac("sha256", secret).update(unsigned).digest("base64url")}`;
    }],
    ["a header that is not JSON", async () => {
      const unsigned = `${Buffer.from("{alg:HS256").toString("base64url")}.${b64url(validClaims())}`;
      return `${unsigned}.${createHmac("sha256", secret).update(unsigned).digest("base64url")}`;
    }],
  ];

  it.each(badTokens)("refuses %s", async (_label, make) => {
    const token = await make();
    for (const [method, path, body] of [ENDPOINTS[0], ENDPOINTS[1]]) {
      const res = await h.call(method, path, { token, body });
      expectFailure(res, 401, "UNAUTHORIZED");
      expect(res.headers.get("x-ratelimit-limit")).toBeNull();
    }
  });

  it.each([
    ["Basic credentials", "Basic dXNlcjpwYXNz"],
    ["a bare token without the Bearer scheme", "TOKEN"],
    ["Bearer with nothing after it", "Bearer "],
    ["two tokens", "Bearer a.b.c d.e.f"],
  ])("refuses an Authorization header with %s", async (_label, header) => {
    const valid = await h.token();
    const res = await h.call("GET", "/accounts", { token: null, headers: { authorization: header.replace("TOKEN", valid) } });
    expectFailure(res, 401, "UNAUTHORIZED");
  });

  it("does not call X or store anything for an unauthenticated connect", async () => {
    const user = h.sandbox.addUser({ username: uniqueUsername() });
    const before = h.sandbox.requests().length;
    const res = await h.call("POST", "/accounts", { token: await h.token({ expiresIn: "-1s" }), body: { oauthToken: user.accessToken, oauthTokenSecret: user.accessSecret } });
    expectFailure(res, 401, "UNAUTHORIZED");
    expect(h.sandbox.requests().length).toBe(before);
    const { rows } = await h.database.pool.query("SELECT 1 FROM x_accounts WHERE twitter_user_id = $1", [user.id]);
    expect(rows).toHaveLength(0);
  });

  it("accepts a valid HS256 token with the claims", async () => {
    expectSuccess(await h.call<Success<AccountBody[]>>("GET", "/accounts", { token: await signHs(validClaims()) }));
  });

  it("accepts a token without sub (CONTRACT requires only exp): the caller is one user per merchant and role", async () => {
    const merchantId = newMerchant();
    const claims = { merchantId, role: "agent", exp: inAnHour() };
    expectSuccess(await h.call<Success<AccountBody[]>>("GET", "/accounts", { token: await signHs(claims) }));

    // the Idempotency-Key of a send is scoped to that stable user: another sub-less token is the same caller
    const pool = h.database.pool;
    const accountId = await insertAccount(pool, { merchantId });
    const conversationId = await insertInboxConversation(pool, { merchantId, accountId, contactId: await insertInboxContact(pool, { merchantId, accountId }) });
    const send = async (token: string) =>
      expectSuccess(await h.call<Success<MessageBody>>("POST", `/conversations/${conversationId}/messages`, { token, body: { content: "Once only" }, headers: { "Idempotency-Key": "k-1" } }));
    const first = await send(await signHs(claims));
    expect((await send(await signHs({ ...claims, exp: inAnHour() + 60 }))).id).toBe(first.id);
    const { rows } = await pool.query<{ idempotency_key: string }>("SELECT idempotency_key FROM messages WHERE conversation_id = $1", [conversationId]);
    expect(rows).toEqual([{ idempotency_key: `hdr:merchant:${merchantId}:agent:k-1` }]);
  });

  it("refuses tRPC calls without a valid token too", async () => {
    const res = await h.call<{ error: { data: { appCode: string; httpStatus: number } } }>("GET", `${h.url}/trpc/accounts.list?input=${encodeURIComponent("{}")}`, { token: null });
    expect(res.status).toBe(401);
    expect(res.body.error.data).toMatchObject({ appCode: "UNAUTHORIZED", httpStatus: 401 });
    expect(res.text).not.toMatch(/\n\s+at\s/);
    const ok = await h.call<{ result: { data: { data: unknown[] } } }>("GET", `${h.url}/trpc/accounts.list?input=${encodeURIComponent("{}")}`);
    expect(ok.status).toBe(200);
    expect(ok.body.result.data.data).toEqual([]);
  });
});

describe("403 FORBIDDEN by role", () => {
  const merchantId = newMerchant();
  let account: AccountBody;
  const as = (role: Role) => h.token({ merchantId, role });

  beforeAll(async () => {
    account = (await connectAccount(h, { token: await as("owner") })).account;
  });

  it.each(["viewer", "agent"] as const)("%s can list and read accounts", async (role) => {
    const token = await as(role);
    const list = expectSuccess(await h.call<Success<AccountBody[]>>("GET", "/accounts", { token }));
    expect(list.map((a) => a.id)).toContain(account.id);
    expect(expectSuccess(await h.call<Success<AccountBody>>("GET", `/accounts/${account.id}`, { token })).id).toBe(account.id);
  });

  it.each(["viewer", "agent"] as const)("%s cannot connect, update or disconnect, and nothing changes", async (role) => {
    const token = await as(role);
    const user = h.sandbox.addUser({ username: uniqueUsername() });
    const xCalls = h.sandbox.requests().length;

    expectFailure(await h.call("POST", "/accounts", { token, body: { oauthToken: user.accessToken, oauthTokenSecret: user.accessSecret } }), 403, "FORBIDDEN");
    expectFailure(await h.call("PUT", `/accounts/${account.id}`, { token, body: { autoReplyEnabled: true } }), 403, "FORBIDDEN");
    expectFailure(await h.call("DELETE", `/accounts/${account.id}`, { token }), 403, "FORBIDDEN");
    // forbidden before anything else: invalid input and unknown ids are 403 too, not 400/404
    expectFailure(await h.call("POST", "/accounts", { token, body: {} }), 403, "FORBIDDEN");
    expectFailure(await h.call("PUT", `/accounts/${randomUUID()}`, { token, body: { colour: "blue" } }), 403, "FORBIDDEN");

    expect(h.sandbox.requests().length).toBe(xCalls);
    const { rows } = await h.database.pool.query<{ status: string; auto_reply_enabled: boolean }>("SELECT status, auto_reply_enabled FROM x_accounts WHERE id = $1", [account.id]);
    expect(rows[0]).toEqual({ status: "active", auto_reply_enabled: false });
    const connected = await h.database.pool.query("SELECT 1 FROM x_accounts WHERE twitter_user_id = $1", [user.id]);
    expect(connected.rows).toHaveLength(0);
  });

  it.each(["admin", "owner"] as const)("%s can connect, update and disconnect", async (role) => {
    const token = await as(role);
    const { account: mine } = await connectAccount(h, { token });
    expect(mine.merchantId).toBe(merchantId);
    expect(expectSuccess(await h.call<Success<AccountBody>>("PUT", `/accounts/${mine.id}`, { token, body: { autoReplyEnabled: true } })).autoReplyEnabled).toBe(true);
    expectSuccess(await h.call<Success<null>>("DELETE", `/accounts/${mine.id}`, { token }));
    expect(expectSuccess(await h.call<Success<AccountBody>>("GET", `/accounts/${mine.id}`, { token })).status).toBe("inactive");
  });
});
