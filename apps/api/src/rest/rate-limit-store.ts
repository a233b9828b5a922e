// A @fastify/rate-limit store in PostgreSQL: fixed one-minute windows counted atomically, so the
// limit holds across every API process.
//
// One request may stand for several calls (a tRPC batch), and each counts like a REST call. The
// plugin's store interface has no room for a weight, so the key generator appends it to the key
// (`weightedKey`) and the store adds that many in one statement under the plain key.
import type { FastifyRequest } from "fastify";
import type { Db } from "@mkt-x/db";

type Callback = (err: Error | null, res?: { current: number; ttl: number }) => void;

const WEIGHT_SEPARATOR = "\u0000";

/** The key under which `weight` calls are counted: the plain key when there is one call. */
export function weightedKey(key: string, weight: number): string {
  return weight > 1 ? `${key}${WEIGHT_SEPARATOR}${weight}` : key;
}

function splitWeightedKey(weighted: string): { key: string; weight: number } {
  const at = weighted.lastIndexOf(WEIGHT_SEPARATOR);
  if (at < 0) return { key: weighted, weight: 1 };
  const weight = Number(weighted.slice(at + 1));
  return { key: weighted.slice(0, at), weight: Number.isSafeInteger(weight) && weight > 0 ? weight : 1 };
}

/** How many procedure calls a tRPC request carries: the comma-separated paths of a batch (?batch=1). */
export function trpcCallCount(req: Pick<FastifyRequest, "url">, prefix = "/trpc/"): number {
  if (!req.url.startsWith(prefix)) return 1;
  const queryAt = req.url.indexOf("?");
  const query = new URLSearchParams(queryAt < 0 ? "" : req.url.slice(queryAt + 1));
  if (query.get("batch") !== "1") return 1;
  const path = req.url.slice(prefix.length, queryAt < 0 ? undefined : queryAt);
  return Math.max(1, path.split(",").length);
}

/**
 * How many calls one API process may admit on its own count before it writes to PostgreSQL: a
 * twentieth of the limit, at most 50 (0 below a limit of 20: every call is written, exact).
 */
export const rateLimitSlack = (max: number) => Math.min(50, Math.floor(max / 20));

interface Window {
  /** the key as counted in PostgreSQL */
  key: string;
  start: number;
  /** the shared count PostgreSQL last answered for this window */
  shared: number;
  /** calls admitted here and not yet written */
  pending: number;
  /** calls being written now (not yet in `shared`) */
  inFlight: number;
  /** a write in flight: later calls wait for it rather than start another */
  flushing: Promise<void> | null;
}

/**
 * The store keeps, per key and window, the shared count PostgreSQL last answered plus the calls
 * admitted here since. A call is decided on that sum without a database round trip while fewer
 * than `slack` calls wait to be written; the call that reaches `slack` writes them all in one
 * `count = count + n` (and learns the other processes' calls), and a timer writes what is left every
 * `flushMs`. So with N API processes the calls admitted in a window are at most
 * limit + N × slack, and the database sees about one write per `slack` calls instead of one per call.
 */
export function pgRateLimitStore(db: Db, opts: { max: number; flushMs?: number }) {
  const slack = rateLimitSlack(opts.max);
  const windows = new Map<string, Window>();

  const write = (w: Window, timeWindow: number): Promise<void> => {
    const key = w.key;
    const n = w.pending;
    w.pending = 0;
    w.inFlight = n;
    const windowStart = new Date(w.start);
    const expiresAt = new Date(w.start + timeWindow);
    return db.$queryRaw<{ count: number }[]>`
        INSERT INTO api_rate_limits (key, window_start, count, expires_at)
        VALUES (${key}, ${windowStart}, ${n}, ${expiresAt})
        ON CONFLICT (key, window_start) DO UPDATE SET count = api_rate_limits.count + ${n}
        RETURNING count`.then(
      (rows) => {
        w.inFlight = 0;
        w.shared = Math.max(w.shared, rows[0]?.count ?? n);
        // old windows are garbage; sweep them now and then rather than on every write
        if (Math.random() < 0.01) void db.$executeRaw`DELETE FROM api_rate_limits WHERE expires_at < now() - interval '1 hour'`.catch(() => {});
      },
      (e: unknown) => {
        // not written: count them again with the next write
        w.inFlight = 0;
        w.pending += n;
        throw e;
      },
    );
  };

  const flush = (w: Window, timeWindow: number): Promise<void> => {
    if (!w.flushing) {
      w.flushing = write(w, timeWindow).finally(() => {
        w.flushing = null;
      });
    }
    return w.flushing;
  };

  let lastWindowMs = 60_000;
  // what is left unwritten reaches PostgreSQL within flushMs; finished windows are dropped
  const timer = setInterval(() => {
    const now = Date.now();
    for (const [id, w] of windows) {
      if (w.pending > 0) void flush(w, lastWindowMs).catch(() => {});
      else if (!w.flushing && w.start + lastWindowMs < now) windows.delete(id);
    }
  }, opts.flushMs ?? 1_000);
  timer.unref();

  return class PgRateLimitStore {
    incr(weighted: string, cb: Callback, timeWindow: number) {
      lastWindowMs = timeWindow;
      const { key, weight } = splitWeightedKey(weighted);
      const now = Date.now();
      const start = Math.floor(now / timeWindow) * timeWindow;
      const id = `${key}@${start}`;
      let w = windows.get(id);
      if (!w) {
        w = { key, start, shared: 0, pending: 0, inFlight: 0, flushing: null };
        windows.set(id, w);
      }
      const win = w;
      win.pending += weight;
      const count = () => win.shared + win.inFlight + win.pending;
      const answer = () => cb(null, { current: count(), ttl: start + timeWindow - Date.now() });
      // within the slack (unwritten calls of this process, in flight included), or over a limit
      // already known to be used up: decided here, written later
      if (win.shared >= opts.max || (win.pending + win.inFlight <= slack && count() <= opts.max)) return answer();
      // past it (or at the limit by our count): write now and decide on the shared count
      const wait = async () => {
        while (win.flushing) await win.flushing.catch(() => {});
        if (win.pending > 0) await flush(win, timeWindow);
      };
      wait().then(
        () => cb(null, { current: count(), ttl: start + timeWindow - Date.now() }),
        (e: unknown) => cb(e instanceof Error ? e : new Error(String(e))),
      );
    }

    child() {
      return this;
    }
  };
}
