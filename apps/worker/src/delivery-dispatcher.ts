// Runs `webhook.deliver` jobs one by one, many at once, instead of pg-boss's batch workers: a
// batch handler holds its slot until its slowest job ends (a receiver may take 10 s), and pg-boss
// only fetches again at once after a full batch, so batches either let one slow receiver stall the
// others fetched with it or poll slowly. Here each job settles on its own the moment it is done,
// fetches fill the free slots, and the fetch itself caps each subscription's jobs in flight
// (pg-boss groupConcurrency, counted over every worker process): one slow endpoint holds at most
// `perSubscription` slots, whatever its backlog.
import type { PgBoss } from "pg-boss";
import type { WorkerLog } from "./worker.ts";
import { wakeableSleep } from "./wakeable-sleep.ts";

export interface DispatcherOptions {
  boss: PgBoss;
  name: string;
  /** runs one job; throws to fail it (retried by the queue's policy) */
  run: (data: unknown) => Promise<void>;
  log: WorkerLog;
  maxInFlight: number;
  perSubscription: number;
  /** idle poll (jobs whose startAfter came, jobs from other processes) */
  pollMs?: number;
}

export interface Dispatcher {
  /** new jobs were queued (by this process's relay): fetch now rather than at the next poll */
  nudge(): void;
  stop(): Promise<void>;
}

const MAX_FETCH = 50;

export function startDispatcher(opts: DispatcherOptions): Dispatcher {
  const pollMs = opts.pollMs ?? 250;
  let stopped = false;
  let inFlight = 0;
  const running = new Set<Promise<void>>();
  const pause = wakeableSleep(() => stopped);
  const { nudge, sleep } = pause;

  // completions are written in one statement per tick rather than one per job
  let completed: string[] = [];
  let flushing: Promise<void> | null = null;
  const flush = async () => {
    while (completed.length > 0) {
      const ids = completed;
      completed = [];
      await opts.boss.complete(opts.name, ids).catch((e: unknown) => opts.log.error({ queue: opts.name, err: e instanceof Error ? e.message : String(e) }, "complete failed"));
    }
    flushing = null;
  };
  const settle = (id: string) => {
    completed.push(id);
    flushing ??= new Promise<void>((r) => setImmediate(r)).then(flush);
  };

  const runJob = (job: { id: string; data: unknown }) => {
    inFlight++;
    const p = opts
      .run(job.data)
      .then(
        () => settle(job.id),
        async (e: unknown) => {
          const error = e instanceof Error ? e : new Error(String(e));
          opts.log.error({ queue: opts.name, jobId: job.id, err: error.message }, "job failed");
          // retried by the queue's policy, then dead-lettered
          await opts.boss.fail(opts.name, job.id, { message: error.message }).catch(() => {});
        },
      )
      .finally(() => {
        inFlight--;
        running.delete(p);
        nudge();
      });
    running.add(p);
  };

  const loop = (async () => {
    while (!stopped) {
      pause.clear();
      const free = opts.maxInFlight - inFlight;
      if (free <= 0) {
        await sleep(pollMs);
        continue;
      }
      const want = Math.min(free, MAX_FETCH);
      let jobs: { id: string; data: unknown }[] = [];
      try {
        jobs = await opts.boss.fetch(opts.name, { batchSize: want, groupConcurrency: opts.perSubscription });
      } catch (e) {
        opts.log.error({ queue: opts.name, err: e instanceof Error ? e.message : String(e) }, "fetch failed");
      }
      for (const job of jobs) runJob(job);
      // a full fetch: more are waiting; a short one: wait for a slot to free, new jobs or the poll
      if (jobs.length < want) await sleep(pollMs);
    }
  })();

  return {
    nudge,
    async stop() {
      stopped = true;
      pause.nudge();
      await loop;
      await Promise.allSettled([...running]);
      await flushing;
      await flush();
    },
  };
}
