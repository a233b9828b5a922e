// Bearer tokens: HS256 with JWT_SECRET, or RS256/ES256 against the IAM service's JWKS. Only those
// algorithms are accepted, so `alg: none` and algorithm confusion are refused by jose.
import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from "jose";
import { z } from "zod";
import { ROLES, type Role } from "@mkt-x/core";

export interface AuthClaims {
  userId: string;
  merchantId: string;
  role: Role;
}

const Claims = z.object({
  // CONTRACT.md requires only exp: a token may leave sub out, but a sub it carries must be a string
  sub: z.string().min(1).optional(),
  merchantId: z.string().min(1).max(200),
  role: z.enum(ROLES),
  exp: z.number(),
});

export type TokenVerifier = (token: string) => Promise<AuthClaims>;

/**
 * The user id of a token without `sub`: one per merchant and role, stable across tokens, so what
 * is scoped per user (the Idempotency-Key of a send) still works for such callers.
 */
export const userIdWithoutSub = (merchantId: string, role: Role) => `merchant:${merchantId}:${role}`;

export function createTokenVerifier(opts: { secret?: string; jwksUrl?: string; issuer?: string; audience?: string }): TokenVerifier {
  const options = { ...(opts.issuer ? { issuer: opts.issuer } : {}), ...(opts.audience ? { audience: opts.audience } : {}), requiredClaims: ["exp"] };
  let verify: (token: string) => ReturnType<typeof jwtVerify>;
  if (opts.jwksUrl) {
    const jwks: JWTVerifyGetKey = createRemoteJWKSet(new URL(opts.jwksUrl));
    verify = (token) => jwtVerify(token, jwks, { ...options, algorithms: ["RS256", "ES256"] });
  } else if (opts.secret) {
    const key = new TextEncoder().encode(opts.secret);
    verify = (token) => jwtVerify(token, key, { ...options, algorithms: ["HS256"] });
  } else {
    throw new Error("a JWT secret or JWKS URL is required");
  }
  return async (token) => {
    const { payload } = await verify(token);
    const claims = Claims.parse(payload);
    return { userId: claims.sub ?? userIdWithoutSub(claims.merchantId, claims.role), merchantId: claims.merchantId, role: claims.role };
  };
}
