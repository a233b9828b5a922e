// The queue port and its pg-boss implementation. Producers enqueue inside their own transaction
// (pg-boss's `db` option runs the insert on it), never "commit, then enqueue".
import { PgBoss, fromPrisma } from "pg-boss";
import type { Tx } from "@mkt-x/db";
import { JOBS, JOB_NAMES, DEAD_LETTER_QUEUE, JOB_MAINTENANCE_SECONDS, jobGroup, type JobName, type JobPayload } from "./registry.ts";

export interface EnqueueOptions {
  /** run the insert in this transaction */
  tx?: Tx;
  startAfter?: Date;
  singletonKey?: string;
  /** higher runs first (the send lanes: domain/send-lanes.ts) */
  priority?: number;
}

export interface JobQueue {
  send<N extends JobName>(name: N, payload: JobPayload<N>, opts?: EnqueueOptions): Promise<void>;
  sendMany<N extends JobName>(name: N, payloads: JobPayload<N>[], opts?: EnqueueOptions): Promise<void>;
  /** Parks a record of work given up on where operators look for dead letters. */
  deadLetter(record: Record<string, unknown>, opts?: EnqueueOptions): Promise<void>;
}

export function createPgBoss(url: string, opts: { max?: number; superviseSeconds?: number } = {}): PgBoss {
  // pg-boss notices expired jobs and lost heartbeats in its supervise pass, by default once a
  // minute per queue; the worker asks for it every few seconds, so a dead worker's jobs are retried
  // soon after their heartbeat stops (JOB_HEARTBEAT_SECONDS)
  const supervise = opts.superviseSeconds ? { superviseIntervalSeconds: opts.superviseSeconds, monitorIntervalSeconds: opts.superviseSeconds } : {};
  return new PgBoss({ connectionString: url, schema: "pgboss", max: opts.max ?? 5, maintenanceIntervalSeconds: JOB_MAINTENANCE_SECONDS, ...supervise });
}

/** Creates every queue of the registry with its policy, plus the dead-letter queue. Idempotent. */
export async function ensureQueues(boss: PgBoss): Promise<void> {
  const existing = new Set((await boss.getQueues()).map((q) => q.name));
  if (!existing.has(DEAD_LETTER_QUEUE)) await boss.createQueue(DEAD_LETTER_QUEUE, { retentionSeconds: 30 * 86400 });
  for (const name of JOB_NAMES) {
    const options: Record<string, unknown> = { ...JOBS[name].queue, deadLetter: DEAD_LETTER_QUEUE };
    // a queue's policy is set when it is created; pg-boss refuses to change it
    const { policy: _policy, ...updatable } = options;
    if (existing.has(name)) await boss.updateQueue(name, updatable);
    else await boss.createQueue(name, options);
    const job = JOBS[name];
    if ("schedule" in job) await boss.schedule(name, job.schedule, {});
  }
}

export function createJobQueue(boss: PgBoss): JobQueue {
  const options = (opts: EnqueueOptions) => ({
    ...(opts.tx ? { db: fromPrisma(opts.tx) } : {}),
    ...(opts.startAfter ? { startAfter: opts.startAfter } : {}),
    ...(opts.singletonKey ? { singletonKey: opts.singletonKey } : {}),
    ...(opts.priority ? { priority: opts.priority } : {}),
  });
  return {
    async send(name, payload, opts = {}) {
      const data = JOBS[name].payload.parse(payload);
      const group = jobGroup(name, data);
      await boss.send(name, data, { ...options(opts), ...(group ? { group } : {}) });
    },
    async deadLetter(record, opts = {}) {
      await boss.send(DEAD_LETTER_QUEUE, record, options(opts));
    },
    async sendMany(name, payloads, opts = {}) {
      if (payloads.length === 0) return;
      const jobs = payloads.map((p) => {
        const data = JOBS[name].payload.parse(p);
        const group = jobGroup(name, data);
        return { data, ...(group ? { group } : {}), ...(opts.startAfter ? { startAfter: opts.startAfter } : {}), ...(opts.priority ? { priority: opts.priority } : {}) };
      });
      await boss.insert(name, jobs, opts.tx ? { db: fromPrisma(opts.tx) } : {});
    },
  };
}
