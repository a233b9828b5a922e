// The API process's live event bus: one LISTEN connection (reconnecting) to mktx_events, and on
// each NOTIFY the new rows of live_events read in id order and fanned out to this process's
// subscribers (SSE streams, tRPC subscriptions) of the row's merchant. Every API instance runs one,
// so an event written anywhere (worker, another instance) reaches every connected client.
//
// Ids are taken before commit, so transactions can commit out of id order: a reader that passed
// id 6 while id 5 was still in flight would never see 5. The bus therefore delivers only a
// contiguous run of ids. At a gap it takes a fresh xid N (pg_current_xact_id() in a statement of
// its own): the transaction holding the missing id took its xid before that id (recordEvents makes
// sure of it), and the id before the gap was seen, so its xid is below N. Once a snapshot's xmin
// reaches N every such transaction has ended: committed (its row is then visible and fills the gap)
// or rolled back (the gap is final and is passed). Meanwhile the holder's own NOTIFY at commit, or
// a short timer, reads again. (A snapshot's xmax would not do: it is latestCompletedXid + 1, and a
// running transaction can hold an xid at or above it.)
import pg from "pg";
import { LIVE_EVENTS_CHANNEL } from "@mkt-x/core/server";
import type { LiveEventType } from "@mkt-x/core";

/** One event as read once and shared by every subscriber (serialised once, not per client). */
export interface BusEvent {
  id: bigint;
  merchantId: string;
  type: LiveEventType;
  /** the LiveEvent JSON `{ id, type, at, data }` */
  json: string;
  /** the SSE frame: id, event and data lines */
  frame: string;
}

export interface SubscriptionOptions {
  merchantId: string;
  /** null: every type */
  types: readonly LiveEventType[] | null;
  /** resume after this id (events of the last REPLAY window only) */
  lastEventId: bigint | null;
  /** hands one event to the client; false when the client cannot take more (it is dropped) */
  deliver: (event: BusEvent) => boolean;
  /** called once when the bus lets go of the subscription: the client was too slow, or the bus is closing */
  onDrop: (reason: "slow" | "closing") => void;
  /** waited on between replay pages, so a resume flows at the client's pace */
  drained?: () => Promise<void> | undefined;
}

export interface Subscription {
  /** resolves once the replay (if any) has been handed over and live events flow */
  ready: Promise<void>;
  close(): void;
}

export interface LiveEventBus {
  start(): Promise<void>;
  subscribe(opts: SubscriptionOptions): Subscription;
  /** number of open subscriptions in this process */
  readonly size: number;
  /** deletes what no one needs any more (also run on a timer) */
  sweep(): Promise<number>;
  close(): Promise<void>;
}

export interface LiveEventBusOptions {
  databaseUrl: string;
  log?: { warn: (o: object, msg: string) => void; error: (o: object, msg: string) => void };
  /** how often a gap is looked at again */
  gapRecheckMs?: number;
  /** retention sweep period (default one minute); 0 disables the timer */
  sweepIntervalMs?: number;
  /** events buffered for one subscription while its replay runs (beyond: dropped) */
  maxPendingPerSubscription?: number;
}

/** Resume covers this window. */
export const REPLAY_MINUTES = 10;
/** Rows older than this, passed by every durable cursor (live_event_cursors), are deleted. */
export const RETENTION_MINUTES = 15;
const PAGE = 1000;

interface Row {
  id: string | null;
  merchant_id: string | null;
  type: string | null;
  data: string | null;
  at: Date | null;
  xmin: string;
}

interface Sub {
  merchantId: string;
  types: ReadonlySet<string> | null;
  /** events that arrived while the replay ran */
  pending: BusEvent[] | null;
  lastId: bigint;
  closed: boolean;
  opts: SubscriptionOptions;
}

const frameOf = (id: string, type: string, json: string) => `id: ${id}\nevent: ${type}\ndata: ${json}\n\n`;

function toBusEvent(r: { id: string; merchant_id: string; type: string; data: string; at: Date }): BusEvent {
  const json = `{"id":"${r.id}","type":${JSON.stringify(r.type)},"at":"${r.at.toISOString()}","data":${r.data}}`;
  return { id: BigInt(r.id), merchantId: r.merchant_id, type: r.type as LiveEventType, json, frame: frameOf(r.id, r.type, json) };
}

