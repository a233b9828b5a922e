// The team (CONTRACT.md "Team and API keys"): owner and admin manage the merchant's users; invites
// are accepted once; owners are protected from admins and the last owner stays.
import { randomUUID } from "node:crypto";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Role } from "@mkt-x/core";
import { startHarness, type Harness } from "./harness.ts";
import { authUrl, createOwner, PASSWORD, signIn, uniqueEmail, type Success, type TeamUserBody, type TokenPairBody } from "./factories.ts";
import { detailFields, expectFailure, expectSuccess } from "./envelope-assertions.ts";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const TEAM_USER_KEYS = ["createdAt", "email", "id", "lastLoginAt", "name", "role", "status"];

/** A merchant with a signed-in owner. */
async function team() {
  const owner = await createOwner(h);
  const pair = await signIn(h, owner.email);
  return { ...owner, token: pair.accessToken };
}

const addUser = (token: string, body: Record<string, unknown>) => h.call<Success<TeamUserBody>>("POST", "/team/users", { token, body });

/** A user of the merchant with a password, signed in with their own token. */
async function member(ownerToken: string, role: Role) {
  const email = uniqueEmail(role);
  const user = expectSuccess(await addUser(ownerToken, { email, name: `The ${role}`, role, password: PASSWORD }));
  const pair = await signIn(h, email);
  return { ...user, pair, token: pair.accessToken };
}

const acceptInvite = (body: unknown) => h.call<Success<TokenPairBody>>("POST", authUrl(h, "/accept-invite"), { token: null, body });

