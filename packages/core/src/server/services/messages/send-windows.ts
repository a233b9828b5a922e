// Send windows: how many DMs an account (and the whole app) may send in rolling windows, counted in
// PostgreSQL so every worker process sees the same numbers. A reservation takes an advisory lock per
// account (then one for the app), sums the buckets that overlap the window and, if every budget has
// room, counts the send. Buckets: minutes for the 15-minute window, hours for the 24-hour windows;
// a bucket that merely overlaps a window counts whole, so the limits err on the safe side.
// Inside each window the send's lane (domain/send-lanes.ts) sets how full it may fill it, and bulk
// sends (flows, campaigns) share the app's window fairly between merchants, so one merchant's
// campaign never delays another's replies or STOP confirmations.
import type { Db, Tx } from "@mkt-x/db";
import { BULK_LANES, fairShare, laneCeiling, type SendLane } from "../../../domain/send-lanes.ts";

export interface SendWindowLimits {
  /** X's per-user limit: DMs per account per 15 minutes */
  accountPer15m: number;
  /** DMs per account per 24 hours */
  accountPer24h: number;
  /** DMs per X app per 24 hours */
  appPer24h: number;
  /** campaign DMs per account per 24 hours (the seed's 10,000; the smallest binding budget wins) */
  accountCampaignPer24h: number;
  /** public replies (POST /2/tweets): X's post windows, counted apart from the DMs; absent: pay-per-use's */
  posts?: PostWindowLimits;
}

/** X's POST /2/tweets windows (config.ts X_TIER_POST_LIMITS); null: X publishes no such window for the tier. */
export interface PostWindowLimits {
  accountPer15m: number | null;
  accountPer24h: number | null;
  appPer24h: number | null;
}

export const DEFAULT_SEND_WINDOWS: SendWindowLimits = { accountPer15m: 200, accountPer24h: 500, appPer24h: 15_000, accountCampaignPer24h: 10_000 };
/** pay-per-use's post limits (the default tier): 100 per user per 15 minutes, 10,000 per app per 24 hours */
export const DEFAULT_POST_WINDOWS: PostWindowLimits = { accountPer15m: 100, accountPer24h: null, appPer24h: 10_000 };

export type Reservation = { ok: true } | { ok: false; retryAt: Date; window: string };

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

interface WindowSpec {
  name: string;
  key: string;
  limit: number;
  bucketMs: number;
  lengthMs: number;
}

const floorTo = (t: number, step: number) => Math.floor(t / step) * step;

async function usage(tx: Tx, w: WindowSpec, now: number): Promise<{ used: number; oldest: Date | null }> {
  const since = new Date(floorTo(now - w.lengthMs, w.bucketMs));
  const rows = await tx.$queryRaw<{ used: number | null; oldest: Date | null }[]>`
    SELECT sum(count)::int AS used, min(window_start) AS oldest FROM rate_counters
    WHERE key = ${w.key} AND window_start >= ${since}`;
  return { used: rows[0]?.used ?? 0, oldest: rows[0]?.oldest ?? null };
}

async function count(tx: Tx, w: WindowSpec, now: number): Promise<void> {
  const start = new Date(floorTo(now, w.bucketMs));
  const expires = new Date(start.getTime() + w.lengthMs + w.bucketMs);
  await tx.$executeRaw`
    INSERT INTO rate_counters (key, window_start, count, expires_at) VALUES (${w.key}, ${start}, 1, ${expires})
    ON CONFLICT (key, window_start) DO UPDATE SET count = rate_counters.count + 1`;
}

export interface ReserveOptions {
  accountId: string;
  merchantId: string;
  /** who is waiting for this DM (laneOf(origin)) */
  lane: SendLane;
  limits: SendWindowLimits;
  now?: Date;
}

const MERCHANT_BULK_PREFIX = "dm:app:bulk:";

/** The refusal's `window` when X answered 429 for the account and its reset has not come yet. */
export const X_PAUSED = "X rate limit: account paused until X's reset";

