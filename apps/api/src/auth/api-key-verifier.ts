// `Authorization: Bearer mktx_…`: a merchant API key goes through the same auth hook as a JWT and
// becomes the same claims (merchant, role), so roles and the per-merchant rate limit apply unchanged.
import type { Db } from "@mkt-x/db";
import { isApiKey, resolveApiKey } from "@mkt-x/core/server";
import type { TokenVerifier } from "./verify-token.ts";

/**
 * Keys are looked up in PostgreSQL on every request (one indexed read by hash), with no cache: a
 * revoked key answers 401 at once on every API instance.
 */
export function withApiKeys(verify: TokenVerifier, db: Db): TokenVerifier {
  return async (bearer) => {
    if (!isApiKey(bearer)) return verify(bearer);
    const claims = await resolveApiKey(db, bearer);
    if (!claims) throw new Error("unknown or revoked API key");
    return claims;
  };
}
