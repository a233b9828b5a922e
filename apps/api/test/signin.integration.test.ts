// Signing in (CONTRACT.md "Signing in"): login, refresh with rotation and reuse detection, logout,
// me, signup, the lockout across API instances, and every kind of bad input, in the envelope.
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "./harness.ts";
import { authUrl, createOwner, PASSWORD, signIn, uniqueEmail, type AccountBody, type Success, type TokenPairBody } from "./factories.ts";
import { detailFields, expectFailure, expectSuccess } from "./envelope-assertions.ts";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

interface MeBody {
  id: string;
  email: string;
  name: string;
  merchantId: string;
  role: string;
}

const post = <T = TokenPairBody>(path: string, body: unknown, base: Pick<Harness, "url"> = h) => h.call<Success<T>>("POST", authUrl(base, path), { token: null, body });
const me = (token: string | null, headers: Record<string, string> = {}) => h.call<Success<MeBody>>("GET", authUrl(h, "/me"), { token, headers });

describe("POST /api/v1/auth/login", () => {
  it("answers the seed's pair: a bearer JWT with sub, merchantId, role and exp, and a refresh token", async () => {
    const owner = await createOwner(h);
    const res = await post("/login", { email: owner.email, password: PASSWORD });
    const pair = expectSuccess(res);
    expect(Object.keys(pair).sort()).toEqual(["accessToken", "expiresIn", "refreshToken"]);
    expect(pair.expiresIn).toBe(3600);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const claims = decodeJwt(pair.accessToken);
    expect(claims).toMatchObject({ sub: owner.userId, merchantId: owner.merchantId, role: "owner" });
    expect((claims.exp ?? 0) - Math.floor(Date.now() / 1000)).toBeGreaterThan(3500);
    expect(pair.refreshToken.length).toBeGreaterThanOrEqual(40);

    // the token works like any other on the REST API and tRPC, for the user's merchant
    expect(expectSuccess(await h.call<Success<AccountBody[]>>("GET", "/accounts", { token: pair.accessToken }))).toEqual([]);
    expect((await h.call("GET", `${h.url}/trpc/accounts.list?input=${encodeURIComponent("{}")}`, { token: pair.accessToken })).status).toBe(200);
    expect(expectSuccess(await me(pair.accessToken))).toEqual({ id: owner.userId, email: owner.email, name: "Owner", merchantId: owner.merchantId, role: "owner" });
  });

  it("matches emails case-insensitively", async () => {
    const owner = await createOwner(h, { email: uniqueEmail("MixedCase") });
    expectSuccess(await post("/login", { email: owner.email.toUpperCase(), password: PASSWORD }));
    expectSuccess(await post("/login", { email: `  ${owner.email}  `, password: PASSWORD }));
  });

  it("answers the same 401 for an unknown email and a wrong password", async () => {
    const owner = await createOwner(h);
    const unknown = expectFailure(await post("/login", { email: uniqueEmail("nobody"), password: PASSWORD }), 401, "UNAUTHORIZED");
    const wrong = expectFailure(await post("/login", { email: owner.email, password: "not the password at all" }), 401, "UNAUTHORIZED");
    expect(wrong).toEqual(unknown);
    expect(wrong.error).toBe("Invalid email or password");
    // a too-short password cannot be anyone's: the same answer
    expect(expectFailure(await post("/login", { email: owner.email, password: "short" }), 401, "UNAUTHORIZED")).toEqual(unknown);
  });

  it("stores passwords only as argon2id hashes", async () => {
    const owner = await createOwner(h);
    const { rows } = await h.database.pool.query<{ password_hash: string }>("SELECT password_hash FROM users WHERE id = $1", [owner.userId]);
    expect(rows[0]?.password_hash).toMatch(/^\$argon2id\$v=19\$m=\d+,t=\d+,p=\d+\$/);
    expect(rows[0]?.password_hash).not.toContain(PASSWORD);
  });

  it("refuses a password over 1,024 bytes with 400 before any check, without counting it as a failure", async () => {
    const owner = await createOwner(h);
    const long = "é".repeat(512) + "x"; // 1,025 bytes in UTF-8, 513 characters
    for (let i = 0; i < 6; i++) {
      const failure = expectFailure(await post("/login", { email: owner.email, password: long }), 400, "VALIDATION_ERROR");
      expect(detailFields(failure)).toEqual(["password"]);
    }
    const { rows } = await h.database.pool.query("SELECT 1 FROM login_failures WHERE email = $1", [owner.email]);
    expect(rows).toHaveLength(0);
    expectSuccess(await post("/login", { email: owner.email, password: PASSWORD }));
    // 1,024 bytes is a password like any other (wrong here)
    expectFailure(await post("/login", { email: owner.email, password: "é".repeat(512) }), 401, "UNAUTHORIZED");
  });

  it("locks an email for 15 minutes after 5 failures, on every API instance, and only that email", async () => {
    const owner = await createOwner(h);
    const bystander = await createOwner(h);
    const other = await h.startInstance();
    for (let i = 0; i < 5; i++) {
      // alternate instances: the count is in PostgreSQL
      expectFailure(await post("/login", { email: owner.email, password: `wrong password ${i}` }, i % 2 ? other : h), 401, "UNAUTHORIZED");
    }
    for (const instance of [h, other]) {
      const res = await post("/login", { email: owner.email, password: PASSWORD }, instance);
      const failure = expectFailure(res, 429, "RATE_LIMIT_EXCEEDED");
      expect(failure.error).toMatch(/try again in 15 minutes/);
      expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(14 * 60);
    }
    // the lock is by email, whatever its case
    expectFailure(await post("/login", { email: owner.email.toUpperCase(), password: PASSWORD }, other), 429, "RATE_LIMIT_EXCEEDED");
    expectSuccess(await post("/login", { email: bystander.email, password: PASSWORD }, other));

    // 15 minutes later (the failures moved back in time) the right password works again
    await h.database.pool.query("UPDATE login_failures SET failed_at = failed_at - interval '15 minutes 1 second' WHERE email = $1", [owner.email]);
    expectSuccess(await post("/login", { email: owner.email, password: PASSWORD }, other));
  });

  it("lets no more than 5 parallel guesses through before the lock", async () => {
    const owner = await createOwner(h);
    const other = await h.startInstance();
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => post("/login", { email: owner.email, password: `parallel guess ${i}` }, i % 2 ? other : h)));
    expect(answers.map((r) => r.status).sort()).toEqual([401, 401, 401, 401, 401, 429, 429, 429, 429, 429]);
    for (const r of answers) expectFailure(r, r.status, r.status === 401 ? "UNAUTHORIZED" : "RATE_LIMIT_EXCEEDED");
  });

  it("locks an unknown email like a known one (no enumeration through the lockout)", async () => {
    const email = uniqueEmail("ghost");
    for (let i = 0; i < 5; i++) expectFailure(await post("/login", { email, password: PASSWORD }), 401, "UNAUTHORIZED");
    expectFailure(await post("/login", { email, password: PASSWORD }), 429, "RATE_LIMIT_EXCEEDED");
  });

  it("forgets failures after a successful sign-in", async () => {
    const owner = await createOwner(h);
    for (let i = 0; i < 4; i++) expectFailure(await post("/login", { email: owner.email, password: `wrong password ${i}` }), 401, "UNAUTHORIZED");
    expectSuccess(await post("/login", { email: owner.email, password: PASSWORD }));
    for (let i = 0; i < 4; i++) expectFailure(await post("/login", { email: owner.email, password: `wrong password ${i}` }), 401, "UNAUTHORIZED");
    expectSuccess(await post("/login", { email: owner.email, password: PASSWORD }));
  });

  it.each([
    ["no body", undefined, ["email", "password"]],
    ["an empty object", {}, ["email", "password"]],
    ["a number for the email", { email: 42, password: PASSWORD }, ["email"]],
    ["an array for the password", { email: "a@example.com", password: ["x"] }, ["password"]],
    ["an email that is not one", { email: "not-an-email", password: PASSWORD }, ["email"]],
    ["an empty password", { email: "a@example.com", password: "" }, ["password"]],
    ["a NUL in the password", { email: "a@example.com", password: "abc\u0000defghijklm" }, ["password"]],
  ])("refuses %s with 400 naming the fields", async (_label, body, fields) => {
    const failure = expectFailure(await post("/login", body), 400, "VALIDATION_ERROR");
    expect(detailFields(failure).sort()).toEqual(fields);
  });

  it("refuses malformed JSON and other content types in the envelope", async () => {
    expectFailure(await h.call("POST", authUrl(h, "/login"), { token: null, rawBody: "{ nope", headers: { "content-type": "application/json" } }), 400, "VALIDATION_ERROR");
    expectFailure(await h.call("POST", authUrl(h, "/login"), { token: null, rawBody: "email=a", headers: { "content-type": "application/x-www-form-urlencoded" } }), 415, "VALIDATION_ERROR");
    expectFailure(await h.call("GET", authUrl(h, "/login"), { token: null }), 404, "RESOURCE_NOT_FOUND");
  });

  it("is served below the REST base path too, where the OpenAPI document puts it", async () => {
    const owner = await createOwner(h);
    expectSuccess(await h.call<Success<TokenPairBody>>("POST", "/auth/login", { token: null, body: { email: owner.email, password: PASSWORD } }));
  });
});

