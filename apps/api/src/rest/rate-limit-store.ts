// A @fastify/rate-limit store in PostgreSQL: fixed one-minute windows counted atomically, so the
// limit holds across every API process.
import type { Db } from "@mkt-x/db";

type Callback = (err: Error | null, res?: { current: number; ttl: number }) => void;

export function pgRateLimitStore(db: Db) {
  return class PgRateLimitStore {
    incr(key: string, cb: Callback, timeWindow: number) {
      const now = Date.now();
      const windowStart = new Date(Math.floor(now / timeWindow) * timeWindow);
      const expiresAt = new Date(windowStart.getTime() + timeWindow);
      db.$queryRaw<{ count: number }[]>`
        INSERT INTO api_rate_limits (key, window_start, count, expires_at)
        VALUES (${key}, ${windowStart}, 1, ${expiresAt})
        ON CONFLICT (key, window_start) DO UPDATE SET count = api_rate_limits.count + 1
        RETURNING count`
        .then((rows) => {
          cb(null, { current: rows[0]?.count ?? 1, ttl: expiresAt.getTime() - now });
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
