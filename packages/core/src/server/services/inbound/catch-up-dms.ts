// Catch-up after downtime: X keeps the DMs our webhook never heard of (we were down, X gave up
// retrying, a delivery was lost), so each connected account's recent DM history is read back from
// X (GET /2/dm_events) and every DM not yet recorded is stored as the webhook event X would have
// delivered: the same Account Activity shape, the same event key (`dm:<id>`, `dm:<id>:sent` for the account's own), the same
// `webhook.event` job. A DM that also arrives by webhook, before or after, is therefore one event
// and one message; flows and the AI see it once; our own DMs come back as echoes and settle or
// are skipped exactly as on the webhook path.
import type { Db, XAccountModel } from "@mkt-x/db";
import { XApiError, type XClient, type XCredentials, type XDmHistoryEvent, type XUser } from "../../../ports/x-client.ts";
import type { TokenCipher } from "../../token-cipher.ts";
import type { JobQueue } from "../../jobs/queue.ts";
import { accountTokenPlaces } from "../accounts/deps.ts";
import { splitWebhookDelivery } from "../webhooks/split-webhook-delivery.ts";
import { toStorableJson } from "../../../domain/storable-text.ts";

export interface CatchUpDeps {
  db: Db;
  x: XClient;
  cipher: TokenCipher;
  queue: JobQueue;
  now?: () => Date;
}

export interface CatchUpOptions {
  /** how far back X's history is read (default 72 hours; never before the account was connected) */
  lookbackHours?: number;
  /** pages of 100 events read per account and run at most (default 10) */
  maxPages?: number;
}

export interface AccountCatchUp {
  accountId: string;
  /** DM events X listed within the window */
  listed: number;
  /** events stored now (each then applied by its webhook.event job) */
  stored: number;
  /** X answered 429: the account's catch-up stopped here and waits for the next run */
  rateLimitedUntil?: Date | null;
  /** the page cap ended the run before the window's start */
  truncated?: boolean;
  error?: string;
}

export const CATCH_UP_LOOKBACK_HOURS = 72;
/** how far before the last complete run's start the next one reads (clocks differ; X lists late) */
const CATCH_UP_OVERLAP_MS = 15 * 60_000;
export const CATCH_UP_MAX_PAGES = 10;

/** Catches up every connected account, one after the other (X's limits are per account). */
export async function catchUpDms(deps: CatchUpDeps, opts: CatchUpOptions = {}): Promise<AccountCatchUp[]> {
  const accounts = await deps.db.xAccount.findMany({ where: { status: "active", accessTokenEnc: { not: null }, accessSecretEnc: { not: null } }, orderBy: { connectedAt: "asc" } });
  const results: AccountCatchUp[] = [];
  for (const account of accounts) results.push(await catchUpAccount(deps, account, opts));
  return results;
}

export async function catchUpAccount(deps: CatchUpDeps, account: XAccountModel, opts: CatchUpOptions = {}): Promise<AccountCatchUp> {
  const now = deps.now?.() ?? new Date();
  const lookbackMs = (opts.lookbackHours ?? CATCH_UP_LOOKBACK_HOURS) * 3600_000;
  // DMs from before the account was connected are history, not missed events: no flow or AI for
  // them; nor is anything from before a GDPR erasure on the account brought back
  // a run that read back to its window's start leaves a mark: the next one reads to shortly before it
  const caughtUp = account.dmCaughtUpAt ? account.dmCaughtUpAt.getTime() - CATCH_UP_OVERLAP_MS : 0;
  const since = new Date(Math.max(now.getTime() - lookbackMs, account.connectedAt.getTime(), account.catchupNotBefore?.getTime() ?? 0, caughtUp));
  const result: AccountCatchUp = { accountId: account.id, listed: 0, stored: 0 };
  let creds: XCredentials;
  try {
    const places = accountTokenPlaces(account.id);
    creds = { accessToken: deps.cipher.decrypt(account.accessTokenEnc ?? "", places.accessToken), accessSecret: deps.cipher.decrypt(account.accessSecretEnc ?? "", places.accessSecret) };
  } catch {
    return { ...result, error: "the account's stored tokens do not decrypt" };
  }

  let token: string | undefined;
  for (let page = 0; page < (opts.maxPages ?? CATCH_UP_MAX_PAGES); page++) {
    let listed;
    try {
      listed = await deps.x.listRecentDmEvents(creds, token !== undefined ? { paginationToken: token } : {});
    } catch (e) {
      if (e instanceof XApiError && e.kind === "rate_limited") return { ...result, rateLimitedUntil: e.resetAt };
      return { ...result, error: e instanceof Error ? e.message : String(e) };
    }
    // newest first: once an event is older than the window, so is the rest
    const recent = listed.events.filter((e) => e.createdAt >= since);
    result.listed += recent.length;
    result.stored += await storeMissed(deps, account, recent, listed.users);
    if (recent.length < listed.events.length || listed.nextToken === null) {
      await deps.db.$executeRaw`UPDATE x_accounts SET dm_caught_up_at = GREATEST(COALESCE(dm_caught_up_at, ${now}), ${now}) WHERE id = ${account.id}::uuid AND merchant_id = ${account.merchantId}`;
      return result;
    }
    token = listed.nextToken;
  }
  // the page cap cut the window short: the next run reads it again from the top
  return { ...result, truncated: true };
}

