// Registers a pg-boss consumer per job of the registry. Payloads are re-validated; a bad payload is
// failed (and dead-lettered by the queue policy), never retried forever.
import type { PgBoss } from "pg-boss";
import { ensureQueues, JOBS, JOB_NAMES } from "@mkt-x/core/server";
import { ZodError } from "zod";
import { HANDLERS, type HandlerDeps } from "./handlers/index.ts";
import { startDispatcher, type Dispatcher } from "./delivery-dispatcher.ts";
import { startSettleLoop } from "./settle-loop.ts";

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
  /** batches in flight at once per queue in this process */
  localConcurrency?: number;
  /** how often the settle pass runs (settle-loop.ts); 0: never */
  settleIntervalMs?: number;
}

export async function startWorker(opts: WorkerOptions): Promise<{ stop: () => Promise<void>; nudge: () => void }> {
  await ensureQueues(opts.boss);
  const dispatchers: Dispatcher[] = [];
  for (const name of JOB_NAMES) {
    // a queue whose jobs may each take long (webhook.deliver) runs job by job (delivery-dispatcher.ts)
    const job = JOBS[name];
    if ("dispatch" in job) {
      dispatchers.push(startDispatcher({ boss: opts.boss, name, run: (data) => HANDLERS[name].run(opts.deps, data), log: opts.log, ...job.dispatch }));
      continue;
    }
    await opts.boss.work(name, { batchSize: opts.batchSize ?? 50, pollingIntervalSeconds: opts.pollingIntervalSeconds ?? 0.5, burstWhenBatchFull: true, perJobResults: true, localConcurrency: opts.localConcurrency ?? 2 }, async (jobs) => {
      // each job of a batch settles on its own: one failure retries that job only
      const runner = HANDLERS[name];
      const errors = runner.runBatch
        ? await runner.runBatch(opts.deps, jobs.map((j) => j.data))
        : await Promise.all(jobs.map((job) => runner.run(opts.deps, job.data).then(() => undefined, (e: unknown) => (e instanceof Error ? e : new Error(String(e))))));
      return jobs.map((job, i) => {
        const error = errors[i];
        if (!error) return { id: job.id, status: "completed" as const };
        opts.log.error({ queue: name, jobId: job.id, err: error.message }, "job failed");
        // a payload that does not parse will never succeed: straight to the dead letters
        return { id: job.id, status: error instanceof ZodError ? ("deadletter" as const) : ("failed" as const), output: { message: error.message } };
      });
    });
  }
  const settle = opts.settleIntervalMs === 0 ? null : startSettleLoop({ deps: opts.deps.campaigns, log: opts.log, ...(opts.settleIntervalMs ? { intervalMs: opts.settleIntervalMs } : {}) });
  opts.log.info({ queues: JOB_NAMES }, "worker started");
  return {
    // jobs were just queued in this process (the webhook relay's deliveries): fetch them now
    nudge: () => dispatchers.forEach((d) => d.nudge()),
    // stop fetching, let in-flight jobs finish (or release them when the timeout passes)
    stop: async () => {
      await settle?.stop();
      await Promise.all(dispatchers.map((d) => d.stop()));
      await opts.boss.stop({ graceful: true, timeout: 20_000 });
    },
  };
}
