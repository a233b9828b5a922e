// The send pipeline for one outbound DM: every sender ends here. It checks consent for automated
// DMs, the account's state and send windows, takes a lease on the message, asks X first when an
// earlier attempt may already have reached it, calls X and records the outcome. It never sends a
// message twice: a crash after X accepted is resolved by finding the DM in X's list, not by resending.
import type { Db, Tx } from "@mkt-x/db";
import { emitMessageEvents } from "../../events/emit-events.ts";
import { recordEvent } from "../../events/record-event.ts";
import { toMessageDto } from "./message-dto.ts";
import { XApiError, type XClient, type XCredentials, type XRateLimit } from "../../../ports/x-client.ts";
import type { TokenCipher } from "../../token-cipher.ts";
import type { JobQueue } from "../../jobs/queue.ts";
import { DEFAULT_POST_WINDOWS, reservePostSlot, reserveSendSlot, X_PAUSED, type SendWindowLimits } from "./send-windows.ts";
import { markSent } from "./mark-sent.ts";
import { LANE_PRIORITY, laneOf } from "../../../domain/send-lanes.ts";
import { revokeAccount } from "../accounts/revocation.ts";
import { accountTokenPlaces } from "../accounts/deps.ts";
import type { TargetPolicy } from "../outgoing-webhooks/target-policy.ts";
import { ensureXMedia } from "../media/ensure-x-media.ts";
import { MediaRefused } from "../media/fetch-media.ts";
import { MEDIA_TYPES, type MediaType } from "../../../contract/messages.ts";
import { countSendOutcomes, type Metrics } from "../../metrics/metrics.ts";
import { CAMPAIGN_RECIPIENT_STEPS, MESSAGE_STEPS } from "../../../domain/state-transitions.ts";

export interface SendPipelineDeps {
  db: Db;
  x: XClient;
  cipher: TokenCipher;
  queue: JobQueue;
  /** null: windows off (benchmarks, or an operator who trusts X's 429s alone) */
  windows: SendWindowLimits | null;
  now?: () => Date;
  /** attempts before a transiently failing message is failed for good */
  maxAttempts?: number;
  /** first retry delay after a transient failure; doubles per attempt, capped at three minutes */
  retryBaseMs?: number;
  /**
   * how long one worker owns a send without renewing it: renewed every third of it while the send
   * runs, so a worker that dies mid-send frees its messages this soon (then they are reconciled with X)
   */
  leaseMs?: number;
  /** where attachment URLs may be fetched from: the outgoing-webhook rule (default: public addresses only) */
  mediaPolicy?: TargetPolicy;
  /** Prometheus: each outcome is counted here, the one place every DM's fate is decided */
  metrics?: Metrics;
  /** test hook: runs after X accepted the DM and before it is recorded (simulates a crash there) */
  afterXAccepted?: (messageId: string) => Promise<void>;
}

export type SendOutcome =
  | { status: "sent"; twitterMessageId: string; reconciled: boolean }
  | { status: "failed"; reason: string }
  | { status: "deferred"; until: Date; reason: string }
  | { status: "skipped"; reason: string };

const DEFAULT_MAX_ATTEMPTS = 8;
const DEFAULT_LEASE_MS = 15_000;
/** Exponential backoff from about one second, capped at three minutes. */
export const backoffMs = (attempt: number, baseMs = 1000) => Math.min(baseMs * 2 ** Math.max(0, attempt - 1), 180_000) + Math.floor(Math.random() * baseMs * 0.25);

/** What one send needs, read in one round trip (this is the hot path of every campaign). */
interface SendRow {
  id: string;
  merchant_id: string;
  origin: string;
  attachments: unknown;
  direction: string;
  status: string;
  content: string;
  automated: boolean;
  attempts: number;
  lease_until: Date | null;
  sending_started_at: Date | null;
  account_id: string;
  account_status: string;
  account_x_id: string;
  access_token_enc: string | null;
  access_secret_enc: string | null;
  require_consent: boolean;
  send_paused_until: Date | null;
  /** X's post windows (POST /2/tweets): a public reply waits for this, a DM does not */
  post_paused_until: Date | null;
  contact_x_id: string;
  opted_out: boolean;
  consent_at: Date | null;
  campaign_id: string | null;
  campaign_status: string | null;
  campaign_end_at: Date | null;
  /** direct_message | mention: a mention conversation's messages are public replies (POST /2/tweets) */
  channel: string;
  /** mention: the post the reply answers (the thread's latest; for an automated reply, its person's latest) */
  reply_to_post_id: string | null;
}