/** The other person of a one-to-one conversation with the account; null for group conversations. */
function otherParticipant(account: XAccountModel, e: XDmHistoryEvent): string | null {
  const ids = e.participantIds.length === 2 ? e.participantIds : e.dmConversationId.split("-");
  if (ids.length !== 2 || !ids.includes(account.twitterUserId)) return null;
  return ids.find((id) => id !== account.twitterUserId) ?? null;
}

async function storeMissed(deps: CatchUpDeps, account: XAccountModel, events: XDmHistoryEvent[], users: XUser[]): Promise<number> {
  const oneToOne = events.flatMap((e) => {
    const other = otherParticipant(account, e);
    return other === null ? [] : [{ e, other }];
  });
  if (oneToOne.length === 0) return 0;
  // what the account's conversations already show needs no event (the usual case: nothing missed)
  const known = new Set(
    (await deps.db.message.findMany({ where: { merchantId: account.merchantId, accountId: account.id, twitterMessageId: { in: oneToOne.map(({ e }) => e.id) } }, select: { twitterMessageId: true } })).map((m) => m.twitterMessageId),
  );
  const profiles = new Map(users.map((u) => [u.id, u]));
  const missed = oneToOne.filter(({ e }) => !known.has(e.id)).reverse(); // oldest first
  if (missed.length === 0) return 0;
  const split = missed.flatMap(({ e, other }) => splitWebhookDelivery(toStorableJson(asAccountActivity(account, e, other, profiles))));
  return deps.db.$transaction(async (tx) => {
    const rows = await tx.$queryRaw<{ id: string }[]>`
      INSERT INTO webhook_events (event_key, kind, for_user_id, payload)
      SELECT * FROM unnest(${split.map((s) => s.eventKey)}::text[], ${split.map((s) => s.kind)}::text[], ${split.map((s) => s.forUserId)}::text[], ${split.map((s) => JSON.stringify(s.payload))}::jsonb[])
      ON CONFLICT (event_key) DO NOTHING
      RETURNING id::text AS id`;
    await deps.queue.sendMany("webhook.event", rows.map((r) => ({ webhookEventId: r.id })), { tx });
    return rows.length;
  });
}

/** The Account Activity delivery X would have sent for this DM (direct_message_events, users). */
function asAccountActivity(account: XAccountModel, e: XDmHistoryEvent, other: string, profiles: Map<string, XUser>): object {
  const fromAccount = e.senderId === account.twitterUserId;
  const recipientId = fromAccount ? other : account.twitterUserId;
  const media = e.media
    ? { attachment: { type: "media", media: { type: e.media.type, media_url_https: e.media.url, ...(e.media.type !== "photo" ? { video_info: { variants: [{ content_type: "video/mp4", bitrate: 0, url: e.media.url }] } } : {}) } } }
    : {};
  const users = Object.fromEntries(
    [e.senderId, recipientId].flatMap((id) => {
      const u = profiles.get(id);
      return u ? [[id, { id, id_str: id, screen_name: u.username, name: u.name, ...(u.profileImageUrl ? { profile_image_url_https: u.profileImageUrl } : {}) }]] : [];
    }),
  );
  return {
    for_user_id: account.twitterUserId,
    direct_message_events: [
      {
        type: "message_create",
        id: e.id,
        created_timestamp: String(e.createdAt.getTime()),
        message_create: { sender_id: e.senderId, target: { recipient_id: recipientId }, message_data: { text: e.text, entities: { hashtags: [], symbols: [], user_mentions: [], urls: [] }, ...media } },
      },
    ],
    ...(Object.keys(users).length > 0 ? { users } : {}),
  };
}