describe("GET/POST /team/users", () => {
  it("lists the merchant's users, paginated, without secrets", async () => {
    const t = await team();
    await member(t.token, "agent");
    const res = await h.call<Success<TeamUserBody[]>>("GET", "/team/users", { token: t.token });
    const users = expectSuccess(res);
    expect(res.body.pagination).toEqual({ page: 1, limit: 20, total: 2, totalPages: 1 });
    expect(users.map((u) => u.role)).toEqual(["owner", "agent"]);
    expect(users[0]).toMatchObject({ id: t.userId, email: t.email, status: "active" });
    for (const u of users) expect(Object.keys(u).sort()).toEqual(TEAM_USER_KEYS);
    expect(res.text).not.toMatch(/argon2|password/i);
    const page = await h.call<Success<TeamUserBody[]>>("GET", "/team/users?skip=1&take=1", { token: t.token });
    expect(expectSuccess(page).map((u) => u.role)).toEqual(["agent"]);
  });

  it("creates a user with a password who signs in at once with their role", async () => {
    const t = await team();
    const email = uniqueEmail("Agent");
    const created = expectSuccess(await addUser(t.token, { email, name: "Ann", role: "agent", password: PASSWORD }));
    expect(Object.keys(created).sort()).toEqual(TEAM_USER_KEYS);
    expect(created).toMatchObject({ email: email.toLowerCase(), name: "Ann", role: "agent", status: "active", lastLoginAt: null });
    const pair = await signIn(h, email);
    expect(decodeJwt(pair.accessToken)).toMatchObject({ sub: created.id, merchantId: t.merchantId, role: "agent" });
    // an agent is not an admin
    expectFailure(await h.call("GET", "/team/users", { token: pair.accessToken }), 403, "FORBIDDEN");
  });

  it("invites a user without a password: accept-invite once sets it and signs them in", async () => {
    const t = await team();
    const email = uniqueEmail("invited");
    const created = expectSuccess(await addUser(t.token, { email, name: "Bo", role: "viewer" }));
    expect(created.status).toBe("invited");
    expect(typeof created.inviteToken).toBe("string");
    expect(new Date(created.inviteExpiresAt ?? 0).getTime()).toBeGreaterThan(Date.now() + 6.9 * 24 * 3600_000);
    // the invite is not listed again, and an invited user cannot sign in yet (the usual 401)
    const listed = expectSuccess(await h.call<Success<TeamUserBody[]>>("GET", "/team/users", { token: t.token })).find((u) => u.id === created.id);
    expect(listed).toMatchObject({ status: "invited" });
    expect(listed).not.toHaveProperty("inviteToken");
    expect(expectFailure(await h.call("POST", authUrl(h, "/login"), { token: null, body: { email, password: PASSWORD } }), 401, "UNAUTHORIZED").error).toBe("Invalid email or password");

    const pair = expectSuccess(await acceptInvite({ inviteToken: created.inviteToken, password: PASSWORD }));
    expect(decodeJwt(pair.accessToken)).toMatchObject({ sub: created.id, merchantId: t.merchantId, role: "viewer" });
    expect(pair.expiresIn).toBe(3600);
    await signIn(h, email);
    expect(expectSuccess(await h.call<Success<TeamUserBody[]>>("GET", "/team/users", { token: t.token })).find((u) => u.id === created.id)?.status).toBe("active");

    // once only
    expectFailure(await acceptInvite({ inviteToken: created.inviteToken, password: "another password 123" }), 401, "UNAUTHORIZED");
    await signIn(h, email);
    // the invite is stored only as a hash
    const { rows } = await h.database.pool.query<{ token_hash: string }>("SELECT token_hash FROM invites WHERE user_id = $1", [created.id]);
    expect(rows[0]?.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[0]?.token_hash).not.toBe(created.inviteToken);
  });

  it("refuses an expired invite, and bad accept-invite input in the envelope", async () => {
    const t = await team();
    const created = expectSuccess(await addUser(t.token, { email: uniqueEmail("late"), name: "Late", role: "agent" }));
    await h.database.pool.query("UPDATE invites SET expires_at = now() - interval '1 second' WHERE user_id = $1", [created.id]);
    expectFailure(await acceptInvite({ inviteToken: created.inviteToken, password: PASSWORD }), 401, "UNAUTHORIZED");
    expectFailure(await acceptInvite({ inviteToken: "garbage", password: PASSWORD }), 401, "UNAUTHORIZED");
    expect(detailFields(expectFailure(await acceptInvite({ inviteToken: created.inviteToken, password: "short" }), 400, "VALIDATION_ERROR"))).toEqual(["password"]);
    expect(detailFields(expectFailure(await acceptInvite({ password: PASSWORD }), 400, "VALIDATION_ERROR"))).toEqual(["inviteToken"]);
    expect(detailFields(expectFailure(await acceptInvite({ inviteToken: 5, password: 6 }), 400, "VALIDATION_ERROR")).sort()).toEqual(["inviteToken", "password"]);
    expectFailure(await acceptInvite(undefined), 400, "VALIDATION_ERROR");
  });

  it("answers 409 DUPLICATE_RESOURCE for an email already in use, in any case and any merchant", async () => {
    const t = await team();
    const other = await team();
    const email = uniqueEmail("dup");
    expectSuccess(await addUser(t.token, { email, name: "One", role: "agent", password: PASSWORD }));
    expectFailure(await addUser(t.token, { email: email.toUpperCase(), name: "Two", role: "agent" }), 409, "DUPLICATE_RESOURCE");
    expectFailure(await addUser(other.token, { email, name: "Three", role: "viewer", password: PASSWORD }), 409, "DUPLICATE_RESOURCE");
    expectFailure(await addUser(t.token, { email: t.email, name: "Me again", role: "agent" }), 409, "DUPLICATE_RESOURCE");
  });

  it("lets only an owner create an owner", async () => {
    const t = await team();
    const admin = await member(t.token, "admin");
    expectFailure(await addUser(admin.token, { email: uniqueEmail(), name: "X", role: "owner", password: PASSWORD }), 403, "FORBIDDEN");
    expectSuccess(await addUser(admin.token, { email: uniqueEmail(), name: "X", role: "admin", password: PASSWORD }));
    expectSuccess(await addUser(t.token, { email: uniqueEmail(), name: "X", role: "owner", password: PASSWORD }));
  });

  it.each([
    ["no body", undefined, ["email", "name", "role"]],
    ["an unknown role", { email: "a@example.com", name: "A", role: "superuser" }, ["role"]],
    ["a number for the name", { email: "a@example.com", name: 1, role: "agent" }, ["name"]],
    ["a short password", { email: "a@example.com", name: "A", role: "agent", password: "short" }, ["password"]],
    ["a password over 1,024 bytes", { email: "a@example.com", name: "A", role: "agent", password: "x".repeat(1025) }, ["password"]],
    ["a bad email", { email: "nope", name: "A", role: "agent" }, ["email"]],
  ])("refuses %s with 400", async (_label, body, fields) => {
    const t = await h.token({ role: "owner" });
    expect(detailFields(expectFailure(await h.call("POST", "/team/users", { token: t, body }), 400, "VALIDATION_ERROR")).sort()).toEqual(fields);
  });
});

