// The worker's configuration: the only place that reads process.env.
import { z } from "zod";

const Env = z.object({
  DATABASE_URL: z.string().url({ message: "must be a postgresql:// URL" }),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
});
export type WorkerEnv = z.infer<typeof Env>;

export function loadEnv(source: Record<string, string | undefined> = process.env): WorkerEnv {
  const parsed = Env.safeParse(source);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`invalid configuration: ${String(issue?.path[0] ?? "?")} ${issue?.message ?? ""}`.trim());
  }
  return parsed.data;
}