describe("POST /api/v1/auth/refresh and /logout", () => {
  it("rotates: each refresh token works once and answers the next pair, with the user's current role", async () => {
    const owner = await createOwner(h);
    const first = await signIn(h, owner.email);
    const second = expectSuccess(await post("/refresh", { refreshToken: first.refreshToken }));
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(second.expiresIn).toBe(3600);
    expect(decodeJwt(second.accessToken)).toMatchObject({ sub: owner.userId, merchantId: owner.merchantId, role: "owner" });
    expectSuccess(await me(second.accessToken));
    const third = expectSuccess(await post("/refresh", { refreshToken: second.refreshToken }));
    expect(third.refreshToken).not.toBe(second.refreshToken);
  });

  it("revokes the whole family when a spent token comes back: the newer token fails too", async () => {
    const owner = await createOwner(h);
    const first = await signIn(h, owner.email);
    const second = expectSuccess(await post("/refresh", { refreshToken: first.refreshToken }));
    // another sign-in of the same user is another family, untouched
    const elsewhere = await signIn(h, owner.email);

    const reuse = expectFailure(await post("/refresh", { refreshToken: first.refreshToken }), 401, "UNAUTHORIZED");
    expect(reuse.error).toBe("Invalid or expired refresh token");
    expectFailure(await post("/refresh", { refreshToken: second.refreshToken }), 401, "UNAUTHORIZED");
    expectFailure(await post("/refresh", { refreshToken: second.refreshToken }), 401, "UNAUTHORIZED");
    expectSuccess(await post("/refresh", { refreshToken: elsewhere.refreshToken }));
  });

  it("stores refresh tokens only as hashes", async () => {
    const owner = await createOwner(h);
    const pair = await signIn(h, owner.email);
    const { rows } = await h.database.pool.query<{ token_hash: string }>("SELECT token_hash FROM refresh_tokens WHERE user_id = $1", [owner.userId]);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(row.token_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(row.token_hash).not.toBe(pair.refreshToken);
    }
    const { rows: found } = await h.database.pool.query("SELECT 1 FROM refresh_tokens WHERE token_hash = $1", [pair.refreshToken]);
    expect(found).toHaveLength(0);
  });

  it("refuses an expired refresh token", async () => {
    const owner = await createOwner(h);
    const pair = await signIn(h, owner.email);
    await h.database.pool.query("UPDATE refresh_tokens SET expires_at = now() - interval '1 second' WHERE user_id = $1", [owner.userId]);
    expectFailure(await post("/refresh", { refreshToken: pair.refreshToken }), 401, "UNAUTHORIZED");
  });

  it("logout revokes the refresh token (and a second logout is a 401 like any dead token)", async () => {
    const owner = await createOwner(h);
    const pair = await signIn(h, owner.email);
    expect(expectSuccess(await post<null>("/logout", { refreshToken: pair.refreshToken }))).toBeNull();
    expectFailure(await post("/refresh", { refreshToken: pair.refreshToken }), 401, "UNAUTHORIZED");
    expectFailure(await post("/logout", { refreshToken: pair.refreshToken }), 401, "UNAUTHORIZED");
  });

  it.each([
    ["garbage", "garbage"],
    ["a JWT", "eyJhbGciOiJIUzI1NiJ9.e30.c2ln"],
    ["an API key's shape", "mktx_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"],
    ["a very long string", "x".repeat(512)],
  ])("refuses %s as a refresh token with 401", async (_label, refreshToken) => {
    expectFailure(await post("/refresh", { refreshToken }), 401, "UNAUTHORIZED");
    expectFailure(await post("/logout", { refreshToken }), 401, "UNAUTHORIZED");
  });

  it.each([
    ["no body", undefined],
    ["a number", { refreshToken: 7 }],
    ["an empty string", { refreshToken: "" }],
    ["over 512 characters", { refreshToken: "x".repeat(513) }],
    ["an unrelated field", { token: "abc" }],
  ])("refuses %s with 400 naming refreshToken", async (_label, body) => {
    for (const path of ["/refresh", "/logout"]) {
      expect(detailFields(expectFailure(await post(path, body), 400, "VALIDATION_ERROR"))).toEqual(["refreshToken"]);
    }
  });
});

