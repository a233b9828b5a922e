// Bad configuration fails at start with one line naming the variable; X is optional; the
// development .env fills what the environment leaves unset.
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadDevEnvFile, sendWindowsFromEnv, xAppFromEnv } from "@mkt-x/core/server";
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
    expect(loadWorkerEnv(good)).toMatchObject({ X_TIER: "pay-per-use", X_DM_PRICE_USD: 0.015, DM_SEND_WINDOWS: "on" });
    // pay-per-use: X's 15 per 15 minutes per user and 1,440 a day per app; the seed's 500 a day per account binds before X's 1,440
    // public replies: X's POST /2/tweets limits of pay-per-use, 100 per 15 minutes per user and 10,000 a day per app
    expect(sendWindowsFromEnv(loadWorkerEnv(good))).toEqual({ accountPer15m: 15, accountPer24h: 500, appPer24h: 1440, accountCampaignPer24h: 10_000, posts: { accountPer15m: 100, accountPer24h: null, appPer24h: 10_000 } });
  });

  it("X_TIER sets the windows to that tier's published limits; DM_LIMIT_* override one by one; off is off", () => {
    expect(sendWindowsFromEnv(loadWorkerEnv({ ...good, X_TIER: "pro" }))).toEqual({ accountPer15m: 200, accountPer24h: 500, appPer24h: 15_000, accountCampaignPer24h: 10_000, posts: { accountPer15m: 100, accountPer24h: null, appPer24h: 10_000 } });
    // basic posts: 100 a day per user, 1,667 a day per app; POST_LIMIT_* override one by one
    expect(sendWindowsFromEnv(loadWorkerEnv({ ...good, X_TIER: "basic" }))?.posts).toEqual({ accountPer15m: null, accountPer24h: 100, appPer24h: 1667 });
    expect(sendWindowsFromEnv(loadWorkerEnv({ ...good, X_TIER: "basic", POST_LIMIT_ACCOUNT_15M: "5", POST_LIMIT_APP_24H: "" }))?.posts).toEqual({ accountPer15m: 5, accountPer24h: 100, appPer24h: 1667 });
    expect(sendWindowsFromEnv(loadWorkerEnv({ ...good, X_TIER: "basic" }))).toMatchObject({ accountPer15m: 15, appPer24h: 1440 });
    expect(sendWindowsFromEnv(loadWorkerEnv({ ...good, X_TIER: "enterprise", DM_LIMIT_ACCOUNT_15M: "900", DM_LIMIT_APP_24H: "" }))).toMatchObject({ accountPer15m: 900, appPer24h: 15_000 });
    expect(sendWindowsFromEnv(loadWorkerEnv({ ...good, DM_LIMIT_ACCOUNT_24H: "1440", DM_LIMIT_CAMPAIGN_ACCOUNT_24H: "50" }))).toMatchObject({ accountPer24h: 1440, accountCampaignPer24h: 50 });
    expect(sendWindowsFromEnv(loadWorkerEnv({ ...good, DM_SEND_WINDOWS: "off" }))).toBeNull();
    expect(loadWorkerEnv({ ...good, X_DM_PRICE_USD: "0.02" })).toMatchObject({ X_DM_PRICE_USD: 0.02 });
  });

  it.each([
    ["DATABASE_URL", { DATABASE_URL: "not a url" }],
    ["TOKEN_ENCRYPTION_KEY", { TOKEN_ENCRYPTION_KEY: randomBytes(16).toString("base64") }],
    ["PORT", { PORT: "http" }],
    ["RATE_LIMIT_PER_MINUTE", { RATE_LIMIT_PER_MINUTE: "0" }],
    ["LOG_LEVEL", { LOG_LEVEL: "loud" }],
    ["X_CONSUMER_SECRET", { X_CONSUMER_SECRET: "" }],
    ["X_TIER", { X_TIER: "free" }],
    ["X_DM_PRICE_USD", { X_DM_PRICE_USD: "-1" }],
    ["DM_LIMIT_ACCOUNT_15M", { DM_LIMIT_ACCOUNT_15M: "0" }],
    ["POST_LIMIT_ACCOUNT_24H", { POST_LIMIT_ACCOUNT_24H: "many" }],
  ])("names %s when it is wrong", (name, patch) => {
    expect(() => loadEnv({ ...good, ...patch })).toThrow(new RegExp(`^invalid configuration: ${name}\\b`));
  });

  it("defaults to the embedded AI provider and takes openai with a key and a base URL", () => {
    expect(loadEnv(good)).toMatchObject({ AI_PROVIDER: "embedded" });
    expect(loadEnv({ ...good, AI_PROVIDER: "openai", OPENAI_API_KEY: "sk-x", OPENAI_BASE_URL: "http://127.0.0.1:8080/v1" })).toMatchObject({ AI_PROVIDER: "openai", OPENAI_BASE_URL: "http://127.0.0.1:8080/v1" });
  });

  it("offers OpenAI's chat models by default, or the operator's AI_MODELS list (trimmed, no repeats)", () => {
    expect(loadEnv(good).AI_MODELS).toContain("gpt-4o-mini");
    expect(loadEnv({ ...good, AI_MODELS: "" }).AI_MODELS).toEqual(loadEnv(good).AI_MODELS);
    expect(loadEnv({ ...good, AI_MODELS: " gpt-4o-mini, my-llama ,gpt-4o-mini" }).AI_MODELS).toEqual(["gpt-4o-mini", "my-llama"]);
    expect(loadWorkerEnv({ ...good, AI_MODELS: "my-llama" }).AI_MODELS).toEqual(["my-llama"]);
  });

  it.each([
    ["AI_PROVIDER", { AI_PROVIDER: "claude" }],
    ["OPENAI_API_KEY", { AI_PROVIDER: "openai" }],
    ["OPENAI_API_KEY", { AI_PROVIDER: "openai", OPENAI_API_KEY: "" }],
    ["OPENAI_BASE_URL", { OPENAI_BASE_URL: "not a url" }],
    ["AI_MODELS", { AI_MODELS: " , ," }],
  ])("names %s when the AI settings are wrong (API and worker alike)", (name, patch) => {
    expect(() => loadEnv({ ...good, ...patch })).toThrow(new RegExp(`^invalid configuration: ${name}\\b`));
    expect(() => loadWorkerEnv({ ...good, ...patch })).toThrow(new RegExp(`^invalid configuration: ${name}\\b`));
  });

  it("metrics: METRICS_TOKEN is optional (blank is unset) and read by API and worker; the worker's listener defaults to 0.0.0.0:9464", () => {
    expect(loadEnv(good).METRICS_TOKEN).toBeUndefined();
    expect(loadEnv({ ...good, METRICS_TOKEN: "" }).METRICS_TOKEN).toBeUndefined();
    expect(loadEnv({ ...good, METRICS_TOKEN: "prometheus-scrape-token" }).METRICS_TOKEN).toBe("prometheus-scrape-token");
    expect(loadWorkerEnv(good)).toMatchObject({ WORKER_METRICS_PORT: 9464, WORKER_METRICS_HOST: "0.0.0.0" });
    expect(loadWorkerEnv({ ...good, METRICS_TOKEN: "prometheus-scrape-token", WORKER_METRICS_PORT: "0", WORKER_METRICS_HOST: "127.0.0.1" })).toMatchObject({ METRICS_TOKEN: "prometheus-scrape-token", WORKER_METRICS_PORT: 0, WORKER_METRICS_HOST: "127.0.0.1" });
  });

  it.each([
    ["METRICS_TOKEN", { METRICS_TOKEN: "short" }],
    ["WORKER_METRICS_PORT", { WORKER_METRICS_PORT: "70000" }],
    ["WORKER_METRICS_PORT", { WORKER_METRICS_PORT: "http" }],
  ])("names %s when the metrics settings are wrong", (name, patch) => {
    expect(() => loadWorkerEnv({ ...good, ...patch })).toThrow(new RegExp(`^invalid configuration: ${name}\\b`));
    if (name === "METRICS_TOKEN") expect(() => loadEnv({ ...good, ...patch })).toThrow(new RegExp(`^invalid configuration: ${name}\\b`));
  });

  it("connect with X: X_WEB_BASE_URL defaults to X's, ADMIN_BASE_URL is optional; bad values are named", () => {
    expect(loadEnv(good)).toMatchObject({ X_WEB_BASE_URL: "https://api.x.com" });
    expect(loadEnv(good).ADMIN_BASE_URL).toBeUndefined();
    expect(loadEnv({ ...good, X_WEB_BASE_URL: "http://127.0.0.1:5100", ADMIN_BASE_URL: "https://admin.example.com" })).toMatchObject({ X_WEB_BASE_URL: "http://127.0.0.1:5100", ADMIN_BASE_URL: "https://admin.example.com" });
    expect(() => loadEnv({ ...good, X_WEB_BASE_URL: "x.com" })).toThrow(/^invalid configuration: X_WEB_BASE_URL\b/);
    expect(() => loadEnv({ ...good, ADMIN_BASE_URL: "/admin" })).toThrow(/^invalid configuration: ADMIN_BASE_URL\b/);
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

describe("X app credentials", () => {
  const { X_CONSUMER_KEY: _key, X_CONSUMER_SECRET: _secret, ...withoutX } = good;

  it("are optional: unset, or both blank, starts without X (API and worker alike)", () => {
    for (const source of [withoutX, { ...withoutX, X_CONSUMER_KEY: "", X_CONSUMER_SECRET: "" }]) {
      expect(xAppFromEnv(loadEnv(source))).toBeNull();
      expect(xAppFromEnv(loadWorkerEnv(source))).toBeNull();
    }
    expect(xAppFromEnv(loadEnv(good))).toEqual({ consumerKey: "k", consumerSecret: "s" });
  });

  it.each([
    ["X_CONSUMER_SECRET", { X_CONSUMER_KEY: "k" }],
    ["X_CONSUMER_SECRET", { X_CONSUMER_KEY: "k", X_CONSUMER_SECRET: "" }],
    ["X_CONSUMER_KEY", { X_CONSUMER_SECRET: "s" }],
  ])("names %s when only one of the pair is set", (name, patch) => {
    expect(() => loadEnv({ ...withoutX, ...patch })).toThrow(new RegExp(`^invalid configuration: ${name} is required when`));
    expect(() => loadWorkerEnv({ ...withoutX, ...patch })).toThrow(new RegExp(`^invalid configuration: ${name} is required when`));
  });
});

describe("the development .env (loadDevEnvFile)", () => {
  const dir = mkdtempSync(join(tmpdir(), "mktx-env-"));
  const file = join(dir, ".env");
  const nodeEnv = process.env.NODE_ENV;
  afterEach(() => {
    for (const key of Object.keys(process.env)) if (key.startsWith("MKTX_ENV_TEST_")) delete process.env[key];
    process.env.NODE_ENV = nodeEnv;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("applies the file's values, and variables already set (even blank) win", () => {
    writeFileSync(file, ["# a comment", "MKTX_ENV_TEST_FILE=from-file", 'MKTX_ENV_TEST_QUOTED="two words"', "MKTX_ENV_TEST_SET=from-file", "MKTX_ENV_TEST_BLANK=from-file", ""].join("\n"));
    process.env.MKTX_ENV_TEST_SET = "from-env";
    process.env.MKTX_ENV_TEST_BLANK = "";
    expect(loadDevEnvFile(file)).toBe(true);
    expect(process.env.MKTX_ENV_TEST_FILE).toBe("from-file");
    expect(process.env.MKTX_ENV_TEST_QUOTED).toBe("two words");
    expect(process.env.MKTX_ENV_TEST_SET).toBe("from-env");
    expect(process.env.MKTX_ENV_TEST_BLANK).toBe("");
  });

  it("is fine without a file", () => {
    expect(loadDevEnvFile(join(dir, "missing.env"))).toBe(false);
  });

  it("is not read in production", () => {
    writeFileSync(file, "MKTX_ENV_TEST_FILE=from-file\n");
    process.env.NODE_ENV = "production";
    expect(loadDevEnvFile(file)).toBe(false);
    expect(process.env.MKTX_ENV_TEST_FILE).toBeUndefined();
  });

  it("fails with one line naming a file it cannot read", () => {
    expect(() => loadDevEnvFile(dir)).toThrow(new RegExp(`^invalid configuration: cannot read ${dir}`));
  });
});