export function createLiveEventBus(opts: LiveEventBusOptions): LiveEventBus {
  const log = opts.log ?? { warn: () => {}, error: () => {} };
  const gapRecheckMs = opts.gapRecheckMs ?? 20;
  const maxPending = opts.maxPendingPerSubscription ?? 10_000;
  // reads (catch-up, replay, sweep) on a small pool; the LISTEN connection only listens
  const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: 3 });
  // the message only: a pg error carries its client (connection parameters, the cancel key)
  pool.on("error", (err) => log.warn({ err: err.message }, "live events pool error"));
  const subscribers = new Map<string, Set<Sub>>();
  let size = 0;
  let listener: pg.Client | null = null;
  let closed = false;
  let cursor = 0n;
  /** the gap just after `cursor`, with an xid taken after it was first seen */
  let gap: { after: bigint; xid: bigint } | null = null;
  let reading = false;
  let readAgain = false;
  let recheck: NodeJS.Timeout | null = null;
  let reconnect: NodeJS.Timeout | null = null;
  let sweeper: NodeJS.Timeout | null = null;

  function fanOut(event: BusEvent) {
    const subs = subscribers.get(event.merchantId);
    if (!subs) return;
    for (const sub of subs) hand(sub, event);
  }

  function hand(sub: Sub, event: BusEvent) {
    if (sub.closed || (sub.types && !sub.types.has(event.type))) return;
    if (sub.pending) {
      if (sub.pending.length >= maxPending) return drop(sub);
      sub.pending.push(event);
      return;
    }
    if (event.id <= sub.lastId) return;
    sub.lastId = event.id;
    if (!sub.opts.deliver(event)) drop(sub);
  }

  function drop(sub: Sub, reason: "slow" | "closing" = "slow") {
    if (sub.closed) return;
    remove(sub);
    sub.opts.onDrop(reason);
  }

  function remove(sub: Sub) {
    if (sub.closed) return;
    sub.closed = true;
    sub.pending = null;
    const subs = subscribers.get(sub.merchantId);
    if (subs?.delete(sub)) size--;
    if (subs?.size === 0) subscribers.delete(sub.merchantId);
  }

  /** Reads new rows until caught up or stopped at an open gap; one read at a time. */
  async function pump(): Promise<void> {
    if (closed) return;
    if (reading) {
      readAgain = true;
      return;
    }
    reading = true;
    try {
      do {
        readAgain = false;
        while (await readPage()) {
          /* a full page: there may be more */
        }
      } while (readAgain && !closed);
    } catch (err) {
      if (!closed) {
        // the message only: pg's error objects carry connection details
        log.warn({ err: err instanceof Error ? err.message : String(err) }, "live events read failed; retrying");
        scheduleRecheck(1000);
      }
    } finally {
      reading = false;
    }
  }

  /** One page; true when it was full (read again at once). */
  async function readPage(): Promise<boolean> {
    const { rows } = await pool.query<Row>(
      `SELECT e.id::text AS id, e.merchant_id, e.type, e.data::text AS data, e.at,
              pg_snapshot_xmin(s)::text AS xmin
       FROM pg_current_snapshot() AS s
       LEFT JOIN LATERAL (SELECT id, merchant_id, type, data, at FROM live_events WHERE id > $1 ORDER BY id LIMIT ${PAGE}) AS e ON true`,
      [cursor.toString()],
    );
    const first = rows[0];
    if (!first) return false;
    const xmin = BigInt(first.xmin);
    for (const r of rows) {
      if (r.id === null || r.merchant_id === null || r.type === null || r.data === null || r.at === null) return false;
      const id = BigInt(r.id);
      if (id !== cursor + 1n) {
        // a gap: final only once every transaction that could hold the missing id is over
        if (!gap || gap.after !== cursor) {
          const taken = await pool.query<{ xid: string }>("SELECT pg_current_xact_id()::text AS xid");
          gap = { after: cursor, xid: BigInt(taken.rows[0]?.xid ?? "0") };
          // read again at once: the holder may have committed meanwhile
          scheduleRecheck(0);
          return false;
        }
        if (xmin < gap.xid) {
          scheduleRecheck(gapRecheckMs);
          return false;
        }
      }
      gap = null;
      cursor = id;
      fanOut(toBusEvent({ id: r.id, merchant_id: r.merchant_id, type: r.type, data: r.data, at: r.at }));
    }
    return rows.length === PAGE;
  }

  function scheduleRecheck(ms: number) {
    if (recheck || closed) return;
    recheck = setTimeout(() => {
      recheck = null;
      void pump();
    }, ms);
    recheck.unref();
  }

  async function listen(): Promise<void> {
    const client = new pg.Client({ connectionString: opts.databaseUrl });
    client.on("notification", () => void pump());
    const lost = (err?: Error) => {
      if (listener !== client) return;
      listener = null;
      client.removeAllListeners("notification");
      void client.end().catch(() => {});
      if (closed) return;
      log.warn({ err: err?.message }, "live events LISTEN connection lost; reconnecting");
      reconnect = setTimeout(() => {
        reconnect = null;
        listen().catch((e: unknown) => lost(e instanceof Error ? e : new Error(String(e))));
      }, 1000);
      reconnect.unref();
    };
    client.on("error", lost);
    client.on("end", () => lost());
    listener = client;
    await client.connect();
    await client.query(`LISTEN ${LIVE_EVENTS_CHANNEL}`);
    // whatever committed while we were not listening
    void pump();
  }

  async function sweep(): Promise<number> {
    const res = await pool.query(
      `DELETE FROM live_events
       WHERE at < now() - make_interval(mins => ${RETENTION_MINUTES})
         AND id <= COALESCE((SELECT min(last_id) FROM live_event_cursors), 9223372036854775807)`,
    );
    return res.rowCount ?? 0;
  }

  async function replay(sub: Sub, after: bigint, upTo: bigint): Promise<void> {
    let from = after;
    while (!sub.closed && from < upTo) {
      const { rows } = await pool.query<{ id: string; merchant_id: string; type: string; data: string; at: Date }>(
        `SELECT id::text AS id, merchant_id, type, data::text AS data, at FROM live_events
         WHERE merchant_id = $1 AND id > $2 AND id <= $3 AND at > now() - make_interval(mins => ${REPLAY_MINUTES})
           AND ($4::text[] IS NULL OR type = ANY($4::text[]))
         ORDER BY live_events.id LIMIT ${PAGE}`,
        [sub.merchantId, from.toString(), upTo.toString(), sub.types ? [...sub.types] : null],
      );
      for (const r of rows) {
        if (sub.closed) return;
        const event = toBusEvent(r);
        sub.lastId = event.id;
        if (!sub.opts.deliver(event)) return drop(sub);
      }
      if (rows.length < PAGE) return;
      from = BigInt(rows[rows.length - 1]?.id ?? upTo.toString());
      await sub.opts.drained?.();
    }
  }

  return {
    get size() {
      return size;
    },
    async start() {
      // start where the committed past ends: rows of transactions still running come through the gap rule
      const { rows } = await pool.query<{ id: string }>(
        `SELECT COALESCE(max(id), 0)::text AS id FROM live_events WHERE tx_id < pg_snapshot_xmin(pg_current_snapshot())`,
      );
      cursor = BigInt(rows[0]?.id ?? "0");
      await listen();
      if (opts.sweepIntervalMs !== 0) {
        sweeper = setInterval(() => void sweep().catch((err: unknown) => log.warn({ err }, "live events sweep failed")), opts.sweepIntervalMs ?? 60_000);
        sweeper.unref();
      }
    },
    subscribe(o) {
      const sub: Sub = { merchantId: o.merchantId, types: o.types ? new Set(o.types) : null, pending: o.lastEventId !== null ? [] : null, lastId: o.lastEventId ?? 0n, closed: false, opts: o };
      let subs = subscribers.get(o.merchantId);
      if (!subs) subscribers.set(o.merchantId, (subs = new Set()));
      subs.add(sub);
      size++;
      // everything up to the cursor was fanned out before this subscription existed; after it, live
      const upTo = cursor;
      const ready =
        o.lastEventId === null
          ? Promise.resolve()
          : replay(sub, o.lastEventId, upTo).then(() => {
              const pending = sub.pending ?? [];
              sub.pending = null;
              for (const event of pending) hand(sub, event);
            });
      ready.catch(() => remove(sub));
      return { ready, close: () => remove(sub) };
    },
    sweep,
    async close() {
      closed = true;
      for (const t of [recheck, reconnect]) if (t) clearTimeout(t);
      if (sweeper) clearInterval(sweeper);
      const client = listener;
      listener = null;
      await client?.end().catch(() => {});
      // streams end (clients reconnect elsewhere and resume), so the server can close
      for (const subs of [...subscribers.values()]) for (const sub of [...subs]) drop(sub, "closing");
      await pool.end();
    },
  };
}
