// Connect with X (3-legged OAuth 1.0a): the start call, and the outcome the callback's redirect carries.
import { z } from "zod";

export const StartXConnectInput = z
  .object({
    /**
     * Where the person lands afterwards, with the outcome in its query: a path on the admin app
     * (`/accounts?tab=x`) or an absolute URL on the admin's or the API's own origin. Default: the
     * admin app's Accounts page.
     */
    returnTo: z.string().trim().min(1, { message: "returnTo must not be empty" }).max(2048).optional(),
  })
  .strict();
export type StartXConnectInput = z.infer<typeof StartXConnectInput>;

export const StartXConnectResult = z.object({
  /** send the person's browser here: X's authorize page for the request token */
  authorizeUrl: z.string(),
});
export type StartXConnectResult = z.infer<typeof StartXConnectResult>;

/**
 * `error=` on the redirect after the callback. `denied`: the person cancelled at X. `expired`: the
 * attempt is unknown, already used, or older than 10 minutes. `invalid_request`: the callback's
 * parameters are missing or malformed, or X did not accept the verifier or the tokens.
 * `duplicate`: that X account is already connected. `twitter_api_error`: X could not be reached.
 * `internal_error`: our fault, logged.
 */
export const X_CONNECT_ERRORS = ["denied", "expired", "invalid_request", "duplicate", "twitter_api_error", "internal_error"] as const;
export type XConnectError = (typeof X_CONNECT_ERRORS)[number];