describe("GET /api/v1/auth/me", () => {
  it("answers the user as stored now", async () => {
    const owner = await createOwner(h);
    const pair = await signIn(h, owner.email);
    await h.database.pool.query("UPDATE users SET name = 'Renamed' WHERE id = $1", [owner.userId]);
    expect(expectSuccess(await me(pair.accessToken)).name).toBe("Renamed");
  });

  it.each([
    ["no Authorization header", null, {}],
    ["a malformed header", null, { authorization: "Token abc" }],
    ["Bearer with nothing after it", null, { authorization: "Bearer " }],
    ["a garbage token", "garbage", {}],
    ["an unknown API key", "mktx_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", {}],
  ] as const)("refuses %s with 401", async (_label, token, headers) => {
    expectFailure(await me(token, headers), 401, "UNAUTHORIZED");
  });

  it("refuses an expired access token and a token of no user of this service", async () => {
    expectFailure(await me(await h.token({ expiresIn: "-1m" })), 401, "UNAUTHORIZED");
    // a valid JWT minted for someone this service does not know (an external IAM's user)
    expectFailure(await me(await h.token()), 401, "UNAUTHORIZED");
    expectFailure(await me(await h.token({ sub: "not-a-uuid" })), 401, "UNAUTHORIZED");
  });
});

