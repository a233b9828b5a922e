// Prometheus metrics (issue 12): one registry factory and every metric's definition, so the API and
// the worker name things the same and the Grafana dashboard (ops/grafana/mkt-x.json) reads one
// vocabulary. Recording is a counter increment or a histogram observation: nothing on a hot path
// awaits. Values that need a query (queue depth) or a look at live state (pools, SSE clients) are
// read when Prometheus scrapes, through the collectors registered with `onScrape`.
import { timingSafeEqual, createHash } from "node:crypto";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { SendOutcome } from "../services/messages/send-message.ts";

/** The exposition format's content type (text 0.0.4). */
export const METRICS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

/** Latency buckets in seconds: 5 ms to 30 s, enough resolution around the API's p95 target. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** Job waits and send-window waits run from milliseconds to hours (a window of 24 h). */
const WAIT_BUCKETS = [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600, 4 * 3600, 24 * 3600];

export interface Metrics {
  readonly registry: Registry;
  /** API: every answered request, by method, route pattern (never a raw URL) and status */
  readonly httpDuration: Histogram<"method" | "route" | "status">;
  /** outbound DMs through the send pipeline (API and worker), by outcome and bounded reason */
  readonly dmOutcomes: Counter<"status" | "reason">;
  /** sends deferred because a send window was full, by window */
  readonly sendWindowWaits: Counter<"window">;
  /** how long such a send waits for its window */
  readonly sendWindowWaitSeconds: Histogram<"window">;
  /** X webhook events split from signed deliveries, by kind */
  readonly webhookEvents: Counter<"kind">;
  /** one delivery: verified body handed to the ingestor → durably stored with its jobs */
  readonly webhookIngestSeconds: Histogram<"result">;
  /** worker: created → started, per queue */
  readonly jobWaitSeconds: Histogram<"queue">;
  /** worker: started → settled, per queue and result */
  readonly jobDurationSeconds: Histogram<"queue" | "result">;
  /** live-event clients (SSE and tRPC subscriptions) connected to this API process */
  readonly eventStreamClients: Gauge;
  /** jobs in pg-boss by queue and state (created, retry, active, failed), read on scrape */
  readonly queueJobs: Gauge<"queue" | "state">;
  /** connections of this process's PostgreSQL pools, by pool and state (total, idle, waiting) */
  readonly dbPoolConnections: Gauge<"pool" | "state">;
  /** runs `collect` on every scrape, before the exposition is written (errors are logged, never thrown) */
  onScrape(collect: () => Promise<void> | void): void;
  /** the exposition text after running every scrape collector */
  expose(): Promise<string>;
}

export interface MetricsOptions {
  /** `api` or `worker`: a constant label on every series, so one dashboard tells them apart */
  service: "api" | "worker";
  /** Node's process metrics (CPU, memory, event-loop lag, GC); default true */
  defaultMetrics?: boolean;
  /** where a failing scrape collector is reported */
  onCollectError?: (err: unknown) => void;
}

