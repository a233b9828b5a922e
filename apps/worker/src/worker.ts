// Registers a pg-boss consumer per job of the registry. Payloads are re-validated; a bad payload is
// failed (and dead-lettered by the queue policy), never retried forever.
import type { PgBoss } from "pg-boss";
import { ensureQueues, JOBS, JOB_NAMES, type Metrics } from "@mkt-x/core/server";
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
  /** Prometheus: job wait (created → started) and run time per queue */
  metrics?: Metrics;
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
      const run = (data: unknown) => HANDLERS[name].run(opts.deps, data);
      dispatchers.push(startDispatcher({ boss: opts.boss, name, run: opts.metrics ? timed(opts.metrics, name, run) : run, log: opts.log, ...job.dispatch }));
      continue;
    }
    await opts.boss.work(name, { batchSize: opts.batchSize ?? 50, pollingIntervalSeconds: opts.pollingIntervalSeconds ?? 0.5, burstWhenBatchFull: true, perJobResults: true, localConcurrency: opts.localConcurrency ?? 2, includeMetadata: true }, async (jobs) => {
      const started = performance.now();
      if (opts.metrics) for (const job of jobs) opts.metrics.jobWaitSeconds.observe({ queue: name }, waitSeconds(job));
      // each job of a batch settles on its own: one failure retries that job only
      const runner = HANDLERS[name];
      const errors = runner.runBatch
        ? await runner.runBatch(opts.deps, jobs.map((j) => j.data))
        : await Promise.all(jobs.map((job) => runner.run(opts.deps, job.data).then(() => undefined, (e: unknown) => (e instanceof Error ? e : new Error(String(e))))));
      // a batch runs as one: each of its jobs took the batch's time
      const seconds = (performance.now() - started) / 1000;
      if (opts.metrics) for (const error of errors) opts.metrics.jobDurationSeconds.observe({ queue: name, result: error ? "failed" : "completed" }, seconds);
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

/** A deferred job waits from its start-after, not from its creation (that delay was asked for). */
function waitSeconds(job: { createdOn: Date; startAfter: Date; startedOn: Date | null }): number {
  const ready = Math.max(job.createdOn.getTime(), job.startAfter.getTime());
  return Math.max(0, ((job.startedOn ?? new Date()).getTime() - ready) / 1000);
}

/** Run time of a job the dispatcher runs one by one (it fetches without metadata: no wait figure). */
function timed(metrics: Metrics, queue: string, run: (data: unknown) => Promise<void>): (data: unknown) => Promise<void> {
  return async (data) => {
    const done = metrics.jobDurationSeconds.startTimer({ queue });
    try {
      await run(data);
      done({ result: "completed" });
    } catch (e) {
      done({ result: "failed" });
      throw e;
    }
  };
}
