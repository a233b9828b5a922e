// Configuration pieces the API and the worker share: the development `.env`, the variables both
// read, one parser that turns the first bad value into one line naming the variable, and what they
// build from it (the AI provider, X when the app has no credentials).
import { z } from "zod";
import type { AiProvider } from "../ports/ai-provider.ts";
import { XApiError, type XClient } from "../ports/x-client.ts";
import { createEmbeddedAiProvider } from "./services/ai/embedded-nlu.ts";
import { createOpenAiProvider } from "./services/ai/openai-provider.ts";
import type { PostWindowLimits, SendWindowLimits } from "./services/messages/send-windows.ts";

export class ConfigError extends Error {
  override name = "ConfigError";
}

/**
 * Development only (NODE_ENV is not `production`): reads the `.env` file at `path` into
 * process.env when it exists. Variables already set in the environment win over the file
 * (Node's loadEnvFile never overwrites). Callers pass a path resolved from their own file, not
 * from the working directory. True when a file was read; a file that cannot be read is a ConfigError.
 */
export function loadDevEnvFile(path: string): boolean {
  if (process.env.NODE_ENV === "production") return false;
  try {
    process.loadEnvFile(path);
    return true;
  } catch (e) {
    if (e instanceof Error && "code" in e && e.code === "ENOENT") return false;
    throw new ConfigError(`invalid configuration: cannot read ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** AI_MODELS unset: OpenAI's current chat models (the seed's example is gpt-4; the default setting gpt-4o-mini). */
export const DEFAULT_AI_MODELS: readonly string[] = ["gpt-4o-mini", "gpt-4o", "gpt-4", "gpt-4-turbo", "gpt-4.1", "gpt-4.1-mini", "gpt-4.1-nano", "gpt-3.5-turbo", "gpt-5", "gpt-5-mini", "gpt-5-nano", "o3-mini", "o4-mini"];

/** X's API access tiers (X_TIER): each has its published DM limits. */
export const X_TIERS = ["pay-per-use", "basic", "pro", "enterprise"] as const;
export type XTier = (typeof X_TIERS)[number];

/**
 * X's published limits of POST /2/dm_conversations/with/:participant_id/messages per tier: DMs per
 * user per 15 minutes and per 24 hours, and per app per 24 hours. pay-per-use and basic: 15 / 15 min
 * and 1,440 / 24 h per user, 1,440 / 24 h per app (X's rate-limit table for self-serve access);
 * pro and enterprise: 200 / 15 min and 1,000 / 24 h per user, 15,000 / 24 h per app (the DM
 * endpoints' reference; enterprise contracts may grant more: set DM_LIMIT_* to what yours says).
 */
export const X_TIER_DM_LIMITS: Record<XTier, { userPer15m: number; userPer24h: number; appPer24h: number }> = {
  "pay-per-use": { userPer15m: 15, userPer24h: 1440, appPer24h: 1440 },
  basic: { userPer15m: 15, userPer24h: 1440, appPer24h: 1440 },
  pro: { userPer15m: 200, userPer24h: 1000, appPer24h: 15_000 },
  enterprise: { userPer15m: 200, userPer24h: 1000, appPer24h: 15_000 },
};
/**
 * X's published limits of POST /2/tweets (what a public reply to a mention is) per tier: posts per
 * user per 15 minutes and per 24 hours, and per app per 24 hours; null where X publishes no such
 * window. They are X's, separate from the DM windows: a full DM window never holds a public reply.
 * - pay-per-use: 100 / 15 min per user, 10,000 / 24 h per app (docs.x.com/x-api/fundamentals/rate-limits,
 *   "Manage posts", 2026)
 * - basic: 100 / 24 h per user, 1,667 / 24 h per app (developer.x.com/en/docs/twitter-api/rate-limits,
 *   "X API v2 Basic rate limits", Manage Tweets; confirmed in tweepy discussion #2129)
 * - pro: 100 / 15 min per user, 10,000 / 24 h per app (the same page, "Pro rate limits")
 * - enterprise: as pro (enterprise contracts set their own: POST_LIMIT_* override)
 */
export const X_TIER_POST_LIMITS: Record<XTier, PostWindowLimits> = {
  "pay-per-use": { accountPer15m: 100, accountPer24h: null, appPer24h: 10_000 },
  basic: { accountPer15m: null, accountPer24h: 100, appPer24h: 1667 },
  pro: { accountPer15m: 100, accountPer24h: null, appPer24h: 10_000 },
  enterprise: { accountPer15m: 100, accountPer24h: null, appPer24h: 10_000 },
};
/** The seed's own budgets (spec: 500 messages per account per day; 10,000 campaign DMs): the smallest binding budget wins. */
export const SEED_ACCOUNT_PER_24H = 500;
export const SEED_CAMPAIGN_ACCOUNT_PER_24H = 10_000;

const windowLimit = z.preprocess((v) => (v === "" ? undefined : v), z.coerce.number().int().min(1).optional());

/** Blank counts as unset: a template's `X_CONSUMER_KEY=` line, or compose passing an unset host variable. */
const optionalCredential = z.preprocess((v) => (v === "" ? undefined : v), z.string().optional());

/** What every process reads: the database, the token key, X, the AI provider, the log level. */
export const sharedEnvShape = {
  DATABASE_URL: z.string().url({ message: "must be a postgresql:// URL" }),
  TOKEN_ENCRYPTION_KEY: z.string().refine((v) => Buffer.from(v, "base64").length === 32, { message: "must be 32 bytes, base64-encoded" }),
  /** keys secrets were encrypted with before TOKEN_ENCRYPTION_KEY (comma-separated): still decrypted while `pnpm keys:rotate` runs */
  TOKEN_ENCRYPTION_KEY_PREVIOUS: z.preprocess(
    (v) => (v === "" ? undefined : v),
    z
      .string()
      .refine((v) => v.split(",").every((k) => k.trim() === "" || Buffer.from(k.trim(), "base64").length === 32), { message: "must be comma-separated 32-byte keys, base64-encoded" })
      .optional(),
  ),
  X_API_BASE_URL: z.string().url().default("https://api.x.com"),
  /** both or neither: without them the service runs without X (see unconfiguredXClient) */
  X_CONSUMER_KEY: optionalCredential,
  X_CONSUMER_SECRET: optionalCredential,
  AI_PROVIDER: z.enum(["embedded", "openai"], { message: "must be embedded or openai" }).default("embedded"),
  OPENAI_API_KEY: z.string().min(1, { message: "must not be empty" }).optional(),
  OPENAI_BASE_URL: z.string().url().optional(),
  /** the models merchants may choose in AI settings (comma-separated): the operator's key pays for them */
  AI_MODELS: z.preprocess(
    (v) => (v === "" ? undefined : v),
    z
      .string()
      .transform((v) => [...new Set(v.split(",").map((m) => m.trim()).filter((m) => m !== ""))])
      .refine((list) => list.length > 0 && list.every((m) => m.length <= 100), { message: "must be a comma-separated list of model names" })
      .optional()
      .transform((list): readonly string[] => list ?? DEFAULT_AI_MODELS),
  ),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  // send windows (ARCHITECTURE.md): X's per-user limits and the app's day for the X_TIER, the seed's
  // per-account day; the worker sends, and so does the API on an agent's reply (it answers with X's id).
  // DM_LIMIT_* unset (or blank): the tier's figure; set: it overrides
  X_TIER: z.preprocess((v) => (v === "" ? undefined : v), z.enum(X_TIERS, { message: `must be one of ${X_TIERS.join(", ")}` }).default("pay-per-use")),
  DM_LIMIT_ACCOUNT_15M: windowLimit,
  DM_LIMIT_ACCOUNT_24H: windowLimit,
  DM_LIMIT_APP_24H: windowLimit,
  DM_LIMIT_CAMPAIGN_ACCOUNT_24H: windowLimit,
  // public replies (POST /2/tweets): X's post limits for the X_TIER, each overridable
  POST_LIMIT_ACCOUNT_15M: windowLimit,
  POST_LIMIT_ACCOUNT_24H: windowLimit,
  POST_LIMIT_APP_24H: windowLimit,
  /** what X charges per DM sent (pay-per-use), for estimates */
  X_DM_PRICE_USD: z.preprocess((v) => (v === "" ? undefined : v), z.coerce.number({ message: "must be a number of US dollars" }).min(0, { message: "must not be negative" }).max(100).default(0.015)),
  /** "off" only for benchmarks and trusted setups: then X's 429s are the only brake */
  DM_SEND_WINDOWS: z.enum(["on", "off"]).default("on"),
  /** "1": outgoing webhooks (and fetched media) may target loopback/private addresses (tests, on-premise) */
  WEBHOOK_ALLOW_PRIVATE_TARGETS: z.enum(["0", "1"], { message: "must be 0 or 1" }).default("0").transform((v) => v === "1"),
};

/**
 * The service's own sign-in (CONTRACT.md "Signing in"; the API reads these): how long access tokens
 * live, and whether POST /api/v1/auth/signup is open. Blank counts as unset.
 */
export const signInEnvShape = {
  ACCESS_TOKEN_TTL: z.preprocess((v) => (v === "" ? undefined : v), z.coerce.number({ message: "must be a number of seconds" }).int({ message: "must be a whole number of seconds" }).min(60, { message: "must be at least 60 seconds" }).max(86_400, { message: "must be at most 86400 seconds (a day)" }).default(3600)),
  SIGNUP_ENABLED: z.preprocess((v) => (v === "" ? undefined : v), z.enum(["0", "1", "true", "false"], { message: "must be 1, 0, true or false" }).default("0").transform((v) => v === "1" || v === "true")),
};

/**
 * The send windows the configuration asks for; null when they are off. Each window is its DM_LIMIT_*
 * when set, else the tier's figure (the per-account day: the smaller of X's per-user day and the
 * seed's 500). The windows are checked together, so the smallest binding budget wins.
 */
export function sendWindowsFromEnv(env: {
  DM_SEND_WINDOWS: "on" | "off";
  X_TIER?: XTier | undefined;
  DM_LIMIT_ACCOUNT_15M?: number | undefined;
  DM_LIMIT_ACCOUNT_24H?: number | undefined;
  DM_LIMIT_APP_24H?: number | undefined;
  DM_LIMIT_CAMPAIGN_ACCOUNT_24H?: number | undefined;
  POST_LIMIT_ACCOUNT_15M?: number | undefined;
  POST_LIMIT_ACCOUNT_24H?: number | undefined;
  POST_LIMIT_APP_24H?: number | undefined;
}): SendWindowLimits | null {
  if (env.DM_SEND_WINDOWS === "off") return null;
  const tierName = env.X_TIER ?? "pay-per-use";
  const tier = X_TIER_DM_LIMITS[tierName];
  const posts = X_TIER_POST_LIMITS[tierName];
  return {
    accountPer15m: env.DM_LIMIT_ACCOUNT_15M ?? tier.userPer15m,
    accountPer24h: env.DM_LIMIT_ACCOUNT_24H ?? Math.min(tier.userPer24h, SEED_ACCOUNT_PER_24H),
    appPer24h: env.DM_LIMIT_APP_24H ?? tier.appPer24h,
    accountCampaignPer24h: env.DM_LIMIT_CAMPAIGN_ACCOUNT_24H ?? SEED_CAMPAIGN_ACCOUNT_PER_24H,
    posts: {
      accountPer15m: env.POST_LIMIT_ACCOUNT_15M ?? posts.accountPer15m,
      accountPer24h: env.POST_LIMIT_ACCOUNT_24H ?? posts.accountPer24h,
      appPer24h: env.POST_LIMIT_APP_24H ?? posts.appPer24h,
    },
  };
}

type XApp = { X_CONSUMER_KEY?: string | undefined; X_CONSUMER_SECRET?: string | undefined };
type Shared = XApp & { AI_PROVIDER: "embedded" | "openai"; OPENAI_API_KEY?: string | undefined; OPENAI_BASE_URL?: string | undefined; AI_MODELS: readonly string[] };

/** Parses, then applies the cross-field rules; every failure is a ConfigError naming the variable. */
export function parseConfig<S extends z.ZodType<Shared>>(schema: S, source: Record<string, string | undefined>, rules: ((env: z.infer<S>) => string | null)[] = []): z.infer<S> {
  const parsed = schema.safeParse(source);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`invalid configuration: ${String(issue?.path[0] ?? "?")} ${issue?.message ?? ""}`.trim());
  }
  const env = parsed.data;
  for (const rule of [xAppRule, aiRule, ...rules]) {
    const problem = rule(env);
    if (problem) throw new ConfigError(`invalid configuration: ${problem}`);
  }
  return env;
}

const xAppRule = (env: XApp) => {
  if (env.X_CONSUMER_KEY && !env.X_CONSUMER_SECRET) return "X_CONSUMER_SECRET is required when X_CONSUMER_KEY is set";
  if (!env.X_CONSUMER_KEY && env.X_CONSUMER_SECRET) return "X_CONSUMER_KEY is required when X_CONSUMER_SECRET is set";
  return null;
};

const aiRule = (env: Shared) => (env.AI_PROVIDER === "openai" && !env.OPENAI_API_KEY ? "OPENAI_API_KEY is required when AI_PROVIDER=openai" : null);

export function aiProviderFromEnv(env: Shared): AiProvider {
  return env.AI_PROVIDER === "openai" && env.OPENAI_API_KEY ? createOpenAiProvider({ apiKey: env.OPENAI_API_KEY, baseURL: env.OPENAI_BASE_URL, models: env.AI_MODELS }) : createEmbeddedAiProvider();
}

export const X_APP_NOT_CONFIGURED = "X app credentials are not configured (X_CONSUMER_KEY, X_CONSUMER_SECRET)";

/** The X app's consumer credentials, or null when the service runs without X (both unset). */
export function xAppFromEnv(env: XApp): { consumerKey: string; consumerSecret: string } | null {
  return env.X_CONSUMER_KEY && env.X_CONSUMER_SECRET ? { consumerKey: env.X_CONSUMER_KEY, consumerSecret: env.X_CONSUMER_SECRET } : null;
}

/**
 * X for a service started without the app's credentials: every call fails as a transient X error,
 * so nothing crashes and nothing is blamed on an account. Connecting answers as when X is
 * unreachable, and sends are retried with backoff (then failed) with this message as their error.
 */
export function unconfiguredXClient(): XClient {
  const refuse = (): Promise<never> => Promise.reject(new XApiError("transient", X_APP_NOT_CONFIGURED));
  return { me: refuse, sendDm: refuse, postReply: refuse, uploadMedia: refuse, listDmEvents: refuse, listRecentDmEvents: refuse, ensureWebhook: refuse, replayWebhookEvents: refuse, subscribe: refuse, unsubscribe: refuse, invalidateToken: refuse, requestToken: refuse, accessToken: refuse };
}