describe("POST /api/v1/auth/signup", () => {
  it("answers 404 unless SIGNUP_ENABLED", async () => {
    const res = await post("/signup", { email: uniqueEmail("signup"), password: PASSWORD, name: "N", merchantName: "M" });
    expectFailure(res, 404, "RESOURCE_NOT_FOUND");
  });

  it("with SIGNUP_ENABLED creates a merchant and its owner, signed in", async () => {
    const open = await h.startInstance({ signupEnabled: true });
    const email = uniqueEmail("Signup");
    const pair = expectSuccess(await post("/signup", { email, password: PASSWORD, name: "Mai", merchantName: "Mai's shop" }, open));
    const claims = decodeJwt(pair.accessToken);
    expect(claims.role).toBe("owner");
    const who = expectSuccess(await me(pair.accessToken));
    expect(who).toEqual({ id: claims.sub, email: email.toLowerCase(), name: "Mai", merchantId: claims.merchantId, role: "owner" });
    const { rows } = await h.database.pool.query<{ name: string }>("SELECT name FROM merchants WHERE id = $1", [claims.merchantId]);
    expect(rows).toEqual([{ name: "Mai's shop" }]);
    expectSuccess(await post("/login", { email, password: PASSWORD }));

    // the same email again, in any case: 409
    expectFailure(await post("/signup", { email: email.toUpperCase(), password: PASSWORD, name: "X", merchantName: "Y" }, open), 409, "DUPLICATE_RESOURCE");
    // 12 to 1,024 bytes
    expect(detailFields(expectFailure(await post("/signup", { email: uniqueEmail(), password: "elevenbytes", name: "X", merchantName: "Y" }, open), 400, "VALIDATION_ERROR"))).toEqual(["password"]);
    expect(detailFields(expectFailure(await post("/signup", { email: uniqueEmail(), password: "x".repeat(1025), name: "X", merchantName: "Y" }, open), 400, "VALIDATION_ERROR"))).toEqual(["password"]);
    expectSuccess(await post("/signup", { email: uniqueEmail(), password: "twelve bytes", name: "X", merchantName: "Y" }, open));
    expect(detailFields(expectFailure(await post("/signup", { email: uniqueEmail(), password: PASSWORD }, open), 400, "VALIDATION_ERROR")).sort()).toEqual(["merchantName", "name"]);
  });
});

