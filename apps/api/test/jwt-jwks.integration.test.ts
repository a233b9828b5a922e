// Bearer tokens on an API configured with an external IAM (CONTRACT.md: JWT_JWKS_URL, JWT_ISSUER,
// JWT_AUDIENCE): the real process, its JWKS served over HTTP. RS256 and ES256 tokens of the IAM's
// keys with its issuer and audience are accepted; everything else is 401 UNAUTHORIZED in the
// envelope, including the algorithm-confusion attack (an HS256 token whose HMAC key is the IAM's
// public key) and an HS256 token made with JWT_SECRET, which the JWKS replaces.
import { createHmac, createPublicKey, randomBytes, randomUUID } from "node:crypto";
import Fastify from "fastify";
import { exportJWK, exportPKCS8, exportSPKI, generateKeyPair, importPKCS8, SignJWT, type CryptoKey, type JWTPayload } from "jose";
import { afterAll, beforeAll, describe, expect, it, inject } from "vitest";
import { createTestDatabase, type TestDatabase } from "@mkt-x/db/testing";
import { BASE_PATH } from "../src/openapi.ts";
import { startApiProcess, type ApiProcess } from "./api-process.ts";

const ISSUER = "https://iam.example.com/";
const AUDIENCE = "mkt-x";
const JWT_SECRET = "configured-but-replaced-by-the-jwks-0123";

let database: TestDatabase;
let api: ApiProcess;
const jwks = Fastify();
let rsa: { privateKey: CryptoKey; publicKey: CryptoKey };
let ec: { privateKey: CryptoKey; publicKey: CryptoKey };

beforeAll(async () => {
  rsa = await generateKeyPair("RS256", { extractable: true });
  ec = await generateKeyPair("ES256", { extractable: true });
  const keys = [
    { ...(await exportJWK(rsa.publicKey)), kid: "rsa-1", alg: "RS256", use: "sig" },
    { ...(await exportJWK(ec.publicKey)), kid: "ec-1", alg: "ES256", use: "sig" },
  ];
  jwks.get("/.well-known/jwks.json", async () => ({ keys }));
  const jwksUrl = `${await jwks.listen({ port: 0, host: "127.0.0.1" })}/.well-known/jwks.json`;
  database = await createTestDatabase(inject("dbTemplate"));
  database.pool.on("error", () => {});
  const { X_SANDBOX: _sandbox, ...inherited } = process.env;
  api = await startApiProcess({
    ...inherited,
    NODE_ENV: "production",
    DATABASE_URL: database.url,
    JWT_SECRET,
    JWT_JWKS_URL: jwksUrl,
    JWT_ISSUER: ISSUER,
    JWT_AUDIENCE: AUDIENCE,
    TOKEN_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    X_API_BASE_URL: "http://127.0.0.1:9",
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: "info",
  });
}, 60_000);

afterAll(async () => {
  await api?.stop();
  await jwks.close();
  await database?.drop();
});

const now = () => Math.floor(Date.now() / 1000);
const claims = (extra: JWTPayload = {}): JWTPayload => ({ sub: randomUUID(), merchantId: randomUUID(), role: "owner", iss: ISSUER, aud: AUDIENCE, iat: now(), exp: now() + 600, ...extra });
const without = (key: string): JWTPayload => Object.fromEntries(Object.entries(claims()).filter(([k]) => k !== key));
const b64url = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
const rs256 = (payload: JWTPayload, header: Record<string, unknown> = {}, key: CryptoKey = rsa.privateKey) => new SignJWT(payload).setProtectedHeader({ alg: "RS256", kid: "rsa-1", ...header }).sign(key);
/** HS256 by hand, with any bytes as the HMAC key (jose will not sign with a public key's text). */
const hs256 = (payload: JWTPayload, key: string | Buffer, header: Record<string, unknown> = {}) => {
  const unsigned = `${b64url({ alg: "HS256", typ: "JWT", ...header })}.${b64url(payload)}`;
  return `${unsigned}.${createHmac("sha256", key).update(unsigned).digest("base64url")}`;
};

async function accounts(token: string) {
  const res = await fetch(`${api.url}${BASE_PATH}/accounts`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe("an API verifying tokens against the IAM's JWKS", () => {
  it("accepts RS256 and ES256 tokens of the IAM's keys with its issuer and audience (an audience list naming ours too)", async () => {
    expect((await accounts(await rs256(claims()))).status).toBe(200);
    expect((await accounts(await new SignJWT(claims()).setProtectedHeader({ alg: "ES256", kid: "ec-1" }).sign(ec.privateKey))).status).toBe(200);
    expect((await accounts(await rs256(claims({ aud: ["billing", AUDIENCE] })))).status).toBe(200);
  });

  const refused: Array<[string, () => Promise<string>]> = [
    ["HS256 signed with the IAM's public key as PEM (algorithm confusion)", async () => hs256(claims(), await exportSPKI(rsa.publicKey), { kid: "rsa-1" })],
    ["HS256 signed with the IAM's public key as DER", async () => hs256(claims(), createPublicKey(await exportSPKI(rsa.publicKey)).export({ type: "spki", format: "der" }), { kid: "rsa-1" })],
    ["HS256 signed with the IAM's public key as its JWK", async () => hs256(claims(), JSON.stringify(await exportJWK(rsa.publicKey)), { kid: "rsa-1" })],
    ["HS256 signed with JWT_SECRET (the JWKS replaces it)", async () => hs256(claims(), JWT_SECRET)],
    ["a wrong issuer", () => rs256(claims({ iss: "https://evil.example.com/" }))],
    ["no issuer", () => rs256(without("iss"))],
    ["a wrong audience", () => rs256(claims({ aud: "another-service" }))],
    ["no audience", () => rs256(without("aud"))],
    ["an expired token", () => rs256(claims({ exp: now() - 5 }))],
    ["a token not yet valid (nbf in the future)", () => rs256(claims({ nbf: now() + 300 }))],
    ["no exp", () => rs256(without("exp"))],
    ["alg: none", async () => `${b64url({ alg: "none", typ: "JWT" })}.${b64url(claims())}.`],
    ["a key the IAM does not have, under the IAM's kid", async () => rs256(claims(), {}, (await generateKeyPair("RS256")).privateKey)],
    ["an unknown kid", () => rs256(claims(), { kid: "rsa-2" })],
    ["the attacker's own key embedded in the header (jwk)", async () => {
      const attacker = await generateKeyPair("RS256", { extractable: true });
      return rs256(claims(), { kid: undefined, jwk: await exportJWK(attacker.publicKey) }, attacker.privateKey);
    }],
    ["RS512, an algorithm the API does not accept, with the IAM's key", async () => new SignJWT(claims()).setProtectedHeader({ alg: "RS512", kid: "rsa-1" }).sign(await importPKCS8(await exportPKCS8(rsa.privateKey), "RS512"))],
    ["a signature of another token", async () => {
      const [header, payload] = (await rs256(claims({ role: "viewer" }))).split(".");
      const [, , signature] = (await rs256(claims())).split(".");
      return `${header}.${payload}.${signature}`;
    }],
    ["garbage", async () => "not.a.jwt"],
  ];

  it.each(refused)("refuses %s with 401 UNAUTHORIZED in the envelope", async (_label, make) => {
    const res = await accounts(await make());
    expect(res).toEqual({ status: 401, body: { success: false, code: "UNAUTHORIZED", error: expect.any(String) } });
  });
});
