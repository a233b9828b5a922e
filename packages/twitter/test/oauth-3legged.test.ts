// The sandbox's 3-legged OAuth 1.0a over HTTP, driven by the XClient (twitter-api-v2) and by a
// person's browser on the authorize page: request token, Authorize / Cancel, access token.
import { XApiError, type XErrorKind, type XRequestToken } from "@mkt-x/core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createTwitterXClient } from "../src/x-client.ts";
import { hmacSha1Signature, percentEncode, signatureBaseString } from "../src/sandbox/index.ts";
import { CONSUMER_KEY, CONSUMER_SECRET, startFixture, type Fixture } from "./support/sandbox-fixture.ts";
import { formSubmission, parseForm } from "./support/html-form.ts";

const CALLBACK = "http://app.example/api/v1/mkt-x/accounts/oauth/callback";

let f: Fixture;
beforeAll(async () => {
  f = await startFixture();
});
afterAll(() => f.close());
afterEach(() => {
  f.sandbox.clearFaults();
});

async function expectKind(promise: Promise<unknown>, kind: XErrorKind, status: number | null): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(XApiError);
  if (error instanceof XApiError) expect({ kind: error.kind, status: error.status }).toEqual({ kind, status });
}

const authorizeUrl = (token: string) => `${f.baseUrl}/oauth/authorize?oauth_token=${encodeURIComponent(token)}`;

/** Opens the authorize page, clicks a button as a browser would; answers the redirect (not followed). */
async function clickOnAuthorizePage(token: string, button: "Authorize" | "Cancel", opts: { fill?: Record<string, string>; choose?: Record<string, string> } = {}) {
  const page = await fetch(authorizeUrl(token));
  expect(page.status).toBe(200);
  expect(page.headers.get("content-type")).toMatch(/^text\/html/);
  const form = parseForm(await page.text(), page.url);
  const res = await fetch(form.action, { method: form.method, headers: { "content-type": "application/x-www-form-urlencoded" }, body: formSubmission(form, button, opts), redirect: "manual" });
  return { status: res.status, location: res.headers.get("location"), html: res.status === 303 ? "" : await res.text() };
}

async function authorizedRequest(opts: { choose?: Record<string, string>; fill?: Record<string, string> } = {}): Promise<{ request: XRequestToken; verifier: string }> {
  const request = await f.client.requestToken(CALLBACK);
  const click = await clickOnAuthorizePage(request.oauthToken, "Authorize", opts);
  expect(click.status).toBe(303);
  const back = new URL(click.location ?? "");
  expect(back.searchParams.get("oauth_token")).toBe(request.oauthToken);
  return { request, verifier: back.searchParams.get("oauth_verifier") ?? "" };
}

describe("POST /oauth/request_token", () => {
  it("hands out a request token for the app's signed callback, form-encoded as X does", async () => {
    const request = await f.client.requestToken(CALLBACK);
    expect(request).toEqual({ oauthToken: expect.any(String), oauthTokenSecret: expect.any(String), callbackConfirmed: true });
    expect(request.oauthToken).not.toBe(request.oauthTokenSecret);
    expect(f.sandbox.requests().at(-1)).toMatchObject({ method: "POST", path: "/oauth/request_token", status: 200 });
  });

  it("refuses a request signed with the wrong consumer secret (401) and an unsigned one", async () => {
    const wrong = createTwitterXClient({ baseUrl: f.baseUrl, consumerKey: CONSUMER_KEY, consumerSecret: `${CONSUMER_SECRET}x` });
    try {
      await expectKind(wrong.requestToken(CALLBACK), "invalid_credentials", 401);
    } finally {
      wrong.close();
    }
    const unsigned = await fetch(`${f.baseUrl}/oauth/request_token`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ oauth_callback: CALLBACK }) });
    expect(unsigned.status).toBe(401);
    expect(await unsigned.json()).toEqual({ errors: [{ code: 32, message: "Could not authenticate you." }] });
  });

  it("refuses a callback that is not an http(s) URL", async () => {
    await expectKind(f.client.requestToken("javascript:alert(1)"), "bad_request", 400);
  });

  it("answers injected faults like the rest of the API", async () => {
    f.sandbox.addFault({ path: "/oauth/request_token", status: 503 });
    await expectKind(f.client.requestToken(CALLBACK), "transient", 503);
  });
});

describe("GET /oauth/authorize", () => {
  it("is an HTML page with a form: the sandbox users to pick from, a username to create, Authorize and Cancel", async () => {
    f.sandbox.addUser({ username: "page_shop", name: "<Page & Shop>" });
    const request = await f.client.requestToken(CALLBACK);
    const res = await fetch(authorizeUrl(request.oauthToken));
    const html = await res.text();
    expect(html).toMatch(/^<!doctype html>/i);
    expect(html).toContain('<html lang="en">');
    expect(html).not.toMatch(/<script|<link|src=/i);
    // user-provided text is escaped
    expect(html).toContain("&lt;Page &amp; Shop&gt;");
    expect(html).toContain("app.example");
    const form = parseForm(html, res.url);
    expect(form.method).toBe("POST");
    expect(form.buttons.map((b) => b.text)).toEqual(["Authorize", "Cancel"]);
    const users = form.inputs.filter((i) => i.type === "radio" && i.name === "user_id").map((i) => i.value);
    expect(users).toEqual(f.sandbox.users().map((u) => u.id));
    const username = form.inputs.find((i) => i.name === "username");
    expect(username?.id).toBe("username");
    expect(html).toMatch(/<label for="username">[^<]*username<\/label>/);
  });

  it("answers 400 for an unknown token", async () => {
    const res = await fetch(authorizeUrl("rt-unknown"));
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/role="alert"[^>]*>The request token is invalid/);
  });
});

