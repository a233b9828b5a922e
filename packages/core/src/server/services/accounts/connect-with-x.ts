// Connect with X (3-legged OAuth 1.0a). Start: a request token from X, kept as a pending request
// bound to the merchant and user who asked, and the URL of X's authorize page. Callback: X sends
// the person back with the token and a verifier; the pending request is claimed once, the
// verifier exchanged for the person's access token, and the account connected through the same
// path as POST /accounts. The callback never fails: it always redirects with the outcome.
import type { Db } from "@mkt-x/db";
import { AppError } from "../../../errors.ts";
import { XApiError, type XClient } from "../../../ports/x-client.ts";
import type { StartXConnectResult, XConnectError } from "../../../contract/connect-with-x.ts";
import { scopeToMerchant, type ScopedDb } from "../../scoped-db.ts";
import { randomUUID } from "node:crypto";
import { secretPlace, type TokenCipher } from "../../token-cipher.ts";
import { connectAccount } from "./connect-account.ts";
import type { JobQueue } from "../../jobs/queue.ts";
import { describeError } from "./deps.ts";
import { isStorableText } from "../../../domain/storable-text.ts";

export interface XConnectSettings {
  /** PUBLIC_BASE_URL + /api/v1/mkt-x/accounts/oauth/callback: the oauth_callback sent to X */
  callbackUrl: string;
  /** X_WEB_BASE_URL: where the person authorizes (X, or the sandbox's page) */
  authorizeBaseUrl: string;
  /** ADMIN_BASE_URL: the admin app; the default returnTo is its /accounts page */
  adminBaseUrl: string;
  /** PUBLIC_BASE_URL: the API's own origin, also accepted as a returnTo origin */
  publicBaseUrl: string;
}

/** How long a started attempt can be completed (X's request tokens do not live much longer). */
export const X_CONNECT_TTL_MINUTES = 10;
/** Pending rows older than this are deleted when the merchant starts another attempt. */
const KEEP_ROWS_MS = 24 * 60 * 60 * 1000;
const MAX_CALLBACK_PARAM = 512;

const trimSlash = (url: string) => url.replace(/\/+$/, "");

export const defaultReturnTo = (settings: XConnectSettings): string => `${trimSlash(settings.adminBaseUrl)}/accounts`;

const badReturnTo = (reason: string) => new AppError("VALIDATION_ERROR", "returnTo must be a path on the admin app or a URL on its origin", { field: "returnTo", reason });

/**
 * The absolute URL to send the person to afterwards. Only a path on the admin app or a URL on the
 * admin's or the API's origin: anything else would make the callback an open redirect.
 */
export function resolveReturnTo(settings: XConnectSettings, returnTo: string | undefined): string {
  if (returnTo === undefined) return defaultReturnTo(settings);
  // browsers read "\" as "/" and drop tabs and newlines, so "/\evil.com" or "/\t/evil.com" would leave the origin
  // eslint-disable-next-line no-control-regex
  if (/[\\\u0000-\u001f\u007f]/.test(returnTo)) throw badReturnTo("must not contain backslashes or control characters");
  const admin = new URL(settings.adminBaseUrl);
  if (returnTo.startsWith("/")) {
    if (returnTo.startsWith("//")) throw badReturnTo("a path must start with a single /");
    const url = new URL(returnTo, admin.origin);
    if (url.origin !== admin.origin) throw badReturnTo("a path must stay on the admin app");
    return url.toString();
  }
  if (!URL.canParse(returnTo)) throw badReturnTo("must be a path starting with / or an absolute http(s) URL");
  const url = new URL(returnTo);
  const allowed = new Set([admin.origin, new URL(settings.publicBaseUrl).origin]);
  if (!["http:", "https:"].includes(url.protocol) || url.username || url.password || !allowed.has(url.origin)) {
    throw badReturnTo(`the origin must be ${[...allowed].join(" or ")}`);
  }
  return url.toString();
}

export interface StartXConnectDeps {
  db: ScopedDb;
  x: XClient;
  cipher: TokenCipher;
  settings: XConnectSettings;
}

export async function startXConnect(deps: StartXConnectDeps, opts: { merchantId: string; userId: string; returnTo?: string | undefined }): Promise<StartXConnectResult> {
  const returnTo = resolveReturnTo(deps.settings, opts.returnTo);
  let request;
  try {
    request = await deps.x.requestToken(deps.settings.callbackUrl);
  } catch (e) {
    throw new AppError("TWITTER_API_ERROR", "X did not hand out a request token, try again later", { reason: e instanceof XApiError ? e.kind : "unreachable" });
  }
  if (!request.callbackConfirmed) throw new AppError("TWITTER_API_ERROR", "X did not confirm the callback URL", { reason: "oauth_callback_confirmed is not true" });

  await deps.db.xOAuthRequest.deleteMany({ where: { createdAt: { lt: new Date(Date.now() - KEEP_ROWS_MS) } } });
  const id = randomUUID();
  await deps.db.xOAuthRequest.create({
    data: {
      id,
      merchantId: opts.merchantId,
      userId: opts.userId,
      oauthToken: request.oauthToken,
      oauthTokenSecretEnc: deps.cipher.encrypt(request.oauthTokenSecret, secretPlace("x_oauth_requests", "oauth_token_secret_enc", id)),
      returnTo,
    },
  });
  const authorizeUrl = new URL(`${trimSlash(deps.settings.authorizeBaseUrl)}/oauth/authorize`);
  authorizeUrl.searchParams.set("oauth_token", request.oauthToken);
  return { authorizeUrl: authorizeUrl.toString() };
}

