import { describe, expect, it } from "vitest";
import { hmacSha1Signature, parseOAuthHeader, percentEncode, signatureBaseString, verifyOAuth1 } from "../src/sandbox/oauth1-verify.ts";

// The worked example of X's "Creating a signature" documentation.
const doc = {
  consumerKey: "xvz1evFS4wEEPTGEFPHBog",
  consumerSecret: "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw",
  token: "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb",
  tokenSecret: "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE",
  oauth: {
    oauth_consumer_key: "xvz1evFS4wEEPTGEFPHBog",
    oauth_nonce: "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg",
    oauth_signature_method: "HMAC-SHA1",
    oauth_timestamp: "1318622958",
    oauth_token: "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb",
    oauth_version: "1.0",
  },
  status: "Hello Ladies + Gentlemen, a signed OAuth request!",
  signature: "tnnArxj06cWHq44gCs1OSKk/jLY=",
};
const docUrl = "https://api.twitter.com/1/statuses/update.json?include_entities=true";

const header = (signature: string, extra: Record<string, string> = {}) =>
  "OAuth " +
  Object.entries({ ...doc.oauth, ...extra, oauth_signature: signature })
    .map(([k, v]) => `${percentEncode(k)}="${percentEncode(v)}"`)
    .join(", ");

const keys = {
  consumerKey: doc.consumerKey,
  consumerSecret: doc.consumerSecret,
  accessSecretOf: (token: string) => (token === doc.token ? doc.tokenSecret : undefined),
};

const docRequest = (overrides: Partial<Parameters<typeof verifyOAuth1>[0]> = {}) => ({
  method: "POST",
  url: new URL(docUrl),
  authorization: header(doc.signature),
  formParams: [["status", doc.status]] as const,
  ...overrides,
});

describe("OAuth 1.0a verification", () => {
  it("reproduces the documented signature", () => {
    const params: Array<[string, string]> = [["include_entities", "true"], ["status", doc.status], ...Object.entries(doc.oauth)];
    const base = signatureBaseString("POST", new URL(docUrl), params);
    expect(base.startsWith("POST&https%3A%2F%2Fapi.twitter.com%2F1%2Fstatuses%2Fupdate.json&include_entities%3Dtrue%26oauth_consumer_key")).toBe(true);
    expect(hmacSha1Signature(base, doc.consumerSecret, doc.tokenSecret)).toBe(doc.signature);
  });

  it("accepts the documented request", () => {
    expect(verifyOAuth1(docRequest(), keys)).toEqual({ ok: true, accessToken: doc.token });
  });

  it("rejects a tampered query, form body, method or path", () => {
    expect(verifyOAuth1(docRequest({ url: new URL(docUrl.replace("true", "false")) }), keys)).toEqual({ ok: false, reason: "signature" });
    expect(verifyOAuth1(docRequest({ formParams: [["status", doc.status + "!"]] }), keys)).toEqual({ ok: false, reason: "signature" });
    expect(verifyOAuth1(docRequest({ method: "PUT" }), keys)).toEqual({ ok: false, reason: "signature" });
    expect(verifyOAuth1(docRequest({ url: new URL(docUrl.replace("update", "destroy")) }), keys)).toEqual({ ok: false, reason: "signature" });
  });

  it("rejects a foreign consumer key and an unknown token", () => {
    expect(verifyOAuth1(docRequest(), { ...keys, consumerKey: "another-app" })).toEqual({ ok: false, reason: "consumer_key" });
    expect(verifyOAuth1(docRequest(), { ...keys, accessSecretOf: () => undefined })).toEqual({ ok: false, reason: "unknown_token" });
  });

  it("rejects missing, malformed and non-HMAC-SHA1 headers", () => {
    expect(verifyOAuth1(docRequest({ authorization: undefined }), keys)).toEqual({ ok: false, reason: "missing_header" });
    expect(verifyOAuth1(docRequest({ authorization: "Bearer abc" }), keys)).toEqual({ ok: false, reason: "malformed_header" });
    expect(verifyOAuth1(docRequest({ authorization: 'OAuth oauth_token="%ZZ"' }), keys)).toEqual({ ok: false, reason: "malformed_header" });
    expect(verifyOAuth1(docRequest({ authorization: header(doc.signature, { oauth_signature_method: "PLAINTEXT" }) }), keys)).toEqual({
      ok: false,
      reason: "unsupported_method",
    });
  });

  it("parses quoted, percent-encoded header values", () => {
    expect(parseOAuthHeader('OAuth oauth_signature="a%2Bb%3D", oauth_token="1-x"')?.get("oauth_signature")).toBe("a+b=");
  });
});
