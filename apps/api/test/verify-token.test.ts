// The token verifier on its own: HS256 with a secret, RS256/ES256 against a JWKS served over HTTP,
// and the algorithms and claims it must refuse.
import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import Fastify from "fastify";
import { SignJWT, exportJWK, generateKeyPair, UnsecuredJWT, type CryptoKey } from "jose";
import { createTokenVerifier } from "../src/auth/verify-token.ts";

const claims = { merchantId: "m-1", role: "agent" };
const jwks = Fastify();
let jwksUrl = "";
let rsa: { privateKey: CryptoKey; publicKey: CryptoKey };
let ec: { privateKey: CryptoKey; publicKey: CryptoKey };

beforeAll(async () => {
  rsa = await generateKeyPair("RS256");
  ec = await generateKeyPair("ES256");
  const keys = [
    { ...(await exportJWK(rsa.publicKey)), kid: "rsa-1", alg: "RS256", use: "sig" },
    { ...(await exportJWK(ec.publicKey)), kid: "ec-1", alg: "ES256", use: "sig" },
  ];
  jwks.get("/.well-known/jwks.json", async () => ({ keys }));
  jwksUrl = `${await jwks.listen({ port: 0, host: "127.0.0.1" })}/.well-known/jwks.json`;
});
afterAll(() => jwks.close());

const sign = (alg: string, kid: string, key: CryptoKey | Uint8Array, extra: Record<string, unknown> = {}) =>
  new SignJWT({ ...claims, ...extra }).setProtectedHeader({ alg, kid }).setSubject("user-1").setIssuer("iam").setAudience("mkt-x").setExpirationTime("5m").sign(key);

describe("JWKS verification", () => {
  const verify = () => createTokenVerifier({ jwksUrl, issuer: "iam", audience: "mkt-x" });

  it("accepts RS256 and ES256 tokens signed by the IAM keys", async () => {
    await expect(verify()(await sign("RS256", "rsa-1", rsa.privateKey))).resolves.toEqual({ userId: "user-1", merchantId: "m-1", role: "agent" });
    await expect(verify()(await sign("ES256", "ec-1", ec.privateKey))).resolves.toEqual({ userId: "user-1", merchantId: "m-1", role: "agent" });
  });

  it("refuses a foreign key, a wrong issuer or audience, and HS256 made with the public key", async () => {
    const other = await generateKeyPair("RS256");
    await expect(verify()(await sign("RS256", "rsa-1", other.privateKey))).rejects.toThrow();
    const wrongIssuer = await new SignJWT(claims).setProtectedHeader({ alg: "RS256", kid: "rsa-1" }).setSubject("u").setIssuer("evil").setAudience("mkt-x").setExpirationTime("5m").sign(rsa.privateKey);
    await expect(verify()(wrongIssuer)).rejects.toThrow();
    const wrongAudience = await new SignJWT(claims).setProtectedHeader({ alg: "RS256", kid: "rsa-1" }).setSubject("u").setIssuer("iam").setAudience("other").setExpirationTime("5m").sign(rsa.privateKey);
    await expect(verify()(wrongAudience)).rejects.toThrow();
    const confused = await sign("HS256", "rsa-1", new TextEncoder().encode(JSON.stringify(await exportJWK(rsa.publicKey))));
    await expect(verify()(confused)).rejects.toThrow();
  });
});

describe("HS256 verification", () => {
  const secret = "a-very-long-test-secret";
  const verify = createTokenVerifier({ secret });
  const key = new TextEncoder().encode(secret);

  it("accepts a well-formed token and maps the claims", async () => {
    const token = await new SignJWT(claims).setProtectedHeader({ alg: "HS256" }).setSubject("user-9").setExpirationTime("5m").sign(key);
    await expect(verify(token)).resolves.toEqual({ userId: "user-9", merchantId: "m-1", role: "agent" });
  });

  it("accepts a token without sub, the user then being one per merchant and role", async () => {
    const token = await new SignJWT(claims).setProtectedHeader({ alg: "HS256" }).setExpirationTime("5m").sign(key);
    await expect(verify(token)).resolves.toEqual({ userId: "merchant:m-1:agent", merchantId: "m-1", role: "agent" });
  });

  it.each([
    ["alg none", async () => new UnsecuredJWT({ ...claims, sub: "u" }).setExpirationTime("5m").encode()],
    ["HS512", async () => new SignJWT(claims).setProtectedHeader({ alg: "HS512" }).setSubject("u").setExpirationTime("5m").sign(new TextEncoder().encode(secret.repeat(4)))],
    ["expired", async () => new SignJWT(claims).setProtectedHeader({ alg: "HS256" }).setSubject("u").setExpirationTime(Math.floor(Date.now() / 1000) - 60).sign(key)],
    ["no exp", async () => new SignJWT(claims).setProtectedHeader({ alg: "HS256" }).setSubject("u").sign(key)],
    ["a numeric sub", async () => {
      // jose types sub as a string: sign this one by hand
      const unsigned = [{ alg: "HS256" }, { ...claims, sub: 42, exp: Math.floor(Date.now() / 1000) + 300 }].map((part) => Buffer.from(JSON.stringify(part)).toString("base64url")).join(".");
      return `${unsigned}.${createHmac("sha256", key).update(unsigned).digest("base64url")}`;
    }],
    ["an empty sub", async () => new SignJWT(claims).setProtectedHeader({ alg: "HS256" }).setSubject("").setExpirationTime("5m").sign(key)],
    ["no role", async () => new SignJWT({ merchantId: "m-1" }).setProtectedHeader({ alg: "HS256" }).setSubject("u").setExpirationTime("5m").sign(key)],
    ["unknown role", async () => new SignJWT({ ...claims, role: "root" }).setProtectedHeader({ alg: "HS256" }).setSubject("u").setExpirationTime("5m").sign(key)],
    ["no merchant", async () => new SignJWT({ role: "owner" }).setProtectedHeader({ alg: "HS256" }).setSubject("u").setExpirationTime("5m").sign(key)],
    ["another secret", async () => new SignJWT(claims).setProtectedHeader({ alg: "HS256" }).setSubject("u").setExpirationTime("5m").sign(new TextEncoder().encode("another-secret-of-length"))],
  ])("refuses %s", async (_name, make) => {
    await expect(verify(await make())).rejects.toThrow();
  });
});
