// Connect with X (3-legged OAuth 1.0a) as a person does it: start in the API, X's authorize page
// (the sandbox's, over HTTP, its form submitted as a browser would), back through the public
// callback, and landing on returnTo with the outcome. Real PostgreSQL, real HTTP.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { adminBaseUrlOf, startHarness, type Harness } from "./harness.ts";
import { connectAccount, decryptStoredToken, insertInboxContact, insertInboxConversation, newMerchant, uniqueUsername, type AccountBody, type MessageBody, type Success } from "./factories.ts";
import { expectFailure, expectSuccess } from "./envelope-assertions.ts";
import { formSubmission, parseForm } from "../../../packages/twitter/test/support/html-form.ts";

let h: Harness;
/** ADMIN_BASE_URL as the harness configures it (an origin other than the API's) */
let adminUrl: string;
beforeAll(async () => {
  h = await startHarness();
  adminUrl = adminBaseUrlOf(h.url);
});
afterAll(async () => {
  await h?.close();
});
beforeEach(() => {
  h.sandbox.clearFaults();
});

const pool = () => h.database.pool;
const adminOf = (merchantId: string) => h.token({ merchantId, role: "admin" });

async function start(token: string, body?: unknown) {
  return h.call<Success<{ authorizeUrl: string }>>("POST", "/accounts/oauth/start", { token, ...(body === undefined ? {} : { body }) });
}

async function startedBy(token: string, body?: unknown): Promise<{ authorizeUrl: string; oauthToken: string }> {
  const { authorizeUrl } = expectSuccess(await start(token, body));
  return { authorizeUrl, oauthToken: new URL(authorizeUrl).searchParams.get("oauth_token") ?? "" };
}

/** The person on X's authorize page: loads it, clicks a button; answers where X sends the browser. */
async function onXPage(authorizeUrl: string, button: "Authorize" | "Cancel", opts: { fill?: Record<string, string>; choose?: Record<string, string> } = {}): Promise<string> {
  const page = await fetch(authorizeUrl);
  expect(page.status).toBe(200);
  const form = parseForm(await page.text(), page.url);
  expect(form.buttons.map((b) => b.text)).toEqual(["Authorize", "Cancel"]);
  const res = await fetch(form.action, { method: form.method, headers: { "content-type": "application/x-www-form-urlencoded" }, body: formSubmission(form, button, opts), redirect: "manual" });
  expect(res.status).toBe(303);
  const location = res.headers.get("location");
  if (!location) throw new Error("X's page did not redirect");
  return location;
}

/** The browser following X's redirect to our callback (no bearer); answers where we send it. */
async function callback(url: string): Promise<{ status: number; location: URL; headers: Headers; body: string }> {
  const res = await fetch(url, { redirect: "manual" });
  const body = await res.text();
  const location = res.headers.get("location");
  if (res.status !== 302 || !location) throw new Error(`the callback answered ${res.status} ${body}`);
  return { status: res.status, location: new URL(location), headers: res.headers, body };
}

const callbackUrl = (query: Record<string, string> | string) => `${h.base}/accounts/oauth/callback?${typeof query === "string" ? query : new URLSearchParams(query).toString()}`;
const outcome = (location: URL) => Object.fromEntries(location.searchParams.entries());
const landing = (location: URL) => `${location.origin}${location.pathname}`;

async function accountsOf(merchantId: string): Promise<AccountBody[]> {
  return expectSuccess(await h.call<Success<AccountBody[]>>("GET", "/accounts", { token: await h.token({ merchantId, role: "viewer" }) }));
}
const accessTokenCalls = () => h.sandbox.requests().filter((r) => r.path === "/oauth/access_token").length;

