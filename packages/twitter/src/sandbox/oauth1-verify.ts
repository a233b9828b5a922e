// Server side of OAuth 1.0a HMAC-SHA1 (RFC 5849 §3.4), as X checks user-context requests: the
// signature covers the method, the base URL and the normalized query + oauth_* (+ form body)
// parameters; JSON bodies are not part of it.
import { createHmac, timingSafeEqual } from "node:crypto";

export const percentEncode = (value: string): string =>
  encodeURIComponent(value).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());

export type OAuthFailure = "missing_header" | "malformed_header" | "unsupported_method" | "consumer_key" | "unknown_token" | "signature";

export type OAuthResult = { ok: true; accessToken: string } | { ok: false; reason: OAuthFailure };

export interface OAuthRequest {
  method: string;
  /** The absolute URL as the client addressed it (scheme, Host header, path, query). */
  url: URL;
  authorization: string | undefined;
  /** Decoded application/x-www-form-urlencoded body parameters, if the body was a form. */
  formParams?: ReadonlyArray<readonly [string, string]>;
}

export interface OAuthKeys {
  consumerKey: string;
  consumerSecret: string;
  /** The secret of a live access token, undefined when the token is unknown or revoked. */
  accessSecretOf: (accessToken: string) => string | undefined;
}

export function parseOAuthHeader(header: string): Map<string, string> | undefined {
  const match = /^OAuth\s+(.*)$/is.exec(header.trim());
  if (!match?.[1]) return undefined;
  const params = new Map<string, string>();
  for (const part of match[1].split(",")) {
    const pair = /^\s*([A-Za-z0-9_.~-]+)="([^"]*)"\s*$/.exec(part);
    if (!pair?.[1] || pair[2] === undefined) return undefined;
    try {
      params.set(decodeURIComponent(pair[1]), decodeURIComponent(pair[2]));
    } catch {
      return undefined;
    }
  }
  return params;
}

export function signatureBaseString(method: string, url: URL, params: ReadonlyArray<readonly [string, string]>): string {
  const normalized = params
    .map(([k, v]) => [percentEncode(k), percentEncode(v)] as const)
    .sort(([ka, va], [kb, vb]) => (ka === kb ? (va < vb ? -1 : va > vb ? 1 : 0) : ka < kb ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
  // WHATWG URL already lower-cases scheme and host and drops default ports, as §3.4.1.2 wants.
  return [method.toUpperCase(), percentEncode(url.origin + url.pathname), percentEncode(normalized)].join("&");
}

export function hmacSha1Signature(baseString: string, consumerSecret: string, tokenSecret: string): string {
  return createHmac("sha1", `${percentEncode(consumerSecret)}&${percentEncode(tokenSecret)}`).update(baseString).digest("base64");
}

const sameString = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

export function verifyOAuth1(request: OAuthRequest, keys: OAuthKeys): OAuthResult {
  const result = verifyOAuth1Request(request, { consumerKey: keys.consumerKey, consumerSecret: keys.consumerSecret, tokenSecretOf: keys.accessSecretOf });
  return result.ok ? { ok: true, accessToken: result.token ?? "" } : result;
}

export interface OAuthVerifyKeys {
  consumerKey: string;
  consumerSecret: string;
  /** The secret of a live token (access token, or request token on /oauth/access_token), else undefined. */
  tokenSecretOf(token: string): string | undefined;
  /**
   * Consumer-only requests (POST /oauth/request_token) carry no oauth_token: the token secret is
   * then empty. Everywhere else a token is required.
   */
  tokenOptional?: boolean;
}

export type OAuthVerification =
  | { ok: true; token: string | null; /** every signed parameter: query, form body, OAuth header */ params: Map<string, string> }
  | { ok: false; reason: OAuthFailure };

export function verifyOAuth1Request(request: OAuthRequest, keys: OAuthVerifyKeys): OAuthVerification {
  if (!request.authorization) return { ok: false, reason: "missing_header" };
  const oauth = parseOAuthHeader(request.authorization);
  if (!oauth) return { ok: false, reason: "malformed_header" };
  const signature = oauth.get("oauth_signature");
  const token = oauth.get("oauth_token") || null;
  if (!signature || !oauth.has("oauth_nonce") || !oauth.has("oauth_timestamp")) return { ok: false, reason: "malformed_header" };
  if (oauth.get("oauth_signature_method") !== "HMAC-SHA1") return { ok: false, reason: "unsupported_method" };
  if (!sameString(oauth.get("oauth_consumer_key") ?? "", keys.consumerKey)) return { ok: false, reason: "consumer_key" };
  const tokenSecret = token ? keys.tokenSecretOf(token) : keys.tokenOptional ? "" : undefined;
  if (tokenSecret === undefined) return { ok: false, reason: "unknown_token" };

  const params: Array<readonly [string, string]> = [
    ...request.url.searchParams.entries(),
    ...(request.formParams ?? []),
    ...[...oauth.entries()].filter(([k]) => k !== "oauth_signature" && k !== "realm"),
  ];
  const signs = (list: ReadonlyArray<readonly [string, string]>) =>
    sameString(signature, hmacSha1Signature(signatureBaseString(request.method, request.url, list), keys.consumerSecret, tokenSecret));
  // RFC 5849 signs a parameter sent twice twice; twitter-api-v2 (login() sends oauth_token in the
  // header and the body) signs it once, and X accepts that, so an exact repeat may count once.
  const unique = [...new Map(params.map((p) => [`${p[0]}\u0000${p[1]}`, p])).values()];
  if (!signs(params) && (unique.length === params.length || !signs(unique))) return { ok: false, reason: "signature" };
  return { ok: true, token, params: new Map(params) };
}