export interface CompleteXConnectDeps {
  /** unscoped: the callback has no bearer; the pending request names the merchant */
  db: Db;
  x: XClient;
  cipher: TokenCipher;
  settings: XConnectSettings;
  webhookUrl: string;
  queue: JobQueue;
  log: { warn: (obj: object, msg: string) => void; error: (obj: object, msg: string) => void };
}

/** X's query parameters on the callback, as received (a repeated parameter arrives as undefined). */
export interface XConnectCallbackParams {
  oauthToken?: string | undefined;
  oauthVerifier?: string | undefined;
  denied?: string | undefined;
}

export type XConnectOutcome = { connected: true; accountId: string; username: string; location: string } | { connected: false; error: XConnectError; location: string };

interface ClaimedRequest {
  id: string;
  merchant_id: string;
  oauth_token_secret_enc: string;
  return_to: string;
  expired: boolean;
}

const withParams = (base: string, params: Record<string, string>): string => {
  const url = new URL(base);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url.toString();
};

// a NUL or a lone surrogate cannot be a token X issued, and PostgreSQL refuses to compare it (a 500)
const usable = (value: string | undefined): value is string => typeof value === "string" && value.length > 0 && value.length <= MAX_CALLBACK_PARAM && isStorableText(value);

export async function completeXConnect(deps: CompleteXConnectDeps, params: XConnectCallbackParams): Promise<XConnectOutcome> {
  const fail = (returnTo: string | null, error: XConnectError, message: string): XConnectOutcome => ({
    connected: false,
    error,
    location: withParams(returnTo ?? defaultReturnTo(deps.settings), { error, message }),
  });
  // where a request we know was meant to return, used or not; null when the token is unknown
  const knownReturnTo = async (token: string): Promise<string | null> => {
    const rows = await deps.db.$queryRaw<{ return_to: string }[]>`SELECT return_to FROM x_oauth_requests WHERE oauth_token = ${token}`;
    return rows[0]?.return_to ?? null;
  };

  if (params.denied !== undefined) {
    if (!usable(params.denied)) return fail(null, "denied", "The connection was cancelled at X.");
    // X's Cancel: the attempt is over, whatever it was
    const rows = await deps.db.$queryRaw<{ return_to: string }[]>`
      UPDATE x_oauth_requests SET used_at = now() WHERE oauth_token = ${params.denied} AND used_at IS NULL RETURNING return_to`;
    return fail(rows[0]?.return_to ?? (await knownReturnTo(params.denied)), "denied", "The connection was cancelled at X.");
  }
  if (!usable(params.oauthToken)) return fail(null, "invalid_request", "X's answer is missing oauth_token.");
  const token = params.oauthToken;
  if (!usable(params.oauthVerifier)) return fail(await knownReturnTo(token), "invalid_request", "X's answer is missing oauth_verifier.");

  // Single use, atomically: of two callbacks racing with the same token exactly one claims the row.
  const claimed = await deps.db.$queryRaw<ClaimedRequest[]>`
    UPDATE x_oauth_requests SET used_at = now()
    WHERE oauth_token = ${token} AND used_at IS NULL
    RETURNING id::text AS id, merchant_id, oauth_token_secret_enc, return_to,
      created_at < now() - make_interval(mins => ${X_CONNECT_TTL_MINUTES}::int) AS expired`;
  const request = claimed[0];
  if (!request) return fail(await knownReturnTo(token), "expired", "This connection attempt was already used or has expired. Start again.");
  if (request.expired) return fail(request.return_to, "expired", `This connection attempt is older than ${X_CONNECT_TTL_MINUTES} minutes. Start again.`);

  let oauthTokenSecret;
  try {
    oauthTokenSecret = deps.cipher.decrypt(request.oauth_token_secret_enc, secretPlace("x_oauth_requests", "oauth_token_secret_enc", request.id));
  } catch (e) {
    // stored under another TOKEN_ENCRYPTION_KEY: nothing X can help with
    deps.log.error({ err: describeError(e) }, "connect with X: the request token secret cannot be decrypted");
    return fail(request.return_to, "internal_error", "Something went wrong on our side. Start again.");
  }
  let access;
  try {
    access = await deps.x.accessToken({ oauthToken: token, oauthTokenSecret }, params.oauthVerifier);
  } catch (e) {
    if (e instanceof XApiError && e.kind !== "transient" && e.kind !== "rate_limited") {
      return fail(request.return_to, "invalid_request", "X did not accept the authorization. Start again.");
    }
    deps.log.warn({ err: describeError(e) }, "connect with X: the access token exchange failed");
    return fail(request.return_to, "twitter_api_error", "X could not be reached. Try again later.");
  }

  const merchantId = request.merchant_id;
  try {
    const account = await connectAccount(
      { merchantId, db: scopeToMerchant(deps.db, merchantId), queue: deps.queue, x: deps.x, cipher: deps.cipher, webhookUrl: deps.webhookUrl, log: deps.log },
      { oauthToken: access.accessToken, oauthTokenSecret: access.accessSecret },
    );
    return { connected: true, accountId: account.id, username: account.username, location: withParams(request.return_to, { connected: account.id, username: account.username }) };
  } catch (e) {
    if (e instanceof AppError && e.code === "DUPLICATE_RESOURCE") return fail(request.return_to, "duplicate", `@${access.screenName} is already connected.`);
    if (e instanceof AppError && e.code === "VALIDATION_ERROR") return fail(request.return_to, "invalid_request", "X did not accept the account's tokens.");
    if (e instanceof AppError && e.code === "TWITTER_API_ERROR") return fail(request.return_to, "twitter_api_error", "X could not be reached. Try again later.");
    deps.log.error({ err: describeError(e), merchantId }, "connect with X failed");
    return fail(request.return_to, "internal_error", "Something went wrong on our side.");
  }
}