describe("connect with X, the whole way", () => {
  it("start → X's page → Authorize (a new sandbox user) → callback → returnTo with connected=, and the account's tokens work", async () => {
    const merchantId = newMerchant();
    const username = uniqueUsername("xconnect");
    const { authorizeUrl, oauthToken } = await startedBy(await adminOf(merchantId), { returnTo: "/accounts?tab=x" });
    expect(authorizeUrl.startsWith(`${h.sandbox.url}/oauth/authorize?oauth_token=`)).toBe(true);
    // X was asked for a request token with our callback
    expect(h.sandbox.requests().filter((r) => r.path === "/oauth/request_token").at(-1)).toMatchObject({ method: "POST", status: 200 });

    const toCallback = await onXPage(authorizeUrl, "Authorize", { fill: { username } });
    expect(toCallback.startsWith(`${h.base}/accounts/oauth/callback?`)).toBe(true);
    expect(new URL(toCallback).searchParams.get("oauth_token")).toBe(oauthToken);

    const back = await callback(toCallback);
    expect(back.headers.get("cache-control")).toBe("no-store");
    expect(back.headers.get("referrer-policy")).toBe("no-referrer");
    expect(landing(back.location)).toBe(`${adminUrl}/accounts`);
    const accounts = await accountsOf(merchantId);
    expect(accounts).toHaveLength(1);
    const account = accounts[0];
    expect(outcome(back.location)).toEqual({ tab: "x", connected: account?.id, username });
    const user = h.sandbox.users().find((u) => u.username === username);
    expect(account).toMatchObject({ merchantId, twitterUserId: user?.id, username, status: "active" });

    // the tokens X handed over are stored (encrypted) and are the user's
    const { rows } = await pool().query<{ access_token_enc: string; access_secret_enc: string }>("SELECT access_token_enc, access_secret_enc FROM x_accounts WHERE id = $1", [account?.id]);
    expect(decryptStoredToken(h.encryptionKey, rows[0]?.access_token_enc ?? "", `x_accounts.access_token_enc:${account?.id}`)).toBe(user?.accessToken);
    expect(decryptStoredToken(h.encryptionKey, rows[0]?.access_secret_enc ?? "", `x_accounts.access_secret_enc:${account?.id}`)).toBe(user?.accessSecret);

    // and they work: an agent's reply goes out to X from this account
    const api = await h.startInstance({ deliverNow: true });
    const customer = h.sandbox.addUser({ username: uniqueUsername("customer") });
    const contactId = await insertInboxContact(pool(), { merchantId, accountId: account?.id ?? "", twitterUserId: customer.id });
    const conversationId = await insertInboxConversation(pool(), { merchantId, accountId: account?.id ?? "", contactId });
    const sent = expectSuccess(
      await h.call<Success<MessageBody>>("POST", `${api.base}/conversations/${conversationId}/messages`, { token: await h.token({ merchantId, role: "agent" }), body: { content: "Thanks for connecting!" } }),
    );
    expect(sent.status).toBe("sent");
    expect(h.sandbox.dms().filter((dm) => dm.recipientId === customer.id)).toEqual([expect.objectContaining({ senderId: user?.id, text: "Thanks for connecting!" })]);
  });

  it("picks an existing sandbox user on X's page, and lands on the admin Accounts page by default", async () => {
    const merchantId = newMerchant();
    const shop = h.sandbox.addUser({ username: uniqueUsername("picked") });
    const { authorizeUrl } = await startedBy(await adminOf(merchantId));
    const back = await callback(await onXPage(authorizeUrl, "Authorize", { choose: { user_id: shop.id } }));
    expect(landing(back.location)).toBe(`${adminUrl}/accounts`);
    const [account] = await accountsOf(merchantId);
    expect(outcome(back.location)).toEqual({ connected: account?.id, username: shop.username });
    expect(account?.twitterUserId).toBe(shop.id);
  });

  it("is offered over tRPC too (accounts.oauthStart)", async () => {
    const res = await fetch(`${h.url}/trpc/accounts.oauthStart`, {
      method: "POST",
      headers: { authorization: `Bearer ${await adminOf(newMerchant())}`, "content-type": "application/json" },
      body: JSON.stringify({ returnTo: "/accounts" }),
    });
    expect(res.status).toBe(200);
    const body: unknown = await res.json();
    expect(body).toMatchObject({ result: { data: { authorizeUrl: expect.stringContaining("/oauth/authorize?oauth_token=") } } });
  });

  it("an owner may start too; the account belongs to the merchant that started, invisible to another", async () => {
    const merchantId = newMerchant();
    const other = newMerchant();
    const { authorizeUrl } = await startedBy(await h.token({ merchantId, role: "owner" }));
    const back = await callback(await onXPage(authorizeUrl, "Authorize", { fill: { username: uniqueUsername("owned") } }));
    const accountId = outcome(back.location)["connected"] ?? "";
    expect(accountId).not.toBe("");
    expect((await accountsOf(merchantId)).map((a) => a.id)).toEqual([accountId]);
    expect(await accountsOf(other)).toEqual([]);
    expectFailure(await h.call("GET", `/accounts/${accountId}`, { token: await h.token({ merchantId: other, role: "owner" }) }), 404, "RESOURCE_NOT_FOUND");
  });
});

