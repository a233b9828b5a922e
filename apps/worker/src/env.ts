// The worker's configuration: the only place that reads process.env.
import { z } from "zod";
import { parseConfig, sharedEnvShape } from "@mkt-x/core/server";

const Env = z.object({
  ...sharedEnvShape,
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  /** send windows (ARCHITECTURE.md): X's per-user limit, the seed's per-account day, the app's day */
  DM_LIMIT_ACCOUNT_15M: z.coerce.number().int().min(1).default(200),
  DM_LIMIT_ACCOUNT_24H: z.coerce.number().int().min(1).default(500),
  DM_LIMIT_APP_24H: z.coerce.number().int().min(1).default(15_000),
  DM_LIMIT_CAMPAIGN_ACCOUNT_24H: z.coerce.number().int().min(1).default(10_000),
  /** base of campaign short links (/r/{code}): the API's public address */
  PUBLIC_BASE_URL: z.string().url().default("http://localhost:5000"),
  /** "off" only for benchmarks and trusted setups: then X's 429s are the only brake */
  DM_SEND_WINDOWS: z.enum(["on", "off"]).default("on"),
});
export type WorkerEnv = z.infer<typeof Env>;

export function loadEnv(source: Record<string, string | undefined> = process.env): WorkerEnv {
  return parseConfig(Env, source);
}