/** One message through the pipeline (the batch form is what the worker runs). */
export async function sendMessage(deps: SendPipelineDeps, messageId: string): Promise<SendOutcome> {
  const result = (await sendMessages(deps, [messageId])).get(messageId);
  if (result instanceof Error) throw result;
  return result ?? { status: "skipped", reason: "no such outbound message" };
}

/** An accepted DM not yet recorded, or an outcome already settled. */
type Attempted = { accepted: string; reconciled: boolean } | { outcome: SendOutcome };

/**
 * A batch of messages through the pipeline: one read, one claim and one record for the whole batch
 * (the X calls run side by side). Each message's outcome, or the error that stopped it, comes back
 * on its own so one failure retries one job.
 */
export async function sendMessages(deps: SendPipelineDeps, messageIds: string[]): Promise<Map<string, SendOutcome | Error>> {
  const now = deps.now?.() ?? new Date();
  const results = await runPipeline(deps, messageIds, now);
  if (deps.metrics) countSendOutcomes(deps.metrics, results.values(), now);
  return results;
}

async function runPipeline(deps: SendPipelineDeps, messageIds: string[], now: Date): Promise<Map<string, SendOutcome | Error>> {
  const results = new Map<string, SendOutcome | Error>();
  const rows = await deps.db.$queryRaw<SendRow[]>`
    SELECT m.id, m.merchant_id, m.origin, m.attachments, m.direction, m.status, m.content, m.automated, m.attempts, m.lease_until, m.sending_started_at,
           a.id AS account_id, a.status::text AS account_status, a.twitter_user_id AS account_x_id, a.access_token_enc, a.access_secret_enc,
           a.require_consent, a.send_paused_until, a.post_paused_until, c.twitter_user_id AS contact_x_id, c.opted_out, c.consent_at,
           m.campaign_id, k.status AS campaign_status, k.end_at AS campaign_end_at, v.channel,
           CASE WHEN v.channel = 'mention' THEN (
             SELECT p.twitter_message_id FROM messages p
             WHERE p.conversation_id = m.conversation_id AND p.direction = 'inbound' AND p.twitter_message_id IS NOT NULL
             -- an agent answers the thread's latest post; an automated reply (a flow's) the latest of the person it is for
             ORDER BY (m.automated AND p.contact_id <> m.contact_id), p.created_at DESC, p.id DESC LIMIT 1) END AS reply_to_post_id
    FROM messages m JOIN x_accounts a ON a.id = m.account_id JOIN contacts c ON c.id = m.contact_id
    JOIN conversations v ON v.id = m.conversation_id
    LEFT JOIN campaigns k ON k.id = m.campaign_id
    WHERE m.id = ANY(${messageIds}::uuid[])`;
  const byId = new Map(rows.map((r) => [r.id, r]));

  const eligible: SendRow[] = [];
  await Promise.all(
    messageIds.map(async (id) => {
      const row = byId.get(id);
      const outcome = await precheck(deps, row, now).catch((e: unknown) => (e instanceof Error ? e : new Error(String(e))));
      if (outcome === null && row) eligible.push(row);
      else if (outcome !== null) results.set(id, outcome);
    }),
  );
  if (eligible.length === 0) return results;

  // Take the lease on all of them at once (only those nobody took since we read them).
  const leaseUntil = new Date(now.getTime() + (deps.leaseMs ?? DEFAULT_LEASE_MS));
  const claimedRows = await deps.db.$queryRaw<{ id: string }[]>`
    UPDATE messages SET status = 'sending', lease_until = ${leaseUntil}, attempts = attempts + 1, updated_at = now(),
      sending_started_at = CASE WHEN status = 'sending' AND sending_started_at IS NOT NULL THEN sending_started_at ELSE ${now} END
    WHERE id = ANY(${eligible.map((m) => m.id)}::uuid[]) AND status = ANY(${[...MESSAGE_STEPS.claim.from]}::text[]) AND (lease_until IS NULL OR lease_until <= ${now})
    RETURNING id`;
  const claimed = new Set(claimedRows.map((r) => r.id));

  const accepted: { id: string; twitterMessageId: string; reconciled: boolean }[] = [];
  const uploads = new Map<string, Promise<string>>();
  const renewal = renewLeases(deps, claimed);
  try {
    await Promise.all(
      eligible.map(async (message) => {
        if (!claimed.has(message.id)) return void results.set(message.id, { status: "skipped", reason: "claimed by another worker" });
        try {
          const r = await attempt(deps, message, now, uploads);
          if ("outcome" in r) return void results.set(message.id, r.outcome);
          if (!r.reconciled) await deps.afterXAccepted?.(message.id);
          accepted.push({ id: message.id, twitterMessageId: r.accepted, reconciled: r.reconciled });
        } catch (e) {
          results.set(message.id, e instanceof Error ? e : new Error(String(e)));
        }
      }),
    );
    for (const [id, outcome] of await recordSent(deps, accepted)) results.set(id, outcome);
  } finally {
    renewal.stop();
  }
  return results;
}