describe("attempts that connect nothing", () => {
  it("Cancel on X's page: back to returnTo with error=denied; the attempt is spent", async () => {
    const merchantId = newMerchant();
    const { authorizeUrl, oauthToken } = await startedBy(await adminOf(merchantId), { returnTo: "/accounts?from=cancel" });
    const toCallback = await onXPage(authorizeUrl, "Cancel");
    expect(new URL(toCallback).searchParams.get("denied")).toBe(oauthToken);
    const back = await callback(toCallback);
    expect(landing(back.location)).toBe(`${adminUrl}/accounts`);
    expect(outcome(back.location)).toEqual({ from: "cancel", error: "denied", message: expect.any(String) });
    expect(await accountsOf(merchantId)).toEqual([]);
    const { rows } = await pool().query<{ used_at: Date | null }>("SELECT used_at FROM x_oauth_requests WHERE oauth_token = $1", [oauthToken]);
    expect(rows[0]?.used_at).toBeInstanceOf(Date);
  });

  it("a replayed callback connects nothing new and never reaches X again", async () => {
    const merchantId = newMerchant();
    const { authorizeUrl } = await startedBy(await adminOf(merchantId));
    const toCallback = await onXPage(authorizeUrl, "Authorize", { fill: { username: uniqueUsername("replay") } });
    expect(outcome((await callback(toCallback)).location)).toHaveProperty("connected");
    const calls = accessTokenCalls();

    const replay = await callback(toCallback);
    expect(landing(replay.location)).toBe(`${adminUrl}/accounts`);
    expect(outcome(replay.location)).toEqual({ error: "expired", message: expect.any(String) });
    expect(await accountsOf(merchantId)).toHaveLength(1);
    expect(accessTokenCalls()).toBe(calls);
  });

  it("two callbacks racing with the same token: exactly one connects", async () => {
    const merchantId = newMerchant();
    const { authorizeUrl } = await startedBy(await adminOf(merchantId));
    const toCallback = await onXPage(authorizeUrl, "Authorize", { fill: { username: uniqueUsername("race") } });
    const results = await Promise.all([callback(toCallback), callback(toCallback), callback(toCallback)]);
    const outcomes = results.map((r) => outcome(r.location));
    expect(outcomes.filter((o) => o["connected"])).toHaveLength(1);
    expect(outcomes.filter((o) => o["error"] === "expired")).toHaveLength(2);
    expect(await accountsOf(merchantId)).toHaveLength(1);
  });

  it("an attempt older than 10 minutes is refused with error=expired, X not asked", async () => {
    const merchantId = newMerchant();
    const { authorizeUrl, oauthToken } = await startedBy(await adminOf(merchantId), { returnTo: "/accounts?late=1" });
    const toCallback = await onXPage(authorizeUrl, "Authorize", { fill: { username: uniqueUsername("late") } });
    await pool().query("UPDATE x_oauth_requests SET created_at = now() - interval '10 minutes 1 second' WHERE oauth_token = $1", [oauthToken]);
    const calls = accessTokenCalls();
    const back = await callback(toCallback);
    expect(outcome(back.location)).toEqual({ late: "1", error: "expired", message: expect.stringContaining("10 minutes") });
    expect(accessTokenCalls()).toBe(calls);
    expect(await accountsOf(merchantId)).toEqual([]);
  });

  it("an attempt a little under 10 minutes old still connects", async () => {
    const merchantId = newMerchant();
    const { authorizeUrl, oauthToken } = await startedBy(await adminOf(merchantId));
    const toCallback = await onXPage(authorizeUrl, "Authorize", { fill: { username: uniqueUsername("intime") } });
    await pool().query("UPDATE x_oauth_requests SET created_at = now() - interval '9 minutes' WHERE oauth_token = $1", [oauthToken]);
    expect(outcome((await callback(toCallback)).location)).toHaveProperty("connected");
  });

  it("a forged verifier: X refuses it, error=invalid_request, nothing connected, the attempt spent", async () => {
    const merchantId = newMerchant();
    const { authorizeUrl, oauthToken } = await startedBy(await adminOf(merchantId), { returnTo: "/accounts" });
    const real = new URL(await onXPage(authorizeUrl, "Authorize", { fill: { username: uniqueUsername("forged") } }));
    const forged = await callback(callbackUrl({ oauth_token: oauthToken, oauth_verifier: "forged-verifier" }));
    expect(landing(forged.location)).toBe(`${adminUrl}/accounts`);
    expect(outcome(forged.location)).toEqual({ error: "invalid_request", message: expect.any(String) });
    // the real verifier arriving afterwards finds the attempt used
    expect(outcome((await callback(real.toString())).location)).toMatchObject({ error: "expired" });
    expect(await accountsOf(merchantId)).toEqual([]);
  });

  it.each([
    ["no parameters at all", "invalid_request", ""],
    ["an unknown token", "expired", "oauth_token=rt-unknown&oauth_verifier=v"],
    ["a token without a verifier", "invalid_request", "oauth_token=rt-unknown"],
    ["a verifier without a token", "invalid_request", "oauth_verifier=v"],
    ["a repeated token", "invalid_request", "oauth_token=a&oauth_token=b&oauth_verifier=v"],
    ["an empty token", "invalid_request", "oauth_token=&oauth_verifier=v"],
    ["an oversized token", "invalid_request", `oauth_token=${"t".repeat(5000)}&oauth_verifier=v`],
    ["a denied unknown token", "denied", "denied=rt-unknown"],
    ["an empty denied", "denied", "denied="],
    ["garbage percent-encoding", "expired", "oauth_token=%E0%A4%A&oauth_verifier=%ZZ"],
  ])("%s: error=%s, back on the admin Accounts page, never a 500", async (_label, error, query) => {
    const before = await pool().query("SELECT count(*)::int AS n FROM x_accounts");
    const back = await callback(callbackUrl(query));
    expect(landing(back.location)).toBe(`${adminUrl}/accounts`);
    expect(outcome(back.location)).toEqual({ error, message: expect.any(String) });
    expect((await pool().query("SELECT count(*)::int AS n FROM x_accounts")).rows).toEqual(before.rows);
  });

  it("is rate limited per address (a public route): past the limit, 429 in the envelope", async () => {
    const limited = await startHarness({ xConnectCallbacksPerMinute: 2 });
    try {
      const url = `${limited.base}/accounts/oauth/callback?oauth_token=unknown&oauth_verifier=x`;
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await fetch(url, { redirect: "manual" })).status);
      expect(statuses).toEqual([302, 302, 429]);
      const refused = await fetch(url, { redirect: "manual" });
      expect(await refused.json()).toMatchObject({ success: false, code: "RATE_LIMIT_EXCEEDED" });
    } finally {
      await limited.close();
    }
  });

  it("a known token without its verifier goes back to that attempt's returnTo", async () => {
    const { oauthToken } = await startedBy(await adminOf(newMerchant()), { returnTo: "/accounts?mine=1" });
    const back = await callback(callbackUrl({ oauth_token: oauthToken }));
    expect(outcome(back.location)).toEqual({ mine: "1", error: "invalid_request", message: expect.any(String) });
  });

  it.each([
    ["a NUL in denied", "denied", "denied=a%00b"],
    ["a NUL in oauth_token", "invalid_request", "oauth_token=rt%00&oauth_verifier=v"],
    ["a NUL in a known token's verifier", "invalid_request", "oauth_token=TOKEN&oauth_verifier=%00"],
  ])("text PostgreSQL cannot hold (%s) is a request X never made: error=%s, not a 500", async (_label, error, query) => {
    const merchantId = newMerchant();
    const { oauthToken } = await startedBy(await adminOf(merchantId));
    const calls = accessTokenCalls();
    const back = await callback(callbackUrl(query.replace("TOKEN", oauthToken)));
    expect(outcome(back.location)).toMatchObject({ error });
    expect(await accountsOf(merchantId)).toEqual([]);
    expect(accessTokenCalls()).toBe(calls);
  });

  it("an X account connected elsewhere: error=duplicate, like POST /accounts' 409", async () => {
    const { user } = await connectAccount(h, { token: await adminOf(newMerchant()) });
    const merchantId = newMerchant();
    // the same account through POST /accounts answers 409
    expectFailure(await h.call("POST", "/accounts", { token: await adminOf(merchantId), body: { oauthToken: user.accessToken, oauthTokenSecret: user.accessSecret } }), 409, "DUPLICATE_RESOURCE");
    const { authorizeUrl } = await startedBy(await adminOf(merchantId));
    const back = await callback(await onXPage(authorizeUrl, "Authorize", { choose: { user_id: user.id } }));
    expect(outcome(back.location)).toEqual({ error: "duplicate", message: `@${user.username} is already connected.` });
    expect(await accountsOf(merchantId)).toEqual([]);
  });

  it("X failing on the access token exchange: error=twitter_api_error", async () => {
    const merchantId = newMerchant();
    const { authorizeUrl } = await startedBy(await adminOf(merchantId));
    const toCallback = await onXPage(authorizeUrl, "Authorize", { fill: { username: uniqueUsername("xdown") } });
    h.sandbox.addFault({ path: "/oauth/access_token", status: 503 });
    expect(outcome((await callback(toCallback)).location)).toEqual({ error: "twitter_api_error", message: expect.any(String) });
    expect(await accountsOf(merchantId)).toEqual([]);
  });
});