/** A fresh registry with every metric of the service defined on it (one per process; tests make their own). */
export function createMetrics(opts: MetricsOptions): Metrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service: opts.service });
  if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const collectors: (() => Promise<void> | void)[] = [];

  const queueJobs = new Gauge({ name: "mktx_queue_jobs", help: "Jobs in pg-boss by queue and state (created, retry, active, failed), counted at scrape", labelNames: ["queue", "state"] as const, registers });
  const dbPoolConnections = new Gauge({ name: "mktx_db_pool_connections", help: "PostgreSQL pool connections of this process by pool and state (total, idle, waiting = clients queued for a connection)", labelNames: ["pool", "state"] as const, registers });

  return {
    registry,
    httpDuration: new Histogram({ name: "mktx_http_request_duration_seconds", help: "API request latency by method, route pattern and status", labelNames: ["method", "route", "status"] as const, buckets: LATENCY_BUCKETS, registers }),
    dmOutcomes: new Counter({ name: "mktx_dm_outcomes_total", help: "Outbound DMs through the send pipeline by outcome (sent, failed, deferred, skipped, error) and reason", labelNames: ["status", "reason"] as const, registers }),
    sendWindowWaits: new Counter({ name: "mktx_send_window_waits_total", help: "Sends deferred because a send window was full, by window", labelNames: ["window"] as const, registers }),
    sendWindowWaitSeconds: new Histogram({ name: "mktx_send_window_wait_seconds", help: "How long a send deferred by a full send window waits, by window", labelNames: ["window"] as const, buckets: WAIT_BUCKETS, registers }),
    webhookEvents: new Counter({ name: "mktx_webhook_events_total", help: "X webhook events received in signed deliveries, by kind", labelNames: ["kind"] as const, registers }),
    webhookIngestSeconds: new Histogram({ name: "mktx_webhook_ingest_duration_seconds", help: "Webhook delivery ingest latency: verified body to stored events and jobs (committed), by result", labelNames: ["result"] as const, buckets: LATENCY_BUCKETS, registers }),
    jobWaitSeconds: new Histogram({ name: "mktx_job_wait_seconds", help: "Time a job waited from created (or its start-after) to started, by queue", labelNames: ["queue"] as const, buckets: WAIT_BUCKETS, registers }),
    jobDurationSeconds: new Histogram({ name: "mktx_job_duration_seconds", help: "Time a job ran from started to settled, by queue and result", labelNames: ["queue", "result"] as const, buckets: LATENCY_BUCKETS, registers }),
    eventStreamClients: new Gauge({ name: "mktx_event_stream_clients", help: "Live-event clients (SSE streams and tRPC subscriptions) connected to this API process", registers }),
    queueJobs,
    dbPoolConnections,
    onScrape: (collect) => void collectors.push(collect),
    async expose() {
      await Promise.all(
        collectors.map(async (collect) => {
          try {
            await collect();
          } catch (e) {
            opts.onCollectError?.(e);
          }
        }),
      );
      return registry.metrics();
    },
  };
}

/** What a pg Pool tells about itself (node-postgres' totalCount, idleCount, waitingCount). */
export interface PoolLike {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}

/** Reports `pool()` (read at each scrape: a pool may be replaced or not yet created) under `name`. */
export function observePool(metrics: Metrics, name: string, pool: () => PoolLike | null | undefined): void {
  metrics.onScrape(() => {
    const p = pool();
    metrics.dbPoolConnections.set({ pool: name, state: "total" }, p?.totalCount ?? 0);
    metrics.dbPoolConnections.set({ pool: name, state: "idle" }, p?.idleCount ?? 0);
    metrics.dbPoolConnections.set({ pool: name, state: "waiting" }, p?.waitingCount ?? 0);
  });
}

/** The pg-boss job states a queue's depth is made of (completed and cancelled jobs are history). */
export const QUEUE_STATES = ["created", "retry", "active", "failed"] as const;

/**
 * Queue depth at each scrape from one grouped count over pgboss.job's live states (pg-boss keeps a
 * partial index on exactly those, job_i14, so the count never reads completed history). Every queue
 * of `queues` is reported, at 0 when it has no job in a state, so a drained queue reads 0 rather than
 * keeping its last value.
 */
export function observeQueueDepth(metrics: Metrics, opts: { queues: readonly string[]; query: (sql: string) => Promise<{ name: string; state: string; count: number | string | bigint }[]> }): void {
  metrics.onScrape(async () => {
    const rows = await opts.query(`SELECT name, state::text AS state, count(*) AS count FROM pgboss.job WHERE state IN ('created', 'retry', 'active', 'failed') GROUP BY name, state`);
    const known = new Set(opts.queues);
    for (const queue of opts.queues) for (const state of QUEUE_STATES) metrics.queueJobs.set({ queue, state }, 0);
    for (const row of rows) if (known.has(row.name)) metrics.queueJobs.set({ queue: row.name, state: row.state }, Number(row.count));
  });
}

/**
 * Outcome reasons are free text with ids, counts and X's words in them; the label is one of a closed
 * set read from their fixed beginnings (send-message.ts writes them), so the series stay bounded.
 */