export async function reserveSendSlot(db: Db, opts: ReserveOptions): Promise<Reservation> {
  const now = (opts.now ?? new Date()).getTime();
  const { lane, limits } = opts;
  const bulk = BULK_LANES.has(lane);
  const account: WindowSpec[] = [
    { name: "account 15 minutes", key: `dm:acct:${opts.accountId}:m`, limit: limits.accountPer15m, bucketMs: MINUTE, lengthMs: 15 * MINUTE },
    { name: "account 24 hours", key: `dm:acct:${opts.accountId}:h`, limit: limits.accountPer24h, bucketMs: HOUR, lengthMs: 24 * HOUR },
  ];
  // the seed's campaign budget is the campaigns' own: no lane keeps part of it free
  const campaign: WindowSpec[] = lane === "campaign" ? [{ name: "campaign messages per account, 24 hours", key: `dm:acct:${opts.accountId}:campaign:h`, limit: limits.accountCampaignPer24h, bucketMs: HOUR, lengthMs: 24 * HOUR }] : [];
  const app: WindowSpec = { name: "app 24 hours", key: "dm:app:h", limit: limits.appPer24h, bucketMs: HOUR, lengthMs: 24 * HOUR };
  const merchantBulk: WindowSpec = { name: "merchant's fair share of the app 24 hours", key: `${MERCHANT_BULK_PREFIX}${opts.merchantId}:h`, limit: limits.appPer24h, bucketMs: HOUR, lengthMs: 24 * HOUR };
  const refuse = (w: WindowSpec, oldest: Date | null) =>
    // room again once the oldest counted bucket has left the window
    ({ ok: false as const, retryAt: new Date((oldest?.getTime() ?? now) + w.lengthMs + w.bucketMs), window: w.name });

  return db.$transaction(async (tx) => {
    // account lock first, app lock second: one order everywhere, so no deadlocks
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`dm-window:${opts.accountId}`}))`;
    // X answered 429 (send_paused_until) while this send waited for the locks, after its precheck:
    // it must not go before X's reset either (a busy app queues many sends here)
    const [paused] = await tx.$queryRaw<{ until: Date | null }[]>`SELECT send_paused_until AS until FROM x_accounts WHERE id = ${opts.accountId}::uuid`;
    if (paused?.until && paused.until.getTime() > now) return { ok: false as const, retryAt: paused.until, window: X_PAUSED };
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('dm-window:app'))`;
    for (const w of [...account, app]) {
      const { used, oldest } = await usage(tx, w, now);
      if (used >= laneCeiling(lane, w.limit)) return refuse(w, oldest);
    }
    for (const w of campaign) {
      const { used, oldest } = await usage(tx, w, now);
      if (used >= w.limit) return refuse(w, oldest);
    }
    if (bulk) {
      const { used, oldest } = await usage(tx, merchantBulk, now);
      const ceiling = laneCeiling(lane, limits.appPer24h);
      // the others sending in bulk are counted only once this merchant holds more than a share of two
      if (used >= fairShare(ceiling, 2) && used >= fairShare(ceiling, await bulkMerchants(tx, merchantBulk, now))) return refuse(merchantBulk, oldest);
    }
    for (const w of [...account, ...campaign, app, ...(bulk ? [merchantBulk] : [])]) await count(tx, w, now);
    return { ok: true as const };
  });
}

function postWindows(accountId: string, limits: PostWindowLimits): WindowSpec[] {
  const specs: (WindowSpec | null)[] = [
    limits.accountPer15m === null ? null : { name: "posts per account, 15 minutes", key: `post:acct:${accountId}:m`, limit: limits.accountPer15m, bucketMs: MINUTE, lengthMs: 15 * MINUTE },
    limits.accountPer24h === null ? null : { name: "posts per account, 24 hours", key: `post:acct:${accountId}:h`, limit: limits.accountPer24h, bucketMs: HOUR, lengthMs: 24 * HOUR },
    limits.appPer24h === null ? null : { name: "posts per app, 24 hours", key: "post:app:h", limit: limits.appPer24h, bucketMs: HOUR, lengthMs: 24 * HOUR },
  ];
  return specs.filter((w): w is WindowSpec => w !== null);
}

/**
 * A public reply's slot in X's post windows (POST /2/tweets): its own counters, so DMs and posts
 * never hold each other up. No lanes here: every public reply is a person's or a flow's answer.
 */
export async function reservePostSlot(db: Db, opts: { accountId: string; limits: PostWindowLimits; now?: Date }): Promise<Reservation> {
  const now = (opts.now ?? new Date()).getTime();
  return db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`post-window:${opts.accountId}`}))`;
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('post-window:app'))`;
    const room = await postWindowRoom(tx, { ...opts, now: new Date(now) });
    if (room.ok) for (const w of postWindows(opts.accountId, opts.limits)) await count(tx, w, now);
    return room;
  });
}

/** Whether X's post windows have room for one more public reply now, without taking it. */
export async function postWindowRoom(tx: Tx, opts: { accountId: string; limits: PostWindowLimits; now?: Date }): Promise<Reservation> {
  const now = (opts.now ?? new Date()).getTime();
  for (const w of postWindows(opts.accountId, opts.limits)) {
    const { used, oldest } = await usage(tx, w, now);
    if (used >= w.limit) return { ok: false, retryAt: new Date((oldest?.getTime() ?? now) + w.lengthMs + w.bucketMs), window: w.name };
  }
  return { ok: true };
}

/** The merchants that sent in bulk in the app's window, the asking one included. */
async function bulkMerchants(tx: Tx, own: WindowSpec, now: number): Promise<number> {
  const since = new Date(floorTo(now - own.lengthMs, own.bucketMs));
  const rows = await tx.$queryRaw<{ n: number }[]>`
    SELECT count(DISTINCT key)::int AS n FROM rate_counters
    WHERE key LIKE ${`${MERCHANT_BULK_PREFIX}%`} AND key <> ${own.key} AND window_start >= ${since}`;
  return (rows[0]?.n ?? 0) + 1;
}

/** Old buckets are garbage once every window that could count them has passed. */
export async function sweepSendCounters(db: Db, now = new Date()): Promise<number> {
  return db.$executeRaw`DELETE FROM rate_counters WHERE expires_at < ${now}`;
}