describe("POST /oauth/access_token", () => {
  it("Authorize, then the verifier buys the chosen user's access token once: it works on the API", async () => {
    const shop = f.sandbox.addUser({ username: "chosen_shop", name: "Chosen" });
    const { request, verifier } = await authorizedRequest({ choose: { user_id: shop.id } });
    const access = await f.client.accessToken(request, verifier);
    expect(access).toEqual({ accessToken: shop.accessToken, accessSecret: shop.accessSecret, userId: shop.id, screenName: "chosen_shop" });
    await expect(f.client.me({ accessToken: access.accessToken, accessSecret: access.accessSecret })).resolves.toMatchObject({ id: shop.id, username: "chosen_shop" });

    // single use: the same verifier again is refused
    await expectKind(f.client.accessToken(request, verifier), "invalid_credentials", 401);
  });

  it("creates the sandbox user typed on the page", async () => {
    const { request, verifier } = await authorizedRequest({ fill: { username: "typed_shop" } });
    const access = await f.client.accessToken(request, verifier);
    const created = f.sandbox.users().find((u) => u.username === "typed_shop");
    expect(created).toBeDefined();
    expect(access).toMatchObject({ userId: created?.id, screenName: "typed_shop", accessToken: created?.accessToken });
  });

  it("refuses a wrong verifier and a wrong request token secret, without spending the verifier", async () => {
    const { request, verifier } = await authorizedRequest();
    await expectKind(f.client.accessToken(request, `${verifier}x`), "invalid_credentials", 401);
    await expectKind(f.client.accessToken({ ...request, oauthTokenSecret: `${request.oauthTokenSecret}x` }, verifier), "invalid_credentials", 401);
    await expect(f.client.accessToken(request, verifier)).resolves.toMatchObject({ screenName: expect.any(String) });
  });

  it("refuses a token that was never authorized", async () => {
    const request = await f.client.requestToken(CALLBACK);
    await expectKind(f.client.accessToken(request, "guess"), "invalid_credentials", 401);
  });

  it("verifies the signature over oauth_verifier: a body altered after signing is refused", async () => {
    const { request, verifier } = await authorizedRequest();
    const url = `${f.baseUrl}/oauth/access_token`;
    const oauth: Array<[string, string]> = [
      ["oauth_consumer_key", CONSUMER_KEY],
      ["oauth_nonce", "n1"],
      ["oauth_signature_method", "HMAC-SHA1"],
      ["oauth_timestamp", String(Math.floor(Date.now() / 1000))],
      ["oauth_token", request.oauthToken],
      ["oauth_version", "1.0"],
    ];
    const sign = (body: Array<[string, string]>) => hmacSha1Signature(signatureBaseString("POST", new URL(url), [...oauth, ...body]), CONSUMER_SECRET, request.oauthTokenSecret);
    const header = (signature: string) => `OAuth ${[...oauth, ["oauth_signature", signature] as [string, string]].map(([k, v]) => `${percentEncode(k)}="${percentEncode(v)}"`).join(", ")}`;
    const post = (signature: string, body: string) =>
      fetch(url, { method: "POST", headers: { authorization: header(signature), "content-type": "application/x-www-form-urlencoded" }, body });

    const signedForOther = sign([["oauth_verifier", "other"]]);
    expect((await post(signedForOther, `oauth_verifier=${encodeURIComponent(verifier)}`)).status).toBe(401);
    const res = await post(sign([["oauth_verifier", verifier]]), `oauth_verifier=${encodeURIComponent(verifier)}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/x-www-form-urlencoded/);
    expect([...new URLSearchParams(await res.text()).keys()].sort()).toEqual(["oauth_token", "oauth_token_secret", "screen_name", "user_id"]);
  });
});

describe("Cancel", () => {
  it("sends the person back with denied=<token>; the token is dead afterwards", async () => {
    const request = await f.client.requestToken(CALLBACK);
    const click = await clickOnAuthorizePage(request.oauthToken, "Cancel");
    expect(click.status).toBe(303);
    const back = new URL(click.location ?? "");
    expect(`${back.origin}${back.pathname}`).toBe(CALLBACK);
    expect([...back.searchParams.entries()]).toEqual([["denied", request.oauthToken]]);

    expect((await fetch(authorizeUrl(request.oauthToken))).status).toBe(400);
    await expectKind(f.client.accessToken(request, "anything"), "invalid_credentials", 401);
  });
});
