// Configuration pieces the API and the worker share: the variables both read, one parser that
// turns the first bad value into one line naming the variable, and the AI provider they build.
import { z } from "zod";
import type { AiProvider } from "../ports/ai-provider.ts";
import { createEmbeddedAiProvider } from "./services/ai/embedded-nlu.ts";
import { createOpenAiProvider } from "./services/ai/openai-provider.ts";

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** What every process reads: the database, the token key, X, the AI provider, the log level. */
export const sharedEnvShape = {
  DATABASE_URL: z.string().url({ message: "must be a postgresql:// URL" }),
  TOKEN_ENCRYPTION_KEY: z.string().refine((v) => Buffer.from(v, "base64").length === 32, { message: "must be 32 bytes, base64-encoded" }),
  X_API_BASE_URL: z.string().url().default("https://api.x.com"),
  X_CONSUMER_KEY: z.string().min(1, { message: "is required" }),
  X_CONSUMER_SECRET: z.string().min(1, { message: "is required" }),
  AI_PROVIDER: z.enum(["embedded", "openai"], { message: "must be embedded or openai" }).default("embedded"),
  OPENAI_API_KEY: z.string().min(1, { message: "must not be empty" }).optional(),
  OPENAI_BASE_URL: z.string().url().optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
};

type Shared = { AI_PROVIDER: "embedded" | "openai"; OPENAI_API_KEY?: string | undefined; OPENAI_BASE_URL?: string | undefined };

/** Parses, then applies the cross-field rules; every failure is a ConfigError naming the variable. */
export function parseConfig<S extends z.ZodType<Shared>>(schema: S, source: Record<string, string | undefined>, rules: ((env: z.infer<S>) => string | null)[] = []): z.infer<S> {
  const parsed = schema.safeParse(source);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`invalid configuration: ${String(issue?.path[0] ?? "?")} ${issue?.message ?? ""}`.trim());
  }
  const env = parsed.data;
  for (const rule of [aiRule, ...rules]) {
    const problem = rule(env);
    if (problem) throw new ConfigError(`invalid configuration: ${problem}`);
  }
  return env;
}

const aiRule = (env: Shared) => (env.AI_PROVIDER === "openai" && !env.OPENAI_API_KEY ? "OPENAI_API_KEY is required when AI_PROVIDER=openai" : null);

export function aiProviderFromEnv(env: Shared): AiProvider {
  return env.AI_PROVIDER === "openai" && env.OPENAI_API_KEY ? createOpenAiProvider({ apiKey: env.OPENAI_API_KEY, baseURL: env.OPENAI_BASE_URL }) : createEmbeddedAiProvider();
}
