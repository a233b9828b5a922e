// The service's own access tokens: the JWT of CONTRACT.md "Bearer tokens" (HS256 with JWT_SECRET),
// so everything that verifies bearer tokens today verifies these unchanged.
import { SignJWT } from "jose";
import type { AccessClaims } from "@mkt-x/core/server";

export function createAccessTokenIssuer(opts: { secret: string; ttlSeconds: number }) {
  const key = new TextEncoder().encode(opts.secret);
  return (claims: AccessClaims) =>
    new SignJWT({ merchantId: claims.merchantId, role: claims.role })
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .setSubject(claims.sub)
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + opts.ttlSeconds)
      .sign(key);
}
