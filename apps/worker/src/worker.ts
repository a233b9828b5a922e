// Registers a pg-boss consumer per job of the registry. Payloads are re-validated; a bad payload is
// failed (and dead-lettered by the queue policy), never retried forever.
import type { PgBoss } from "pg-boss";
import { ensureQueues, JOB_NAMES } from "@mkt-x/core/server";
import { ZodError } from "zod";
import { HANDLERS, type HandlerDeps } from "./handlers/index.ts";

export interface WorkerLog {
  info: (o: object, m: string) => void;
  error: (o: object, m: string) => void;
}

export interface WorkerOptions {
  boss: PgBoss;
  deps: HandlerDeps;
  log: WorkerLog;
  /** jobs fetched per poll per queue */
  batchSize?: number;
  pollingIntervalSeconds?: number;
}

export async function startWorker(opts: WorkerOptions): Promise<{ stop: () => Promise<void> }> {
  await ensureQueues(opts.boss);
  for (const name of JOB_NAMES) {
    await opts.boss.work(name, { batchSize: opts.batchSize ?? 50, pollingIntervalSeconds: opts.pollingIntervalSeconds ?? 0.5, burstWhenBatchFull: true, perJobResults: true }, async (jobs) => {
      // each job of a batch settles on its own: one failure retries that job only
      return await Promise.all(
        jobs.map(async (job) => {
          try {
            await HANDLERS[name].run(opts.deps, job.data);
            return { id: job.id, status: "completed" as const };
          } catch (e) {
            const message = e instanceof Error ? e.message : String(e);
            opts.log.error({ queue: name, jobId: job.id, err: message }, "job failed");
            // a payload that does not parse will never succeed: straight to the dead letters
            return { id: job.id, status: e instanceof ZodError ? ("deadletter" as const) : ("failed" as const), output: { message } };
          }
        }),
      );
    });
  }
  opts.log.info({ queues: JOB_NAMES }, "worker started");
  return {
    // stop fetching, let in-flight jobs finish (or release them when the timeout passes)
    stop: () => opts.boss.stop({ graceful: true, timeout: 20_000 }),
  };
}
