// Runs the outgoing-webhook relay in the worker: a batch whenever live events are announced
// (LISTEN mktx_events), a fallback poll every few seconds, and right away again while batches come
// back full. Safe in every worker process at once (the relay serializes itself in the database).
import pg from "pg";
import type { Db } from "@mkt-x/db";
import { LIVE_EVENTS_CHANNEL, relayLiveEvents, type JobQueue } from "@mkt-x/core/server";
import { wakeableSleep } from "./wakeable-sleep.ts";

export interface WebhookRelayOptions {
  db: Db;
  queue: JobQueue;
  /** a connection string for the LISTEN connection */
  databaseUrl: string;
  log: { error: (o: object, m: string) => void };
  /** fallback poll (default 3 s): a missed notification, a restart, or events held behind an open transaction */
  pollMs?: number;
  batchSize?: number;
  /** called after a batch queued deliveries (to wake this process's dispatcher) */
  onDeliveries?: () => void;
}

export interface WebhookRelay {
  stop(): Promise<void>;
}

const HELD_BACK_RECHECK_MS = 100;

export async function startWebhookRelay(opts: WebhookRelayOptions): Promise<WebhookRelay> {
  const pollMs = opts.pollMs ?? 3000;
  let stopped = false;
  const pause = wakeableSleep(() => stopped);
  const { nudge, sleep } = pause;

  // the LISTEN connection; when it drops the poll carries on and a new one is made
  let client: pg.Client | null = null;
  const listen = async (): Promise<void> => {
    if (stopped) return;
    const c = new pg.Client({ connectionString: opts.databaseUrl });
    c.on("notification", nudge);
    c.on("error", (err) => {
      opts.log.error({ err: err.message }, "webhook relay: LISTEN connection lost");
      client = null;
      c.end().catch(() => {});
      setTimeout(() => void listen().catch(() => {}), 1000).unref();
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${LIVE_EVENTS_CHANNEL}`);
      client = c;
      nudge();
    } catch (e) {
      opts.log.error({ err: e instanceof Error ? e.message : String(e) }, "webhook relay: cannot LISTEN");
      c.end().catch(() => {});
      if (!stopped) setTimeout(() => void listen().catch(() => {}), 1000).unref();
    }
  };
  await listen();

  const loop = (async () => {
    while (!stopped) {
      pause.clear();
      let next = pollMs;
      try {
        const r = await relayLiveEvents({ db: opts.db, queue: opts.queue, batchSize: opts.batchSize });
        if (r.deliveries > 0) opts.onDeliveries?.();
        if (r.more) next = 0;
        else if (r.heldBack || r.busy) next = HELD_BACK_RECHECK_MS;
      } catch (e) {
        opts.log.error({ err: e instanceof Error ? e.message : String(e) }, "webhook relay: batch failed");
      }
      if (next > 0) await sleep(next);
    }
  })();

  return {
    async stop() {
      stopped = true;
      pause.nudge();
      await loop;
      await client?.end().catch(() => {});
    },
  };
}
