// The API's configuration: the only place that reads process.env. Bad values fail at start with
// one line naming the variable.
import { z } from "zod";

const Env = z.object({
  DATABASE_URL: z.string().url({ message: "must be a postgresql:// URL" }),
  PORT: z.coerce.number().int().min(0).max(65535).default(5000),
  HOST: z.string().default("0.0.0.0"),
  PUBLIC_BASE_URL: z.string().url().optional(),
  JWT_SECRET: z.string().min(16, { message: "must be at least 16 characters" }).optional(),
  JWT_JWKS_URL: z.string().url().optional(),
  JWT_ISSUER: z.string().optional(),
  JWT_AUDIENCE: z.string().optional(),
  TOKEN_ENCRYPTION_KEY: z.string().refine((v) => Buffer.from(v, "base64").length === 32, { message: "must be 32 bytes, base64-encoded" }),
  X_API_BASE_URL: z.string().url().default("https://api.x.com"),
  X_CONSUMER_KEY: z.string().min(1, { message: "is required" }),
  X_CONSUMER_SECRET: z.string().min(1, { message: "is required" }),
  AI_PROVIDER: z.enum(["embedded", "openai"], { message: "must be embedded or openai" }).default("embedded"),
  OPENAI_API_KEY: z.string().min(1, { message: "must not be empty" }).optional(),
  OPENAI_BASE_URL: z.string().url().optional(),
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(100),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});
export type ApiEnv = z.infer<typeof Env>;

export function loadEnv(source: Record<string, string | undefined> = process.env): ApiEnv {
  const parsed = Env.safeParse(source);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`invalid configuration: ${String(issue?.path[0] ?? "?")} ${issue?.message ?? ""}`.trim());
  }
  if (!parsed.data.JWT_SECRET && !parsed.data.JWT_JWKS_URL) throw new ConfigError("invalid configuration: JWT_SECRET or JWT_JWKS_URL is required");
  if (parsed.data.AI_PROVIDER === "openai" && !parsed.data.OPENAI_API_KEY) throw new ConfigError("invalid configuration: OPENAI_API_KEY is required when AI_PROVIDER=openai");
  return parsed.data;
}

export class ConfigError extends Error {
  override name = "ConfigError";
}
