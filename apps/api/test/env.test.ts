// Bad configuration fails at start with one line naming the variable.
import { describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { loadEnv } from "../src/env.ts";
import { loadEnv as loadWorkerEnv } from "../../worker/src/env.ts";

const good = {
  DATABASE_URL: "postgresql://postgres@127.0.0.1:5432/mktx",
  JWT_SECRET: "a-long-enough-secret",
  TOKEN_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
  X_CONSUMER_KEY: "k",
  X_CONSUMER_SECRET: "s",
};

describe("configuration", () => {
  it("takes a complete environment with the documented defaults", () => {
    expect(loadEnv(good)).toMatchObject({ PORT: 5000, RATE_LIMIT_PER_MINUTE: 100, LOG_LEVEL: "info", X_API_BASE_URL: "https://api.x.com" });
    expect(loadWorkerEnv(good)).toMatchObject({ DM_LIMIT_ACCOUNT_15M: 200, DM_LIMIT_ACCOUNT_24H: 500, DM_LIMIT_APP_24H: 15_000, DM_LIMIT_CAMPAIGN_ACCOUNT_24H: 10_000, DM_SEND_WINDOWS: "on" });
  });

  it.each([
    ["DATABASE_URL", { DATABASE_URL: "not a url" }],
    ["TOKEN_ENCRYPTION_KEY", { TOKEN_ENCRYPTION_KEY: randomBytes(16).toString("base64") }],
    ["PORT", { PORT: "http" }],
    ["RATE_LIMIT_PER_MINUTE", { RATE_LIMIT_PER_MINUTE: "0" }],
    ["LOG_LEVEL", { LOG_LEVEL: "loud" }],
    ["X_CONSUMER_SECRET", { X_CONSUMER_SECRET: "" }],
  ])("names %s when it is wrong", (name, patch) => {
    expect(() => loadEnv({ ...good, ...patch })).toThrow(new RegExp(`^invalid configuration: ${name}\\b`));
  });

  it("defaults to the embedded AI provider and takes openai with a key and a base URL", () => {
    expect(loadEnv(good)).toMatchObject({ AI_PROVIDER: "embedded" });
    expect(loadEnv({ ...good, AI_PROVIDER: "openai", OPENAI_API_KEY: "sk-x", OPENAI_BASE_URL: "http://127.0.0.1:8080/v1" })).toMatchObject({ AI_PROVIDER: "openai", OPENAI_BASE_URL: "http://127.0.0.1:8080/v1" });
  });

  it.each([
    ["AI_PROVIDER", { AI_PROVIDER: "claude" }],
    ["OPENAI_API_KEY", { AI_PROVIDER: "openai" }],
    ["OPENAI_API_KEY", { AI_PROVIDER: "openai", OPENAI_API_KEY: "" }],
    ["OPENAI_BASE_URL", { OPENAI_BASE_URL: "not a url" }],
  ])("names %s when the AI settings are wrong (API and worker alike)", (name, patch) => {
    expect(() => loadEnv({ ...good, ...patch })).toThrow(new RegExp(`^invalid configuration: ${name}\\b`));
    expect(() => loadWorkerEnv({ ...good, ...patch })).toThrow(new RegExp(`^invalid configuration: ${name}\\b`));
  });

  it("wants a JWT secret or a JWKS URL", () => {
    const { JWT_SECRET: _secret, ...rest } = good;
    expect(() => loadEnv(rest)).toThrow(/JWT_SECRET or JWT_JWKS_URL/);
    expect(loadEnv({ ...rest, JWT_JWKS_URL: "https://iam.example.com/.well-known/jwks.json" }).JWT_JWKS_URL).toContain("jwks");
  });

  it("the worker names its variables too", () => {
    expect(() => loadWorkerEnv({ ...good, DM_SEND_WINDOWS: "maybe" })).toThrow(/^invalid configuration: DM_SEND_WINDOWS\b/);
    expect(() => loadWorkerEnv({ ...good, TOKEN_ENCRYPTION_KEY: "short" })).toThrow(/^invalid configuration: TOKEN_ENCRYPTION_KEY\b/);
  });
});
