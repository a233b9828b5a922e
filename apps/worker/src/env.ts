// The worker's configuration: the only place that reads process.env.
import { z } from "zod";

const Env = z.object({
  DATABASE_URL: z.string().url({ message: "must be a postgresql:// URL" }),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  TOKEN_ENCRYPTION_KEY: z.string().refine((v) => Buffer.from(v, "base64").length === 32, { message: "must be 32 bytes, base64-encoded" }),
  X_API_BASE_URL: z.string().url().default("https://api.x.com"),
  X_CONSUMER_KEY: z.string().min(1, { message: "is required" }),
  X_CONSUMER_SECRET: z.string().min(1, { message: "is required" }),
  /** send windows (ARCHITECTURE.md): X's per-user limit, the seed's per-account day, the app's day */
  DM_LIMIT_ACCOUNT_15M: z.coerce.number().int().min(1).default(200),
  DM_LIMIT_ACCOUNT_24H: z.coerce.number().int().min(1).default(500),
  DM_LIMIT_APP_24H: z.coerce.number().int().min(1).default(15_000),
  DM_LIMIT_CAMPAIGN_ACCOUNT_24H: z.coerce.number().int().min(1).default(10_000),
  /** base of campaign short links (/r/{code}): the API's public address */
  PUBLIC_BASE_URL: z.string().url().default("http://localhost:5000"),
  /** "off" only for benchmarks and trusted setups: then X's 429s are the only brake */
  DM_SEND_WINDOWS: z.enum(["on", "off"]).default("on"),
  /** automatic AI replies: the embedded NLU or an OpenAI-compatible endpoint (as the API) */
  AI_PROVIDER: z.enum(["embedded", "openai"], { message: "must be embedded or openai" }).default("embedded"),
  OPENAI_API_KEY: z.string().min(1, { message: "must not be empty" }).optional(),
  OPENAI_BASE_URL: z.string().url().optional(),
});
export type WorkerEnv = z.infer<typeof Env>;

export function loadEnv(source: Record<string, string | undefined> = process.env): WorkerEnv {
  const parsed = Env.safeParse(source);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`invalid configuration: ${String(issue?.path[0] ?? "?")} ${issue?.message ?? ""}`.trim());
  }
  if (parsed.data.AI_PROVIDER === "openai" && !parsed.data.OPENAI_API_KEY) throw new Error("invalid configuration: OPENAI_API_KEY is required when AI_PROVIDER=openai");
  return parsed.data;
}
