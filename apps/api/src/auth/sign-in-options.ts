import type { SignInOptions } from "../app.ts";
import type { ApiEnv } from "../env.ts";

/**
 * The service's own sign-in is for deployments without an external IAM: with JWT_JWKS_URL the
 * IAM issues the tokens, so /api/v1/auth/* is not served (404).
 */
export function signInOptionsFromEnv(env: Pick<ApiEnv, "JWT_SECRET" | "JWT_JWKS_URL" | "ACCESS_TOKEN_TTL" | "SIGNUP_ENABLED">): SignInOptions | undefined {
  if (env.JWT_JWKS_URL || !env.JWT_SECRET) return undefined;
  return { jwtSecret: env.JWT_SECRET, accessTokenTtl: env.ACCESS_TOKEN_TTL, signupEnabled: env.SIGNUP_ENABLED };
}
