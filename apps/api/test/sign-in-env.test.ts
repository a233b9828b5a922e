// ACCESS_TOKEN_TTL and SIGNUP_ENABLED: parsed with the rest of the configuration (one line naming
// the variable when wrong), and the service's own sign-in off when an external IAM issues tokens.
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { loadEnv } from "../src/env.ts";
import { signInOptionsFromEnv } from "../src/auth/sign-in-options.ts";

const good = {
  DATABASE_URL: "postgresql://postgres@127.0.0.1:5432/mktx",
  JWT_SECRET: "a-long-enough-secret",
  TOKEN_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
};

describe("sign-in configuration", () => {
  it("defaults to one-hour access tokens and signup off", () => {
    expect(loadEnv(good)).toMatchObject({ ACCESS_TOKEN_TTL: 3600, SIGNUP_ENABLED: false });
    expect(loadEnv({ ...good, ACCESS_TOKEN_TTL: "", SIGNUP_ENABLED: "" })).toMatchObject({ ACCESS_TOKEN_TTL: 3600, SIGNUP_ENABLED: false });
    expect(signInOptionsFromEnv(loadEnv(good))).toEqual({ jwtSecret: good.JWT_SECRET, accessTokenTtl: 3600, signupEnabled: false });
  });

  it("takes a TTL in seconds and SIGNUP_ENABLED as 1/true/0/false", () => {
    expect(loadEnv({ ...good, ACCESS_TOKEN_TTL: "900", SIGNUP_ENABLED: "1" })).toMatchObject({ ACCESS_TOKEN_TTL: 900, SIGNUP_ENABLED: true });
    expect(loadEnv({ ...good, SIGNUP_ENABLED: "true" }).SIGNUP_ENABLED).toBe(true);
    expect(loadEnv({ ...good, SIGNUP_ENABLED: "false" }).SIGNUP_ENABLED).toBe(false);
    expect(loadEnv({ ...good, SIGNUP_ENABLED: "0" }).SIGNUP_ENABLED).toBe(false);
  });

  it.each([
    ["ACCESS_TOKEN_TTL", "1h"],
    ["ACCESS_TOKEN_TTL", "59"],
    ["ACCESS_TOKEN_TTL", "86401"],
    ["ACCESS_TOKEN_TTL", "3600.5"],
    ["SIGNUP_ENABLED", "yes"],
  ])("names %s=%s in one line", (name, value) => {
    expect(() => loadEnv({ ...good, [name]: value })).toThrow(new RegExp(`^invalid configuration: ${name} [^\\n]+$`));
  });

  it("is off with an external IAM (JWT_JWKS_URL): /api/v1/auth/* is not served", () => {
    expect(signInOptionsFromEnv(loadEnv({ ...good, JWT_JWKS_URL: "https://iam.example.com/.well-known/jwks.json" }))).toBeUndefined();
    const { JWT_SECRET: _secret, ...withoutSecret } = good;
    expect(signInOptionsFromEnv(loadEnv({ ...withoutSecret, JWT_JWKS_URL: "https://iam.example.com/.well-known/jwks.json" }))).toBeUndefined();
  });
});