describe("PUT/DELETE /team/users/{userId}", () => {
  it("changes a role from the user's next refresh (access tokens keep theirs until they expire)", async () => {
    const t = await team();
    const agent = await member(t.token, "agent");
    const updated = expectSuccess(await h.call<Success<TeamUserBody>>("PUT", `/team/users/${agent.id}`, { token: t.token, body: { role: "admin", name: "Promoted" } }));
    expect(updated).toMatchObject({ id: agent.id, role: "admin", name: "Promoted" });
    expect(decodeJwt(agent.token).role).toBe("agent");
    const next = expectSuccess(await h.call<Success<TokenPairBody>>("POST", authUrl(h, "/refresh"), { token: null, body: { refreshToken: agent.pair.refreshToken } }));
    expect(decodeJwt(next.accessToken).role).toBe("admin");
    expectSuccess(await h.call<Success<unknown>>("GET", "/team/users", { token: next.accessToken }));
  });

  it("keeps owners from admins: an admin cannot demote, remove or make an owner", async () => {
    const t = await team();
    const admin = await member(t.token, "admin");
    const agent = await member(t.token, "agent");
    expectFailure(await h.call("PUT", `/team/users/${t.userId}`, { token: admin.token, body: { role: "admin" } }), 403, "FORBIDDEN");
    expectFailure(await h.call("DELETE", `/team/users/${t.userId}`, { token: admin.token }), 403, "FORBIDDEN");
    expectFailure(await h.call("PUT", `/team/users/${agent.id}`, { token: admin.token, body: { role: "owner" } }), 403, "FORBIDDEN");
    // an admin does manage the others
    expect(expectSuccess(await h.call<Success<TeamUserBody>>("PUT", `/team/users/${agent.id}`, { token: admin.token, body: { role: "viewer" } })).role).toBe("viewer");
    const { rows } = await h.database.pool.query<{ role: string }>("SELECT role FROM users WHERE id = $1", [t.userId]);
    expect(rows).toEqual([{ role: "owner" }]);
  });

  it("never demotes or removes the last owner", async () => {
    const t = await team();
    expectFailure(await h.call("PUT", `/team/users/${t.userId}`, { token: t.token, body: { role: "admin" } }), 409, "CONFLICT");
    expectFailure(await h.call("DELETE", `/team/users/${t.userId}`, { token: t.token }), 409, "CONFLICT");
    // with a second owner, one may step down; then the other is the last
    const second = await member(t.token, "owner");
    expect(expectSuccess(await h.call<Success<TeamUserBody>>("PUT", `/team/users/${t.userId}`, { token: t.token, body: { role: "admin" } })).role).toBe("admin");
    expectFailure(await h.call("DELETE", `/team/users/${second.id}`, { token: second.token }), 409, "CONFLICT");
    expectFailure(await h.call("PUT", `/team/users/${second.id}`, { token: second.token, body: { role: "viewer" } }), 409, "CONFLICT");
    // an owner still invited cannot run the merchant: it does not count
    expectSuccess(await addUser(second.token, { email: uniqueEmail("pending-owner"), name: "P", role: "owner" }));
    expectFailure(await h.call("DELETE", `/team/users/${second.id}`, { token: second.token }), 409, "CONFLICT");
    // renaming is not demoting
    expect(expectSuccess(await h.call<Success<TeamUserBody>>("PUT", `/team/users/${second.id}`, { token: second.token, body: { name: "Still owner" } })).name).toBe("Still owner");
  });

  it("removes a user: their refresh tokens die at once and they cannot sign in", async () => {
    const t = await team();
    const agent = await member(t.token, "agent");
    expect(expectSuccess(await h.call<Success<null>>("DELETE", `/team/users/${agent.id}`, { token: t.token }))).toBeNull();
    expectFailure(await h.call("POST", authUrl(h, "/refresh"), { token: null, body: { refreshToken: agent.pair.refreshToken } }), 401, "UNAUTHORIZED");
    expectFailure(await h.call("POST", authUrl(h, "/login"), { token: null, body: { email: agent.email, password: PASSWORD } }), 401, "UNAUTHORIZED");
    expectFailure(await h.call("GET", authUrl(h, "/me"), { token: agent.token }), 401, "UNAUTHORIZED");
    expect(expectSuccess(await h.call<Success<TeamUserBody[]>>("GET", "/team/users", { token: t.token })).map((u) => u.id)).not.toContain(agent.id);
    expectFailure(await h.call("DELETE", `/team/users/${agent.id}`, { token: t.token }), 404, "RESOURCE_NOT_FOUND");
    // removing an invited user takes the invite with them
    const invited = expectSuccess(await addUser(t.token, { email: uniqueEmail("gone"), name: "G", role: "agent" }));
    expectSuccess(await h.call<Success<unknown>>("DELETE", `/team/users/${invited.id}`, { token: t.token }));
    expectFailure(await acceptInvite({ inviteToken: invited.inviteToken, password: PASSWORD }), 401, "UNAUTHORIZED");
  });

  it("answers 404 for another merchant's user, exactly as for a missing one, and changes nothing", async () => {
    const t = await team();
    const other = await team();
    const theirs = await member(other.token, "agent");
    for (const id of [theirs.id, randomUUID(), "not-a-uuid"]) {
      expectFailure(await h.call("PUT", `/team/users/${id}`, { token: t.token, body: { role: "viewer" } }), 404, "RESOURCE_NOT_FOUND");
      expectFailure(await h.call("DELETE", `/team/users/${id}`, { token: t.token }), 404, "RESOURCE_NOT_FOUND");
    }
    expect(expectSuccess(await h.call<Success<TeamUserBody[]>>("GET", "/team/users", { token: t.token })).map((u) => u.id)).not.toContain(theirs.id);
    const { rows } = await h.database.pool.query<{ role: string }>("SELECT role FROM users WHERE id = $1", [theirs.id]);
    expect(rows).toEqual([{ role: "agent" }]);
  });

  it("refuses bad input with 400", async () => {
    const t = await team();
    const agent = await member(t.token, "agent");
    expect(detailFields(expectFailure(await h.call("PUT", `/team/users/${agent.id}`, { token: t.token, body: { role: "boss" } }), 400, "VALIDATION_ERROR"))).toEqual(["role"]);
    expect(detailFields(expectFailure(await h.call("PUT", `/team/users/${agent.id}`, { token: t.token, body: { name: "" } }), 400, "VALIDATION_ERROR"))).toEqual(["name"]);
    expectFailure(await h.call("PUT", `/team/users/${agent.id}`, { token: t.token, body: { name: "a\u0000b" } }), 400, "VALIDATION_ERROR");
  });
});

