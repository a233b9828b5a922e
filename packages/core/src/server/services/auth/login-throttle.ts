// Sign-in lockout: 5 failures for one email within 15 minutes lock that email for 15 minutes.
// Failures are rows in PostgreSQL, so the lock holds across API instances; attempts answered 429
// are not counted (the lock ends 15 minutes after the failure that set it, however hard someone knocks).
import type { Tx } from "@mkt-x/db";

export const LOCKOUT_FAILURES = 5;
export const LOCKOUT_WINDOW_MS = 15 * 60_000;
export const LOCKOUT_MS = 15 * 60_000;

/**
 * Serialises the check-and-count of sign-in attempts for one email until the transaction ends, so
 * parallel guesses cannot slip past the count (each one reads the failures the previous one wrote).
 */
export async function lockEmailForAttempt(tx: Tx, email: string): Promise<void> {
  await tx.$queryRaw`SELECT 1 AS locked FROM (SELECT pg_advisory_xact_lock(hashtext(${`login:${email}`}))) AS l`;
}

/** When the email's lockout ends, or null when it is not locked. */
export async function lockedUntil(tx: Tx, email: string, now = new Date()): Promise<Date | null> {
  // a lock set by a failure within the last 15 minutes needs the 4 before it: half an hour of history
  const since = new Date(now.getTime() - LOCKOUT_WINDOW_MS - LOCKOUT_MS);
  const rows = await tx.loginFailure.findMany({ where: { email, failedAt: { gt: since } }, orderBy: { failedAt: "asc" }, select: { failedAt: true } });
  const times = rows.map((r) => r.failedAt.getTime());
  let until = 0;
  for (let i = LOCKOUT_FAILURES - 1; i < times.length; i++) {
    const last = times[i] ?? 0;
    const first = times[i - (LOCKOUT_FAILURES - 1)] ?? 0;
    if (last - first <= LOCKOUT_WINDOW_MS) until = Math.max(until, last + LOCKOUT_MS);
  }
  return until > now.getTime() ? new Date(until) : null;
}

export async function recordLoginFailure(tx: Tx, email: string): Promise<void> {
  await tx.loginFailure.create({ data: { email } });
  // the table only needs the last half hour; sweep now and then rather than on every failure
  if (Math.random() < 0.02) await tx.$executeRaw`DELETE FROM login_failures WHERE failed_at < now() - interval '1 day'`;
}

export async function clearLoginFailures(tx: Tx, email: string): Promise<void> {
  await tx.loginFailure.deleteMany({ where: { email } });
}
