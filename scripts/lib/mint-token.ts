import { SignJWT } from "jose";

export function mintToken(opts: { secret: string; merchantId: string; role: string; sub: string; expiresIn: string }): Promise<string> {
  return new SignJWT({ merchantId: opts.merchantId, role: opts.role })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(opts.sub)
    .setIssuedAt()
    .setExpirationTime(opts.expiresIn)
    .sign(new TextEncoder().encode(opts.secret));
}
