// The send pipeline for one outbound DM: every sender ends here. It checks consent for automated
// DMs, the account's state and send windows, takes a lease on the message, asks X first when an
// earlier attempt may already have reached it, calls X and records the outcome. It never sends a
// message twice: a crash after X accepted is resolved by finding the DM in X's list, not by resending.
import type { Db, MessageModel } from "@mkt-x/db";
import { XApiError, type XClient, type XCredentials } from "../../../ports/x-client.ts";
import type { TokenCipher } from "../../token-cipher.ts";
import type { JobQueue } from "../../jobs/queue.ts";
import { reserveSendSlot, type SendWindowLimits } from "./send-windows.ts";

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
  /** how long one worker owns a send; longer than the X call's timeout */
  leaseMs?: number;
  /** test hook: runs after X accepted the DM and before it is recorded (simulates a crash there) */
  afterXAccepted?: (messageId: string) => Promise<void>;
}

export type SendOutcome =
  | { status: "sent"; twitterMessageId: string; reconciled: boolean }
  | { status: "failed"; reason: string }
  | { status: "deferred"; until: Date; reason: string }
  | { status: "skipped"; reason: string };

const DEFAULT_MAX_ATTEMPTS = 8;
const DEFAULT_LEASE_MS = 30_000;
/** Exponential backoff from about one second, capped at three minutes. */
export const backoffMs = (attempt: number, baseMs = 1000) => Math.min(baseMs * 2 ** Math.max(0, attempt - 1), 180_000) + Math.floor(Math.random() * baseMs * 0.25);

export async function sendMessage(deps: SendPipelineDeps, messageId: string): Promise<SendOutcome> {
  const now = deps.now?.() ?? new Date();
  const message = await deps.db.message.findUnique({ where: { id: messageId }, include: { account: true, contact: true } });
  if (!message || message.direction !== "outbound") return { status: "skipped", reason: "no such outbound message" };
  if (message.status === "sent" || message.status === "failed") return { status: "skipped", reason: `already ${message.status}` };
  if (message.leaseUntil && message.leaseUntil > now) {
    // someone holds the send (or held it and crashed): look again when the lease runs out
    await deps.queue.send("message.send", { messageId: message.id }, { startAfter: new Date(message.leaseUntil.getTime() + 100) });
    return { status: "deferred", until: message.leaseUntil, reason: "another worker holds the send" };
  }

  const { account, contact } = message;
  if (message.automated && contact.optedOut) return fail(deps, message, "contact opted out");
  if (message.automated && account.requireConsent && !contact.consentAt) return fail(deps, message, "no consent: the contact never wrote to the account");
  if (account.status !== "active" || !account.accessTokenEnc || !account.accessSecretEnc) return fail(deps, message, "account is not connected");
  if (account.sendPausedUntil && account.sendPausedUntil > now) return defer(deps, message, account.sendPausedUntil, "X rate limit: account paused");

  const creds: XCredentials = { accessToken: deps.cipher.decrypt(account.accessTokenEnc), accessSecret: deps.cipher.decrypt(account.accessSecretEnc) };

  // An earlier attempt started and never recorded its outcome: it may have reached X.
  const startedBefore = message.status === "sending" ? message.sendingStartedAt : null;

  // Take the lease (only if nobody took it since we read the row).
  const leaseUntil = new Date(now.getTime() + (deps.leaseMs ?? DEFAULT_LEASE_MS));
  const claimed = await deps.db.message.updateMany({
    where: { id: message.id, status: { in: ["queued", "sending"] }, OR: [{ leaseUntil: null }, { leaseUntil: { lte: now } }] },
    data: { status: "sending", leaseUntil, sendingStartedAt: startedBefore ?? now, attempts: { increment: 1 } },
  });
  if (claimed.count === 0) return { status: "skipped", reason: "claimed by another worker" };
  const attempt = message.attempts + 1;

  if (startedBefore) {
    try {
      const found = await findDelivered(deps, creds, account.twitterUserId, contact.twitterUserId, message.content, startedBefore);
      if (found) return recordSent(deps, message, found, true);
    } catch (e) {
      // without an answer from X we cannot know: try again later rather than risk a second copy
      return retryLater(deps, message, attempt, e);
    }
  }

  if (deps.windows) {
    const slot = await reserveSendSlot(deps.db, { accountId: account.id, limits: deps.windows, now });
    if (!slot.ok) return defer(deps, message, slot.retryAt, `send window full (${slot.window})`, { notSent: !startedBefore });
  }

  let dmEventId: string;
  try {
    dmEventId = (await deps.x.sendDm(creds, contact.twitterUserId, message.content)).dmEventId;
  } catch (e) {
    if (!(e instanceof XApiError)) return retryLater(deps, message, attempt, e);
    switch (e.kind) {
      case "rate_limited": {
        const until = e.resetAt && e.resetAt > now ? e.resetAt : new Date(now.getTime() + 15 * 60_000);
        await deps.db.xAccount.update({ where: { id: account.id }, data: { sendPausedUntil: until } });
        return defer(deps, message, until, "X rate limit (429)", { notSent: !startedBefore });
      }
      case "forbidden":
        return fail(deps, message, "X refused: the recipient does not accept DMs from this account (403)");
      case "invalid_credentials":
        await deps.db.xAccount.update({ where: { id: account.id }, data: { status: "error", lastError: "X rejected the account's tokens (401); reconnect it" } });
        return fail(deps, message, "X rejected the account's credentials (401)");
      case "bad_request":
      case "not_found":
        return fail(deps, message, `X refused the message: ${e.message}`);
      case "transient":
        return retryLater(deps, message, attempt, e);
    }
  }
  await deps.afterXAccepted?.(message.id);
  return recordSent(deps, message, dmEventId, false);
}

