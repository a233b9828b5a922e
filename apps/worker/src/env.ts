// The worker's configuration: the only place that reads process.env.
import { z } from "zod";
import { metricsEnvShape, parseConfig, sharedEnvShape, workerMetricsEnvShape } from "@mkt-x/core/server";

const Env = z.object({
  ...sharedEnvShape,
  ...metricsEnvShape,
  ...workerMetricsEnvShape,
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  /** base of campaign short links (/r/{code}): the API's public address */
  PUBLIC_BASE_URL: z.string().url().default("http://localhost:5000"),
});
export type WorkerEnv = z.infer<typeof Env>;

export function loadEnv(source: Record<string, string | undefined> = process.env): WorkerEnv {
  return parseConfig(Env, source);
}
