// The AI provider's configuration: embedded by default; openai needs its key.
import { describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { loadEnv } from "../src/env.ts";

const good = {
  DATABASE_URL: "postgresql://postgres@127.0.0.1:5432/mktx",
  JWT_SECRET: "a-long-enough-secret",
  TOKEN_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
  X_CONSUMER_KEY: "k",
  X_CONSUMER_SECRET: "s",
};

describe("AI configuration", () => {
  it("defaults to the embedded provider", () => {
    expect(loadEnv(good)).toMatchObject({ AI_PROVIDER: "embedded" });
  });

  it("takes openai with a key and a base URL", () => {
    expect(loadEnv({ ...good, AI_PROVIDER: "openai", OPENAI_API_KEY: "sk-x", OPENAI_BASE_URL: "http://127.0.0.1:8080/v1" })).toMatchObject({ AI_PROVIDER: "openai", OPENAI_BASE_URL: "http://127.0.0.1:8080/v1" });
  });

  it.each([
    ["AI_PROVIDER", { AI_PROVIDER: "claude" }],
    ["OPENAI_API_KEY", { AI_PROVIDER: "openai" }],
    ["OPENAI_BASE_URL", { OPENAI_BASE_URL: "not a url" }],
  ])("names %s when it is wrong", (name, patch) => {
    expect(() => loadEnv({ ...good, ...patch })).toThrow(new RegExp(`^invalid configuration: ${name}\\b`));
  });

  it("never puts the key in the error", () => {
    expect(() => loadEnv({ ...good, AI_PROVIDER: "openai", OPENAI_API_KEY: "", OPENAI_BASE_URL: "http://x/v1" })).toThrow(/^invalid configuration: OPENAI_API_KEY\b/);
  });
});