describe("who may manage the team", () => {
  it.each(["viewer", "agent"] as const)("%s: 403 on every team endpoint, before validation", async (role) => {
    const token = await h.token({ role });
    const id = randomUUID();
    expectFailure(await h.call("GET", "/team/users", { token }), 403, "FORBIDDEN");
    expectFailure(await h.call("POST", "/team/users", { token, body: {} }), 403, "FORBIDDEN");
    expectFailure(await h.call("PUT", `/team/users/${id}`, { token, body: { role: "owner" } }), 403, "FORBIDDEN");
    expectFailure(await h.call("DELETE", `/team/users/${id}`, { token }), 403, "FORBIDDEN");
  });

  it("401 without a valid token", async () => {
    expectFailure(await h.call("GET", "/team/users", { token: null }), 401, "UNAUTHORIZED");
    expectFailure(await h.call("POST", "/team/users", { token: "garbage", body: {} }), 401, "UNAUTHORIZED");
  });

  it("is reachable over tRPC with the same rules", async () => {
    const t = await team();
    const ok = await h.call<{ result: { data: { data: TeamUserBody[] } } }>("GET", `${h.url}/trpc/team.listUsers?input=${encodeURIComponent("{}")}`, { token: t.token });
    expect(ok.status).toBe(200);
    expect(ok.body.result.data.data.map((u) => u.id)).toEqual([t.userId]);
    const denied = await h.call<{ error: { data: { appCode: string } } }>("GET", `${h.url}/trpc/team.listUsers?input=${encodeURIComponent("{}")}`, { token: await h.token({ role: "viewer" }) });
    expect(denied.status).toBe(403);
    expect(denied.body.error.data.appCode).toBe("FORBIDDEN");
  });
});