const REASON_LABELS: [RegExp, string][] = [
  [/^no such outbound message/, "no_message"],
  [/^already /, "already_settled"],
  [/^claimed by another worker/, "claimed_elsewhere"],
  [/^campaign cancelled/, "campaign_cancelled"],
  [/^campaign ended/, "campaign_ended"],
  [/^campaign paused/, "campaign_paused"],
  [/^contact opted out/, "opted_out"],
  [/^no consent/, "no_consent"],
  [/^account is not connected/, "account_not_connected"],
  [/\(403\)$/, "x_forbidden"],
  [/\(401\)$/, "x_unauthorized"],
  [/^X refused the message/, "x_refused"],
  [/^gave up after/, "retries_exhausted"],
  [/^another worker holds the send/, "lease_held"],
  [/^X rate limit: account paused/, "account_paused"],
  [/^X rate limit \(429\)/, "x_rate_limited"],
  [/^X rate limit: account's posts paused/, "account_posts_paused"],
  [/^X rate limit on posts \(429\)/, "x_post_rate_limited"],
  [/^send window full/, "send_window"],
  [/^transient X failure/, "transient_retry"],
];

export function dmOutcomeReason(outcome: SendOutcome): string {
  if (outcome.status === "sent") return outcome.reconciled ? "reconciled" : "accepted";
  for (const [pattern, label] of REASON_LABELS) if (pattern.test(outcome.reason)) return label;
  return "other";
}

/** The windows reserveSendSlot names (send-windows.ts) → their labels; anything else is `other`. */
const WINDOWS = new Map([
  ["account 15 minutes", "account_15m"],
  ["account 24 hours", "account_24h"],
  ["campaign messages per account, 24 hours", "campaign_account_24h"],
  ["app 24 hours", "app_24h"],
  ["merchant's fair share of the app 24 hours", "merchant_fair_share_24h"],
  ["posts per account, 15 minutes", "posts_account_15m"],
  ["posts per account, 24 hours", "posts_account_24h"],
  ["posts per app, 24 hours", "posts_app_24h"],
]);

/**
 * Counts the outcomes of one pass of the send pipeline: the one place every DM's fate is decided
 * (sendMessages, which the worker's message.send and the API's immediate reply both run).
 */
export function countSendOutcomes(metrics: Metrics, results: Iterable<SendOutcome | Error>, now: Date): void {
  for (const outcome of results) {
    if (outcome instanceof Error) {
      metrics.dmOutcomes.inc({ status: "error", reason: "exception" });
      continue;
    }
    const reason = dmOutcomeReason(outcome);
    metrics.dmOutcomes.inc({ status: outcome.status, reason });
    if (outcome.status === "deferred" && reason === "send_window") {
      const named = /^send window full \((.+)\)$/.exec(outcome.reason)?.[1] ?? "";
      const window = WINDOWS.get(named) ?? "other";
      metrics.sendWindowWaits.inc({ window });
      metrics.sendWindowWaitSeconds.observe({ window }, Math.max(0, (outcome.until.getTime() - now.getTime()) / 1000));
    }
  }
}

/** X's webhook event kinds we know (split-webhook-delivery.ts); anything else counts as `other`. */
const WEBHOOK_KINDS = new Set(["direct_message", "direct_message_read", "direct_message_indicate_typing", "follow", "unfollow", "tweet_create", "favorite", "user_event.revoke", "unknown"]);

export function webhookKindLabel(kind: string): string {
  return WEBHOOK_KINDS.has(kind) ? kind : "other";
}

/**
 * `Authorization: Bearer <token>` against the configured token, in constant time (both sides are
 * hashed first, so neither the length nor a prefix leaks).
 */
export function metricsAuthorized(header: string | undefined, token: string): boolean {
  const match = /^Bearer[ ]+(.+)$/i.exec(header ?? "");
  if (!match?.[1]) return false;
  const digest = (s: string) => createHash("sha256").update(s).digest();
  return timingSafeEqual(digest(match[1].trim()), digest(token));
}
