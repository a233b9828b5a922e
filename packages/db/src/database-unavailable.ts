// Whether a thrown value means "PostgreSQL cannot be reached right now" (stopped, restarting, the
// connection cut, too many connections), as Prisma's pg adapter, node-postgres and pg-boss report
// it: callers answer 503 and retry, instead of treating it as a bug (500) or a bad request.

/** Socket errors: nothing listens, the connection was cut or timed out. */
const SOCKET_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "ENOTFOUND", "EPIPE", "EHOSTUNREACH", "ENETUNREACH"]);
/** Prisma's codes for an unreachable server, a connect timeout, a closed connection. */
const PRISMA_CODES = new Set(["P1001", "P1002", "P1008", "P1017"]);
/** The pg adapter's kinds for the same. */
const ADAPTER_KINDS = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout", "TooManyConnections"]);
/**
 * SQLSTATEs of a server going away or not taking sessions: class 08 (connection exception),
 * 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now, 53300 too_many_connections.
 */
const isUnavailableSqlState = (code: string) => code.startsWith("08") || code === "57P01" || code === "57P02" || code === "57P03" || code === "53300";
/** node-postgres's own messages for a connection that died or never came (they carry no code). */
const PG_MESSAGES = [/Connection terminated (unexpectedly|due to connection timeout)/, /connection error and is not queryable/, /timeout exceeded when trying to connect/, /Can't reach database server/];

const field = (value: object, key: string): unknown => Reflect.get(value, key);

export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (typeof error !== "object" || error === null || depth > 5) return false;
  const code = field(error, "code");
  if (typeof code === "string" && (SOCKET_CODES.has(code) || PRISMA_CODES.has(code) || (/^[0-9A-Z]{5}$/.test(code) && isUnavailableSqlState(code)))) return true;
  // Prisma's known request errors carry the adapter's classification in meta
  const meta = field(error, "meta");
  const adapterError = typeof meta === "object" && meta !== null ? field(meta, "driverAdapterError") : undefined;
  const cause = typeof adapterError === "object" && adapterError !== null ? field(adapterError, "cause") : undefined;
  if (typeof cause === "object" && cause !== null) {
    const kind = field(cause, "kind");
    if (typeof kind === "string" && ADAPTER_KINDS.has(kind)) return true;
    const originalCode = field(cause, "originalCode") ?? field(cause, "code");
    if (kind === "postgres" && typeof originalCode === "string" && isUnavailableSqlState(originalCode)) return true;
  }
  const message = field(error, "message");
  if (typeof message === "string" && PG_MESSAGES.some((m) => m.test(message))) return true;
  return isDatabaseUnavailable(field(error, "cause"), depth + 1);
}
