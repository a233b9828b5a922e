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

export function pgRateLimitStore(db: Db) {
  return class PgRateLimitStore {
    incr(weighted: string, cb: Callback, timeWindow: number) {
      const { key, weight } = splitWeightedKey(weighted);
      const now = Date.now();
      const windowStart = new Date(Math.floor(now / timeWindow) * timeWindow);
      const expiresAt = new Date(windowStart.getTime() + timeWindow);
      db.$queryRaw<{ count: number }[]>`
        INSERT INTO api_rate_limits (key, window_start, count, expires_at)
        VALUES (${key}, ${windowStart}, ${weight}, ${expiresAt})
        ON CONFLICT (key, window_start) DO UPDATE SET count = api_rate_limits.count + ${weight}
        RETURNING count`
        .then((rows) => {
          cb(null, { current: rows[0]?.count ?? weight, ttl: expiresAt.getTime() - now });
          // old windows are garbage; sweep them now and then rather than on every request
          if (Math.random() < 0.01) void db.$executeRaw`DELETE FROM api_rate_limits WHERE expires_at < now() - interval '1 hour'`.catch(() => {});
        })
        .catch((e: Error) => cb(e));
    }

    child() {
      return this;
    }
  };
}