describe("with an external IAM (JWT_JWKS_URL)", () => {
  it("answers 404 on every /api/v1/auth/* route, in the envelope, and leaves them out of the document", async () => {
    const iam = await h.startInstance({ signIn: false });
    for (const [method, path] of [["POST", "/login"], ["POST", "/refresh"], ["POST", "/logout"], ["GET", "/me"], ["POST", "/signup"], ["POST", "/accept-invite"]] as const) {
      expectFailure(await h.call(method, authUrl(iam, path), { token: null, body: method === "POST" ? { email: "a@example.com", password: PASSWORD } : undefined }), 404, "RESOURCE_NOT_FOUND");
    }
    const doc = await h.call<{ paths: Record<string, unknown> }>("GET", `${iam.base}/openapi.json`, { token: null });
    expect(Object.keys(doc.body.paths).filter((p) => p.startsWith("/auth/"))).toEqual([]);
  });
});

describe("the OpenAPI document", () => {
  it("documents /auth/*, the team and API keys, with the envelope", async () => {
    const doc = (await h.call<{ paths: Record<string, Record<string, { security?: unknown[]; responses: Record<string, unknown>; requestBody?: unknown }>> }>("GET", "/openapi.json", { token: null })).body;
    for (const path of ["/auth/login", "/auth/refresh", "/auth/logout", "/auth/signup", "/auth/accept-invite"]) {
      const op = doc.paths[path]?.post;
      expect(op, path).toBeDefined();
      expect(op?.security).toEqual([]);
      expect(Object.keys(op?.responses ?? {})).toEqual(expect.arrayContaining(["200", "400", "500"]));
      expect(op?.requestBody).toBeDefined();
    }
    expect(doc.paths["/auth/me"]?.get?.security).toEqual([{ Authorization: [] }]);
    expect(JSON.stringify(doc.paths["/auth/login"]?.post?.responses["200"])).toContain("refreshToken");
    expect(Object.keys(doc.paths["/team/users"] ?? {}).sort()).toEqual(["get", "post"]);
    expect(Object.keys(doc.paths["/team/users/{userId}"] ?? {}).sort()).toEqual(["delete", "put"]);
    expect(Object.keys(doc.paths["/api-keys"] ?? {}).sort()).toEqual(["get", "post"]);
    expect(Object.keys(doc.paths["/api-keys/{id}"] ?? {})).toEqual(["delete"]);
    expect(JSON.stringify(doc.paths["/api-keys"]?.post?.responses["200"])).toContain('"key"');
  });
});
