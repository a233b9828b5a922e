// Durable webhook ingest with group commit. Each delivery must be stored (and its processing job
// enqueued, in the same transaction) before X gets its 200; doing that one transaction per request
// makes the commit the bottleneck. Deliveries that arrive while a commit is in flight wait for the
// next one and share it: no added latency when idle, far fewer commits under load.
import type { Pool, PoolClient } from "pg";
import type { PgBoss } from "pg-boss";
import { splitWebhookDelivery, type SplitEvent } from "./split-webhook-delivery.ts";
import { toStorableJson } from "../../../domain/storable-text.ts";
import { webhookKindLabel, type Metrics } from "../../metrics/metrics.ts";

export interface IngestResult {
  received: number;
  stored: number;
  duplicates: number;
}

export interface WebhookIngestor {
  ingest(body: unknown): Promise<IngestResult>;
  /** resolves once nothing is pending */
  drain(): Promise<void>;
}

interface Pending {
  events: SplitEvent[];
  resolve: (r: IngestResult) => void;
  reject: (e: unknown) => void;
}

const MAX_BATCH_EVENTS = 500;

export function createWebhookIngestor(deps: { pool: Pool; boss: PgBoss; metrics?: Metrics }): WebhookIngestor {
  let queue: Pending[] = [];
  let flushing: Promise<void> | null = null;

  async function write(client: PoolClient, batch: Pending[]): Promise<Set<string>> {
    // the same event twice in one batch is one row: first come, first stored
    const unique = new Map<string, SplitEvent>();
    for (const p of batch) for (const e of p.events) if (!unique.has(e.eventKey)) unique.set(e.eventKey, e);
    const events = [...unique.values()];
    await client.query("BEGIN");
    try {
      const { rows } = await client.query<{ id: string; event_key: string }>(
        `INSERT INTO webhook_events (event_key, kind, for_user_id, payload)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::jsonb[])
         ON CONFLICT (event_key) DO NOTHING
         RETURNING id, event_key`,
        [events.map((e) => e.eventKey), events.map((e) => e.kind), events.map((e) => e.forUserId), events.map((e) => JSON.stringify(e.payload))],
      );
      if (rows.length > 0) {
        const db = { executeSql: async (text: string, values?: unknown[]) => ({ rows: (await client.query(text, values)).rows }) };
        await deps.boss.insert("webhook.event", rows.map((r) => ({ data: { webhookEventId: r.id } })), { db });
      }
      await client.query("COMMIT");
      return new Set(rows.map((r) => r.event_key));
    } catch (e) {
      await client.query("ROLLBACK").catch(() => {});
      throw e;
    }
  }

  async function flush(): Promise<void> {
    while (queue.length > 0) {
      let size = 0;
      let take = 0;
      while (take < queue.length && (take === 0 || size + (queue[take]?.events.length ?? 0) <= MAX_BATCH_EVENTS)) {
        size += queue[take]?.events.length ?? 0;
        take++;
      }
      const batch = queue.slice(0, take);
      queue = queue.slice(take);
      try {
        await commit(batch);
      } catch (e) {
        // one delivery must not fail the others that shared its commit: each alone, then
        if (batch.length === 1) batch[0]?.reject(e);
        else for (const p of batch) await commit([p]).catch((err: unknown) => p.reject(err));
      }
    }
  }

  async function commit(batch: Pending[]): Promise<void> {
    const client = await deps.pool.connect();
    // A checked-out client has no 'error' listener (the pool's is for idle clients): PostgreSQL
    // going away between two of its queries would be an unhandled 'error' and end the process.
    // The query in flight fails anyway; a client that failed is discarded, not returned to the pool.
    let failed: unknown = null;
    const onError = (err: Error) => (failed ??= err);
    client.on("error", onError);
    let inserted: Set<string>;
    try {
      inserted = await write(client, batch);
    } catch (e) {
      failed ??= e;
      throw e;
    } finally {
      client.removeListener("error", onError);
      client.release(failed !== null);
    }
    for (const p of batch) {
      // an event stored by this batch counts for the first delivery that carried it
      let stored = 0;
      for (const e of p.events) {
        if (inserted.delete(e.eventKey)) stored++;
      }
      p.resolve({ received: p.events.length, stored, duplicates: p.events.length - stored });
    }
  }

  function kick() {
    if (flushing) return;
    flushing = flush().finally(() => {
      flushing = null;
      // a delivery that arrived as the loop was finishing still gets its commit
      if (queue.length > 0) kick();
    });
  }

  return {
    ingest(body) {
      // what PostgreSQL cannot store (NUL, unpaired surrogates) becomes U+FFFD: the event is kept
      const events = splitWebhookDelivery(toStorableJson(body));
      const metrics = deps.metrics;
      // the delivery's wait for its (shared) commit is what X sees: measured to the settle
      const done = metrics?.webhookIngestSeconds.startTimer();
      if (metrics) for (const event of events) metrics.webhookEvents.inc({ kind: webhookKindLabel(event.kind) });
      return new Promise<IngestResult>((resolve, reject) => {
        queue.push({ events, resolve: (r) => (done?.({ result: "stored" }), resolve(r)), reject: (e) => (done?.({ result: "error" }), reject(e instanceof Error ? e : new Error(String(e)))) });
        kick();
      });
    },
    async drain() {
      while (flushing) await flushing;
    },
  };
}