describe("POST /accounts/oauth/start", () => {
  it.each([
    ["a protocol-relative URL", "//evil.example/accounts"],
    ["another origin", "https://evil.example/accounts"],
    ["a look-alike host", "http://localhost.evil.example/accounts"],
    ["credentials before another host", "http://localhost@evil.example/"],
    ["a backslash path", "/\\evil.example"],
    ["a tab hiding //", "/\t/evil.example"],
    ["javascript:", "javascript:alert(1)"],
    ["a relative path without /", "evil.example/accounts"],
    ["another port of the admin host", "http://localhost:1/accounts"],
    ["an empty string", ""],
  ])("refuses returnTo as %s with 400 VALIDATION_ERROR, without asking X", async (_label, returnTo) => {
    const calls = h.sandbox.requests().filter((r) => r.path === "/oauth/request_token").length;
    const failure = expectFailure(await start(await adminOf(newMerchant()), { returnTo }), 400, "VALIDATION_ERROR");
    expect(failure.details).toMatchObject({ field: "returnTo" });
    expect(h.sandbox.requests().filter((r) => r.path === "/oauth/request_token").length).toBe(calls);
  });

  it("accepts a path on the admin app and URLs on the admin's or the API's origin", async () => {
    const token = await adminOf(newMerchant());
    for (const returnTo of ["/settings/x?step=2#done", `${adminUrl}/accounts`, `${h.url}/landing`]) {
      const { oauthToken } = await startedBy(token, { returnTo });
      const { rows } = await pool().query<{ return_to: string }>("SELECT return_to FROM x_oauth_requests WHERE oauth_token = $1", [oauthToken]);
      expect(rows[0]?.return_to).toBe(returnTo.startsWith("/") ? `${adminUrl}${returnTo}` : returnTo);
    }
  });

  it("refuses unknown fields", async () => {
    expectFailure(await start(await adminOf(newMerchant()), { returnTo: "/accounts", redirect: "x" }), 400, "VALIDATION_ERROR");
  });

  it("stores the attempt bound to the merchant and the user, its secret encrypted", async () => {
    const merchantId = newMerchant();
    const sub = "user-42";
    const { oauthToken } = await startedBy(await h.token({ merchantId, role: "admin", sub }));
    const { rows } = await pool().query<{ merchant_id: string; user_id: string; oauth_token_secret_enc: string; used_at: Date | null }>(
      "SELECT merchant_id, user_id, oauth_token_secret_enc, used_at FROM x_oauth_requests WHERE oauth_token = $1",
      [oauthToken],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ merchant_id: merchantId, user_id: sub, used_at: null });
    expect(rows[0]?.oauth_token_secret_enc).toMatch(/^v2:/);
  });

  it("is for admins and owners: agents and viewers get 403, no token 401", async () => {
    const merchantId = newMerchant();
    for (const role of ["agent", "viewer"] as const) {
      expectFailure(await start(await h.token({ merchantId, role }), {}), 403, "FORBIDDEN");
    }
    expectFailure(await h.call("POST", "/accounts/oauth/start", { token: null, body: {} }), 401, "UNAUTHORIZED");
    const { rows } = await pool().query("SELECT 1 FROM x_oauth_requests WHERE merchant_id = $1", [merchantId]);
    expect(rows).toEqual([]);
  });

  it("answers 502 TWITTER_API_ERROR when X does not hand out a request token", async () => {
    h.sandbox.addFault({ path: "/oauth/request_token", status: 503 });
    expectFailure(await start(await adminOf(newMerchant()), {}), 502, "TWITTER_API_ERROR");
  });
});

describe("in the OpenAPI document", () => {
  it("documents start (bearer) and the public callback (no security, a 302 back to returnTo)", async () => {
    const doc = (await h.call<{ paths: Record<string, Record<string, { security?: unknown; responses: Record<string, unknown>; parameters?: Array<{ name: string }> }>> }>("GET", "/openapi.json", { token: null })).body;
    const startOp = doc.paths["/accounts/oauth/start"]?.["post"];
    expect(startOp?.security).toEqual([{ Authorization: [] }]);
    expect(Object.keys(startOp?.responses ?? {})).toEqual(expect.arrayContaining(["200", "400", "401", "403", "502"]));
    const callbackOp = doc.paths["/accounts/oauth/callback"]?.["get"];
    expect(callbackOp?.security).toEqual([]);
    expect(Object.keys(callbackOp?.responses ?? {})).toEqual(["302"]);
    expect(callbackOp?.parameters?.map((p) => p.name).sort()).toEqual(["denied", "oauth_token", "oauth_verifier"]);
  });
});