/**
 * Keeps the lease on a batch's claimed messages while its sends run (a slow X, a large upload), so
 * the lease can be short: when the worker dies the renewals stop and another worker may settle the
 * messages once the lease lapses. A message already settled (sent, failed, deferred: lease cleared)
 * is left alone; a renewal that fails is simply tried again at the next tick.
 */
function renewLeases(deps: SendPipelineDeps, ids: Set<string>): { stop: () => void } {
  if (ids.size === 0) return { stop: () => {} };
  const leaseMs = deps.leaseMs ?? DEFAULT_LEASE_MS;
  const timer = setInterval(() => {
    const until = new Date((deps.now?.() ?? new Date()).getTime() + leaseMs);
    deps.db.$executeRaw`
      UPDATE messages SET lease_until = ${until}
      WHERE id = ANY(${[...ids]}::uuid[]) AND status = 'sending' AND lease_until IS NOT NULL AND lease_until < ${until}`.catch(() => {});
  }, Math.max(100, Math.floor(leaseMs / 3)));
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

/** null when the message may be sent now; otherwise what became of it. */
async function precheck(deps: SendPipelineDeps, message: SendRow | undefined, now: Date): Promise<SendOutcome | null> {
  if (!message || message.direction !== "outbound") return { status: "skipped", reason: "no such outbound message" };
  if (message.status === "sent" || message.status === "failed") return { status: "skipped", reason: `already ${message.status}` };
  if (message.lease_until && message.lease_until > now) {
    // someone holds the send (or held it and crashed): look again when the lease runs out
    await deps.queue.send("message.send", { messageId: message.id }, { startAfter: new Date(message.lease_until.getTime() + 100), priority: LANE_PRIORITY[laneOf(message.origin)] });
    return { status: "deferred", until: message.lease_until, reason: "another worker holds the send" };
  }
  // (a message already mid-send goes on: it may have reached X and must be settled, not dropped)
  if (message.campaign_id && message.status === "queued") {
    if (message.campaign_status !== "running") return withdraw(deps, message, message.campaign_status === "paused" ? null : "cancelled");
    if (message.campaign_end_at && message.campaign_end_at <= now) return withdraw(deps, message, "ended");
  }
  if (message.automated && message.opted_out) return fail(deps, message, "contact opted out");
  // consent is about DMs: a public reply answers a person who wrote to the account in public
  if (message.automated && message.require_consent && !message.consent_at && message.channel !== "mention") return fail(deps, message, "no consent: the contact never wrote to the account");
  if (message.account_status !== "active" || !message.access_token_enc || !message.access_secret_enc) return fail(deps, message, "account is not connected");
  // DMs and posts are X's separate windows: a 429 on one never holds the other
  const paused = message.channel === "mention" ? message.post_paused_until : message.send_paused_until;
  if (paused && paused > now) return defer(deps, message, paused, message.channel === "mention" ? "X rate limit: account's posts paused" : "X rate limit: account paused", { notSent: message.status !== "sending" });
  return null;
}

/** One claimed message: ask X first if an earlier attempt may have reached it, then send. */
async function attempt(deps: SendPipelineDeps, message: SendRow, now: Date, uploads: Map<string, Promise<string>>): Promise<Attempted> {
  const places = accountTokenPlaces(message.account_id);
  const creds: XCredentials = { accessToken: deps.cipher.decrypt(message.access_token_enc ?? "", places.accessToken), accessSecret: deps.cipher.decrypt(message.access_secret_enc ?? "", places.accessSecret) };
  // An earlier attempt started and never recorded its outcome: it may have reached X.
  const startedBefore = message.status === "sending" ? message.sending_started_at : null;
  const attemptNo = message.attempts + 1;

  if (startedBefore && message.channel === "mention") {
    // X lists no posts to look in here; the reply's own echo (tweet_create) settles it if it went out
    return { outcome: await fail(deps, message, "an earlier attempt to post this public reply may have reached X; not posted again (check the thread)") };
  }
  if (startedBefore) {
    try {
      const found = await findDelivered(deps, creds, { accountId: message.account_id, accountUserId: message.account_x_id }, message.contact_x_id, message.content, startedBefore);
      if (found) return { accepted: found, reconciled: true };
    } catch (e) {
      // without an answer from X we cannot know: try again later rather than risk a second copy
      return { outcome: await retryLater(deps, message, attemptNo, e) };
    }
  }

  if (deps.windows) {
    // a public reply is a post (X's POST /2/tweets windows), never counted against the DM windows
    const slot =
      message.channel === "mention"
        ? await reservePostSlot(deps.db, { accountId: message.account_id, limits: deps.windows.posts ?? DEFAULT_POST_WINDOWS, now })
        : await reserveSendSlot(deps.db, { accountId: message.account_id, merchantId: message.merchant_id, lane: laneOf(message.origin), limits: deps.windows, now });
    if (!slot.ok) return { outcome: await defer(deps, message, slot.retryAt, slot.window === X_PAUSED ? X_PAUSED : `send window full (${slot.window})`, { notSent: !startedBefore }) };
  }

  if (message.channel === "mention") return postPublicReply(deps, message, creds, now, attemptNo, startedBefore);
  const media = mediaOf(message.attachments);
  try {
    const mediaId = media ? await attachMedia(deps, message, creds, media, now, uploads) : undefined;
    const sent = await deps.x.sendDm(creds, message.contact_x_id, message.content, mediaId !== undefined ? { mediaId } : undefined);
    await heedRateLimits(deps, message.account_id, sent.rateLimits ?? [], now);
    return { accepted: sent.dmEventId, reconciled: false };
  } catch (e) {
    if (e instanceof MediaRefused) return { outcome: e.transient ? await retryLater(deps, message, attemptNo, e) : await fail(deps, message, e.message) };
    if (!(e instanceof XApiError)) return { outcome: await retryLater(deps, message, attemptNo, e) };
    switch (e.kind) {
      case "rate_limited": {
        const until = e.resetAt && e.resetAt > now ? e.resetAt : new Date(now.getTime() + 15 * 60_000);
        await deps.db.$executeRaw`UPDATE x_accounts SET send_paused_until = GREATEST(COALESCE(send_paused_until, ${until}), ${until}) WHERE id = ${message.account_id}::uuid`;
        return { outcome: await defer(deps, message, until, "X rate limit (429)", { notSent: !startedBefore }) };
      }
      case "forbidden":
        return { outcome: await fail(deps, message, "X refused: the recipient does not accept DMs from this account (403)") };
      case "invalid_credentials": {
        // X's 401: the authorization is gone. The account is revoked and its campaigns pause; a
        // campaign DM that X refused goes back to its pending recipient, so the resume sends it.
        await deps.db.$transaction((tx) => revokeAccount(tx, { accountId: message.account_id, reason: "X rejected the account's tokens (401); reconnect it", now }));
        const paused = message.campaign_id ? await deps.db.campaign.count({ where: { id: message.campaign_id, status: "paused" } }) : 0;
        if (paused > 0 && !startedBefore) {
          await deps.db.$executeRaw`UPDATE messages SET status = 'queued', lease_until = NULL, sending_started_at = NULL, updated_at = now() WHERE id = ${message.id}::uuid AND status = 'sending'`;
          return { outcome: await withdraw(deps, message, null) };
        }
        return { outcome: await fail(deps, message, "X rejected the account's credentials (401)") };
      }
      case "bad_request":
      case "not_found":
        return { outcome: await fail(deps, message, `X refused the message: ${e.message}`) };
      case "transient":
        return { outcome: await retryLater(deps, message, attemptNo, e) };
    }
  }
}

/**
 * A message of a mention conversation: posted in public as a reply to the customer's latest post
 * in the thread (POST /2/tweets with reply.in_reply_to_tweet_id), never as a DM.
 */
async function postPublicReply(deps: SendPipelineDeps, message: SendRow, creds: XCredentials, now: Date, attemptNo: number, startedBefore: Date | null): Promise<Attempted> {
  if (!message.reply_to_post_id) return { outcome: await fail(deps, message, "no post of the customer in this thread to reply to") };
  try {
    const posted = await deps.x.postReply(creds, message.content, message.reply_to_post_id);
    await heedRateLimits(deps, message.account_id, posted.rateLimits ?? [], now, "posts");
    return { accepted: posted.postId, reconciled: false };
  } catch (e) {
    if (!(e instanceof XApiError)) return { outcome: await retryLater(deps, message, attemptNo, e) };
    switch (e.kind) {
      case "rate_limited": {
        // the account's posts wait for X's reset; its DMs go on
        const until = e.resetAt && e.resetAt > now ? e.resetAt : new Date(now.getTime() + 15 * 60_000);
        await deps.db.$executeRaw`UPDATE x_accounts SET post_paused_until = GREATEST(COALESCE(post_paused_until, ${until}), ${until}) WHERE id = ${message.account_id}::uuid`;
        return { outcome: await defer(deps, message, until, "X rate limit on posts (429)", { notSent: !startedBefore }) };
      }
      case "invalid_credentials":
        await deps.db.$transaction((tx) => revokeAccount(tx, { accountId: message.account_id, reason: "X rejected the account's tokens (401); reconnect it", now }));
        return { outcome: await fail(deps, message, "X rejected the account's credentials (401)") };
      case "forbidden":
        return { outcome: await fail(deps, message, "X refused the public reply: the thread does not take replies from this account (403)") };
      case "bad_request":
      case "not_found":
        return { outcome: await fail(deps, message, `X refused the public reply: ${e.message}`) };
      case "transient":
        return { outcome: await retryLater(deps, message, attemptNo, e) };
    }
  }
}

/** The one media item a message carries (X takes one per DM), if any. */
function mediaOf(attachments: unknown): { type: MediaType; url: string } | null {
  const first: unknown = Array.isArray(attachments) ? attachments[0] : undefined;
  if (typeof first !== "object" || first === null) return null;
  const type: unknown = Reflect.get(first, "type");
  const url: unknown = Reflect.get(first, "url");
  const isMediaType = (t: unknown): t is MediaType => (MEDIA_TYPES as readonly unknown[]).includes(t);
  return isMediaType(type) && typeof url === "string" ? { type, url } : null;
}

/**
 * The X media id for the message's attachment, uploaded as the sending account (or reused while X
 * keeps an earlier upload of the same URL), written onto the message so it shows `mediaId`.
 */
async function attachMedia(deps: SendPipelineDeps, message: SendRow, creds: XCredentials, media: { type: MediaType; url: string }, now: Date, uploads: Map<string, Promise<string>>): Promise<string> {
  const mediaId = await ensureXMedia({ db: deps.db, x: deps.x, creds, merchantId: message.merchant_id, accountId: message.account_id, attachment: media, policy: deps.mediaPolicy ?? { allowPrivate: false }, now, inFlight: uploads });
  await deps.db.$executeRaw`UPDATE messages SET attachments = jsonb_set(attachments, '{0,mediaId}', to_jsonb(${mediaId}::text)), updated_at = now() WHERE id = ${message.id}::uuid`;
  return mediaId;
}

/**
 * X's x-rate-limit-* headers on an accepted DM or post: when a window X reports has nothing left
 * (X's limit is lower than ours, or other clients of the account spend it too), the account sends
 * nothing more of that kind until X's reset, as after a 429 but without spending the 429. DMs and
 * posts are X's separate windows, paused apart.
 */
async function heedRateLimits(deps: SendPipelineDeps, accountId: string, limits: XRateLimit[], now: Date, kind: "dms" | "posts" = "dms"): Promise<void> {
  const exhausted = limits.filter((l) => l.remaining <= 0 && l.resetAt > now);
  if (exhausted.length === 0) return;
  const until = new Date(Math.max(...exhausted.map((l) => l.resetAt.getTime())));
  if (kind === "posts") await deps.db.$executeRaw`UPDATE x_accounts SET post_paused_until = GREATEST(COALESCE(post_paused_until, ${until}), ${until}) WHERE id = ${accountId}::uuid`;
  else await deps.db.$executeRaw`UPDATE x_accounts SET send_paused_until = GREATEST(COALESCE(send_paused_until, ${until}), ${until}) WHERE id = ${accountId}::uuid`;
}

/** The DM this message became, if X has it: our text, from the account, since the attempt began. */
async function findDelivered(deps: SendPipelineDeps, creds: XCredentials, account: { accountId: string; accountUserId: string }, participantId: string, text: string, since: Date): Promise<string | null> {
  const { accountId, accountUserId } = account;
  const events = await deps.x.listDmEvents(creds, participantId);
  const slackMs = 5 * 60_000; // clocks differ; X's timestamps are X's
  const candidates = events.filter((e) => e.senderId === accountUserId && e.text === text && e.createdAt.getTime() >= since.getTime() - slackMs);
  if (candidates.length === 0) return null;
  // the same words may have been sent as another message: never claim a DM that is already recorded
  const taken = new Set(
    (await deps.db.message.findMany({ where: { accountId, twitterMessageId: { in: candidates.map((e) => e.id) }, direction: "outbound", origin: { not: "x_app" } }, select: { twitterMessageId: true } })).map((m) => m.twitterMessageId),
  );
  return candidates.find((e) => !taken.has(e.id))?.id ?? null;
}

/** Records every accepted DM in one statement; one that collides is recorded on its own. */
async function recordSent(deps: SendPipelineDeps, accepted: { id: string; twitterMessageId: string; reconciled: boolean }[]): Promise<Map<string, SendOutcome | Error>> {
  const out = new Map<string, SendOutcome | Error>();
  if (accepted.length === 0) return out;
  const sentAt = deps.now?.() ?? new Date();
  // the batch's status, its recipients and its message.updated events commit together
  const sent = (a: (typeof accepted)[number]): SendOutcome => ({ status: "sent", twitterMessageId: a.twitterMessageId, reconciled: a.reconciled });
  try {
    await deps.db.$transaction((tx) => markSent(tx, accepted, sentAt));
    for (const a of accepted) out.set(a.id, sent(a));
    return out;
  } catch (e) {
    if (!isUniqueViolation(e)) throw e;
  }
  for (const a of accepted) {
    try {
      await deps.db.$transaction(async (tx) => {
        const collides = await tx.$queryRaw<{ id: string }[]>`
          SELECT id FROM messages WHERE twitter_message_id = ${a.twitterMessageId} AND account_id = (SELECT account_id FROM messages WHERE id = ${a.id}::uuid) AND id <> ${a.id}::uuid AND origin = 'x_app'`;
        if (collides.length > 0) {
          // The echo of this DM arrived first and was stored as a DM written in the X app: it is ours.
          // (that copy counted in its conversation: one message, counted once)
          await tx.$executeRaw`
            WITH gone AS (DELETE FROM messages WHERE twitter_message_id = ${a.twitterMessageId} AND account_id = (SELECT account_id FROM messages WHERE id = ${a.id}::uuid) AND id <> ${a.id}::uuid AND origin = 'x_app' RETURNING conversation_id)
            UPDATE conversations c SET message_count = GREATEST(c.message_count - 1, 0), updated_at = now() FROM gone WHERE c.id = gone.conversation_id`;
        }
        await markSent(tx, [a], sentAt);
      });
      out.set(a.id, sent(a));
    } catch (e) {
      out.set(a.id, e instanceof Error ? e : new Error(String(e)));
    }
  }
  return out;
}

const isUniqueViolation = (e: unknown) => e instanceof Error && /twitter_message_id|23505|Unique constraint/i.test(e.message);

async function fail(deps: SendPipelineDeps, message: { id: string }, reason: string): Promise<SendOutcome> {
  await deps.db.$transaction((tx) => markFailed(tx, message.id, reason));
  return { status: "failed", reason };
}

class WithdrawRace extends Error {}

/**
 * A campaign DM whose campaign stopped before it went out: paused → the recipient is pending again
 * (resume sends it), cancelled or ended → skipped. It never reached X, so the row goes.
 */
async function withdraw(deps: SendPipelineDeps, message: { id: string }, skipReason: string | null): Promise<SendOutcome> {
  const withdrawn = await deps.db.$transaction(async (tx) => {
    const recipients = skipReason
      ? await tx.$executeRaw`UPDATE campaign_recipients SET status = 'skipped', skip_reason = ${skipReason}, message_id = NULL WHERE message_id = ${message.id}::uuid`
      : await tx.$executeRaw`UPDATE campaign_recipients SET status = 'pending', message_id = NULL WHERE message_id = ${message.id}::uuid`;
    // what clients last saw of it, announced once it is gone (message.updated with the row's last state)
    const before = await tx.message.findUnique({ where: { id: message.id } });
    // the row goes, and with it its count in the conversation (the last message time falls back to
    // the latest message left; the CTE's delete is not visible to the subquery, hence the id filter)
    const deleted = await tx.$executeRaw`
      WITH gone AS (
        DELETE FROM messages WHERE id = ${message.id}::uuid AND status = 'queued' AND (lease_until IS NULL OR lease_until <= now())
        RETURNING conversation_id)
      UPDATE conversations c
      SET message_count = GREATEST(c.message_count - 1, 0),
          last_message_at = (SELECT max(m.created_at) FROM messages m WHERE m.conversation_id = c.id AND m.id <> ${message.id}::uuid),
          updated_at = now()
      FROM gone WHERE c.id = gone.conversation_id`;
    // claimed meanwhile by another worker: leave everything as it was
    if (deleted === 0) throw new WithdrawRace();
    if (before) await recordEvent(tx, { merchantId: before.merchantId, type: "message.updated", data: { ...toMessageDto(before), withdrawn: true } });
    return recipients;
  }).catch((e: unknown) => {
    if (e instanceof WithdrawRace) return null;
    throw e;
  });
  if (withdrawn === null) return { status: "skipped", reason: "claimed by another worker" };
  return { status: "skipped", reason: skipReason ? `campaign ${skipReason}` : "campaign paused" };
}

/** Back to the queue for later, with the job that will pick it up written in the same transaction. */
async function defer(deps: SendPipelineDeps, message: { id: string; origin: string }, until: Date, reason: string, opts: { error?: string; notSent?: boolean } = {}): Promise<SendOutcome> {
  await deps.db.$transaction(async (tx) => {
    // X surely has nothing (window full, 429): back to queued. After an unknown outcome the message
    // stays "sending", so the next attempt asks X before it sends again.
    const reset = opts.notSent ? { status: "queued", sendingStartedAt: null } : {};
    await tx.message.updateMany({ where: { id: message.id, status: { in: ["queued", "sending"] } }, data: { leaseUntil: null, ...reset, ...(opts.error !== undefined ? { error: opts.error } : {}) } });
    await deps.queue.send("message.send", { messageId: message.id }, { tx, startAfter: until, priority: LANE_PRIORITY[laneOf(message.origin)] });
  });
  return { status: "deferred", until, reason };
}

/**
 * The DM failed for good, and with it its campaign recipient. Only from where a failure may come:
 * a DM that X's echo has meanwhile recorded as sent stays sent.
 */
async function markFailed(tx: Tx, messageId: string, reason: string): Promise<void> {
  const changed = await tx.$executeRaw`
    UPDATE messages SET status = 'failed', error = ${reason}, lease_until = NULL, updated_at = now()
    WHERE id = ${messageId}::uuid AND status = ANY(${[...MESSAGE_STEPS.fail.from]}::text[])`;
  if (changed === 0) return;
  await tx.$executeRaw`
    UPDATE campaign_recipients SET status = 'failed', error = ${reason}
    WHERE message_id = ${messageId}::uuid AND status = ANY(${[...CAMPAIGN_RECIPIENT_STEPS.fail.from]}::text[])`;
  await emitMessageEvents(tx, "message.updated", [messageId]);
}

async function retryLater(deps: SendPipelineDeps, message: { id: string; origin: string }, attempt: number, e: unknown): Promise<SendOutcome> {
  const reason = e instanceof Error ? e.message : String(e);
  if (attempt >= (deps.maxAttempts ?? DEFAULT_MAX_ATTEMPTS)) {
    await deps.db.$transaction(async (tx) => {
      await markFailed(tx, message.id, `gave up after ${attempt} attempts: ${reason}`);
      // visible to operators beside the other dead letters
      await deps.queue.deadLetter({ queue: "message.send", messageId: message.id, error: reason }, { tx });
    });
    return { status: "failed", reason: `gave up after ${attempt} attempts: ${reason}` };
  }
  const until = new Date((deps.now?.() ?? new Date()).getTime() + backoffMs(attempt, deps.retryBaseMs));
  return defer(deps, message, until, `transient X failure, attempt ${attempt}`, { error: reason });
}