/** The DM this message became, if X has it: our text, from the account, since the attempt began. */
async function findDelivered(deps: SendPipelineDeps, creds: XCredentials, accountUserId: string, participantId: string, text: string, since: Date): Promise<string | null> {
  const events = await deps.x.listDmEvents(creds, participantId);
  const slackMs = 5 * 60_000; // clocks differ; X's timestamps are X's
  const candidates = events.filter((e) => e.senderId === accountUserId && e.text === text && e.createdAt.getTime() >= since.getTime() - slackMs);
  if (candidates.length === 0) return null;
  // the same words may have been sent as another message: never claim a DM that is already recorded
  const taken = new Set(
    (await deps.db.message.findMany({ where: { twitterMessageId: { in: candidates.map((e) => e.id) }, direction: "outbound", origin: { not: "x_app" } }, select: { twitterMessageId: true } })).map((m) => m.twitterMessageId),
  );
  return candidates.find((e) => !taken.has(e.id))?.id ?? null;
}

async function recordSent(deps: SendPipelineDeps, message: MessageModel, twitterMessageId: string, reconciled: boolean): Promise<SendOutcome> {
  const sentAt = deps.now?.() ?? new Date();
  // The echo of this DM may have arrived first and be recorded already: the unique X id makes that one row.
  const echoed = await deps.db.message.findUnique({ where: { twitterMessageId } });
  if (echoed && echoed.id !== message.id) await deps.db.message.delete({ where: { id: echoed.id } });
  await deps.db.message.update({
    where: { id: message.id },
    data: { status: "sent", twitterMessageId, sentAt, leaseUntil: null, error: null },
  });
  return { status: "sent", twitterMessageId, reconciled };
}

async function fail(deps: SendPipelineDeps, message: MessageModel, reason: string): Promise<SendOutcome> {
  await deps.db.message.update({ where: { id: message.id }, data: { status: "failed", error: reason, leaseUntil: null } });
  return { status: "failed", reason };
}

/** Back to the queue for later, with the job that will pick it up written in the same transaction. */
async function defer(deps: SendPipelineDeps, message: MessageModel, until: Date, reason: string, opts: { error?: string; notSent?: boolean } = {}): Promise<SendOutcome> {
  await deps.db.$transaction(async (tx) => {
    // X surely has nothing (window full, 429): back to queued. After an unknown outcome the message
    // stays "sending", so the next attempt asks X before it sends again.
    const reset = opts.notSent ? { status: "queued", sendingStartedAt: null } : {};
    await tx.message.updateMany({ where: { id: message.id, status: { in: ["queued", "sending"] } }, data: { leaseUntil: null, ...reset, ...(opts.error !== undefined ? { error: opts.error } : {}) } });
    await deps.queue.send("message.send", { messageId: message.id }, { tx, startAfter: until });
  });
  return { status: "deferred", until, reason };
}

async function retryLater(deps: SendPipelineDeps, message: MessageModel, attempt: number, e: unknown): Promise<SendOutcome> {
  const reason = e instanceof Error ? e.message : String(e);
  if (attempt >= (deps.maxAttempts ?? DEFAULT_MAX_ATTEMPTS)) {
    await deps.db.$transaction(async (tx) => {
      await tx.message.update({ where: { id: message.id }, data: { status: "failed", error: `gave up after ${attempt} attempts: ${reason}`, leaseUntil: null } });
      // visible to operators beside the other dead letters
      await deps.queue.deadLetter({ queue: "message.send", messageId: message.id, error: reason }, { tx });
    });
    return { status: "failed", reason: `gave up after ${attempt} attempts: ${reason}` };
  }
  const until = new Date((deps.now?.() ?? new Date()).getTime() + backoffMs(attempt, deps.retryBaseMs));
  return defer(deps, message, until, `transient X failure, attempt ${attempt}`, { error: reason });
}
