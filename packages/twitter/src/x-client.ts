// The XClient port implemented with twitter-api-v2, OAuth 1.0a user context on every call (the
// request token call of connect with X is signed with the app's keys alone).
import http from "node:http";
import https from "node:https";
import { XApiError, type XAccessToken, type XClient, type XCredentials, type XDmEvent, type XDmHistoryEvent, type XDmHistoryPage, type XPosted, type XRateLimit, type XReplayJob, type XRequestToken, type XSentDm, type XUploadedMedia, type XUser, type XWebhook } from "@mkt-x/core";
import { TwitterApi } from "twitter-api-v2";
import { isRecord, recordAt, stringAt } from "./json-narrowing.ts";
import { toXApiError, unexpectedResponse } from "./x-error-mapping.ts";
import { redirectPlugin } from "./x-redirect-plugin.ts";

export interface TwitterXClientOptions {
  /** Where X lives: https://api.x.com in production, the sandbox in dev and tests. */
  baseUrl: string;
  consumerKey: string;
  consumerSecret: string;
  /** Socket idle timeout per request; a request silent for this long fails as "transient". */
  timeoutMs?: number;
}

export interface TwitterXClient extends XClient {
  /** Drops the kept-alive sockets (idle ones never hold the process open anyway). */
  close(): void;
}

const DEFAULT_TIMEOUT_MS = 10_000;
/** X keeps uploaded media 24 hours; an hour less leaves room for a send that starts near the end */
const MEDIA_KEPT_MS = 23 * 3600_000;

function webhookOf(value: unknown): XWebhook | undefined {
  const id = stringAt(value, "id");
  const url = stringAt(value, "url");
  if (id === undefined || url === undefined || !isRecord(value)) return undefined;
  return { id, url, valid: value["valid"] === true };
}

/** The windows twitter-api-v2 read from X's headers: the 15-minute one, and the 24-hour app and user ones. */
function rateLimitsOf(value: unknown): XRateLimit[] {
  const one = (v: unknown): XRateLimit | null => {
    if (!isRecord(v)) return null;
    const { limit, remaining, reset } = v;
    if (typeof limit !== "number" || typeof remaining !== "number" || typeof reset !== "number" || !Number.isFinite(limit + remaining + reset)) return null;
    return { limit, remaining, resetAt: new Date(reset * 1000) };
  };
  if (!isRecord(value)) return [];
  return [one(value), one(value["day"]), one(value["userDay"])].filter((r): r is XRateLimit => r !== null);
}

/** X's replay dates: yyyymmddhhmm, UTC. */
const replayDate = (d: Date): string => d.toISOString().slice(0, 16).replace(/[-T:]/g, "");

const DM_HISTORY_FIELDS = "id,text,event_type,created_at,sender_id,dm_conversation_id,attachments,participant_ids";
const MEDIA_TYPES = new Set(["photo", "animated_gif", "video"]);

/** includes.media of a DM events page: media_key → what the DM carried (a video's best MP4). */
function mediaByKey(includes: unknown): Map<string, NonNullable<XDmHistoryEvent["media"]>> {
  const map = new Map<string, NonNullable<XDmHistoryEvent["media"]>>();
  const media = isRecord(includes) ? includes["media"] : undefined;
  for (const m of Array.isArray(media) ? media : []) {
    const key = stringAt(m, "media_key");
    const type = stringAt(m, "type");
    if (key === undefined || type === undefined || !MEDIA_TYPES.has(type) || !isRecord(m)) continue;
    const variants = Array.isArray(m["variants"]) ? m["variants"].filter(isRecord) : [];
    const best = variants.filter((v) => v["content_type"] === "video/mp4").sort((a, b) => Number(b["bit_rate"] ?? 0) - Number(a["bit_rate"] ?? 0))[0];
    const url = stringAt(m, "url") ?? stringAt(best, "url") ?? stringAt(m, "preview_image_url");
    if (url !== undefined) map.set(key, { type: type as "photo" | "animated_gif" | "video", url });
  }
  return map;
}

function dmHistoryPageOf(body: unknown): XDmHistoryPage | undefined {
  if (!isRecord(body)) return undefined;
  const data = body["data"] ?? [];
  if (!Array.isArray(data)) return undefined;
  const includes = body["includes"];
  const media = mediaByKey(includes);
  const events: XDmHistoryEvent[] = [];
  for (const e of data) {
    const id = stringAt(e, "id");
    const senderId = stringAt(e, "sender_id");
    const createdAt = stringAt(e, "created_at");
    const dmConversationId = stringAt(e, "dm_conversation_id");
    if (id === undefined || senderId === undefined || createdAt === undefined || dmConversationId === undefined || !isRecord(e)) return undefined;
    const participants = Array.isArray(e["participant_ids"]) ? e["participant_ids"].filter((p): p is string => typeof p === "string") : [];
    const keys = recordAt(e, "attachments")?.["media_keys"];
    const firstKey = Array.isArray(keys) && typeof keys[0] === "string" ? keys[0] : undefined;
    events.push({ id, senderId, text: stringAt(e, "text") ?? "", createdAt: new Date(createdAt), dmConversationId, participantIds: participants, media: (firstKey !== undefined ? media.get(firstKey) : undefined) ?? null });
  }
  const users = isRecord(includes) && Array.isArray(includes["users"]) ? includes["users"] : [];
  const people = users.flatMap((u): XUser[] => {
    const id = stringAt(u, "id");
    const username = stringAt(u, "username");
    return id !== undefined && username !== undefined ? [{ id, username, name: stringAt(u, "name") ?? username, profileImageUrl: stringAt(u, "profile_image_url") ?? null }] : [];
  });
  return { events, users: people, nextToken: stringAt(recordAt(body, "meta"), "next_token") ?? null };
}

export function createTwitterXClient(options: TwitterXClientOptions): TwitterXClient {
  const baseUrl = new URL(options.baseUrl);
  // One pool per client so consecutive calls reuse connections. The library always calls
  // https.request; handing it an http.Agent is what makes it speak plain HTTP to a local sandbox.
  const agent = baseUrl.protocol === "http:" ? new http.Agent({ keepAlive: true }) : new https.Agent({ keepAlive: true });
  const plugins = [redirectPlugin(options.baseUrl, options.timeoutMs ?? DEFAULT_TIMEOUT_MS)];

  const api = (creds: XCredentials) =>
    new TwitterApi(
      { appKey: options.consumerKey, appSecret: options.consumerSecret, accessToken: creds.accessToken, accessSecret: creds.accessSecret },
      { plugins, httpAgent: agent },
    );

  // Every call goes through here so every failure, thrown or a malformed body, is an XApiError.
  async function call<T>(operation: string, run: () => Promise<unknown>, parse: (body: unknown) => T | undefined): Promise<T> {
    let body: unknown;
    try {
      body = await run();
    } catch (error) {
      throw toXApiError(error, operation);
    }
    const parsed = parse(body);
    if (parsed === undefined) throw unexpectedResponse(operation);
    return parsed;
  }

  let appBearer: Promise<TwitterApi> | null = null;

  const listWebhooks = (creds: XCredentials) =>
    call("list webhooks", () => api(creds).v2.get<unknown>(`webhooks`), (body) => {
      const data = isRecord(body) ? body["data"] : undefined;
      if (data === undefined) return [];
      if (!Array.isArray(data)) return undefined;
      const hooks = data.map(webhookOf);
      return hooks.every((h) => h !== undefined) ? hooks.filter((h) => h !== undefined) : undefined;
    });

  return {
    me: (creds) =>
      call(
        "users/me",
        () => api(creds).v2.get<unknown>(`users/me`, { "user.fields": "profile_image_url" }),
        (body): XUser | undefined => {
          const data = recordAt(body, "data");
          const id = stringAt(data, "id");
          const username = stringAt(data, "username");
          if (id === undefined || username === undefined) return undefined;
          return { id, username, name: stringAt(data, "name") ?? username, profileImageUrl: stringAt(data, "profile_image_url") ?? null };
        },
      ),

    sendDm: (creds, participantId, text, opts) =>
      call(
        "send DM",
        () =>
          api(creds).v2.post<unknown>(
            `dm_conversations/with/${encodeURIComponent(participantId)}/messages`,
            opts?.mediaId !== undefined ? { text, attachments: [{ media_id: opts.mediaId }] } : { text },
            { forceBodyMode: "json", fullResponse: true },
          ),
        (response): XSentDm | undefined => {
          const data = recordAt(recordAt(response, "data"), "data");
          const dmEventId = stringAt(data, "dm_event_id");
          const dmConversationId = stringAt(data, "dm_conversation_id");
          const rateLimits = isRecord(response) ? rateLimitsOf(response["rateLimit"]) : [];
          return dmEventId !== undefined && dmConversationId !== undefined ? { dmEventId, dmConversationId, rateLimits } : undefined;
        },
      ),

    // the full response, for X's x-rate-limit-* headers of the post windows
    postReply: (creds, text, inReplyToPostId) =>
      call(
        "post reply",
        () => api(creds).v2.post<unknown>(`tweets`, { text, reply: { in_reply_to_tweet_id: inReplyToPostId } }, { forceBodyMode: "json", fullResponse: true }),
        (response): XPosted | undefined => {
          const postId = stringAt(recordAt(recordAt(response, "data"), "data"), "id");
          const rateLimits = isRecord(response) ? rateLimitsOf(response["rateLimit"]) : [];
          return postId !== undefined ? { postId, rateLimits } : undefined;
        },
      ),

    // app-only: X's replay takes the app's bearer token (POST /oauth2/token with the app's keys),
    // fetched once and kept; a 401 drops it so the next call fetches a fresh one
    async replayWebhookEvents(webhookId, from, to) {
      appBearer ??= new TwitterApi({ appKey: options.consumerKey, appSecret: options.consumerSecret }, { plugins, httpAgent: agent }).appLogin();
      const app = await appBearer.catch((error: unknown) => {
        appBearer = null;
        throw toXApiError(error, "app-only token");
      });
      return call(
        "replay webhook events",
        () => app.v2.post<unknown>(`webhooks/replay`, { webhook_id: webhookId, from_date: replayDate(from), to_date: replayDate(to) }, { forceBodyMode: "json" }),
        (body): XReplayJob | undefined => {
          const data = recordAt(body, "data");
          const jobId = stringAt(data, "job_id");
          const createdAt = stringAt(data, "created_at");
          return jobId !== undefined ? { jobId, createdAt: createdAt !== undefined ? new Date(createdAt) : new Date() } : undefined;
        },
      ).catch((e: unknown) => {
        if (e instanceof XApiError && e.kind === "invalid_credentials") appBearer = null;
        throw e;
      });
    },

    // the library's own chunked upload (initialize, append per 1 MB chunk, finalize, STATUS while
    // X processes); it answers the id only, so the expiry is X's documented 24 hours, less a margin
    uploadMedia: (creds, media) =>
      call(
        "upload media",
        () => api(creds).v2.uploadMedia(media.data, { media_type: media.mimeType, media_category: media.category }),
        (mediaId): XUploadedMedia | undefined =>
          typeof mediaId === "string" && mediaId !== "" ? { mediaId, expiresAt: new Date(Date.now() + MEDIA_KEPT_MS) } : undefined,
      ),

    listDmEvents: (creds, participantId) =>
      call(
        "list DM events",
        () =>
          api(creds).v2.get<unknown>(`dm_conversations/with/${encodeURIComponent(participantId)}/dm_events`, {
            "dm_event.fields": "id,text,sender_id,created_at,event_type",
            event_types: "MessageCreate",
            max_results: 100,
          }),
        (body): XDmEvent[] | undefined => {
          const data = isRecord(body) ? body["data"] : undefined;
          if (data === undefined) return [];
          if (!Array.isArray(data)) return undefined;
          const events = data.map((e): XDmEvent | undefined => {
            const id = stringAt(e, "id");
            const senderId = stringAt(e, "sender_id");
            const createdAt = stringAt(e, "created_at");
            if (id === undefined || senderId === undefined || createdAt === undefined) return undefined;
            return { id, senderId, text: stringAt(e, "text") ?? "", createdAt: new Date(createdAt) };
          });
          return events.every((e) => e !== undefined) ? events.filter((e) => e !== undefined) : undefined;
        },
      ),

    listRecentDmEvents: (creds, opts) =>
      call(
        "list recent DM events",
        () =>
          api(creds).v2.get<unknown>(`dm_events`, {
            "dm_event.fields": DM_HISTORY_FIELDS,
            event_types: "MessageCreate",
            expansions: "sender_id,attachments.media_keys",
            "user.fields": "username,name,profile_image_url",
            "media.fields": "url,type,variants,preview_image_url",
            max_results: opts?.maxResults ?? 100,
            ...(opts?.paginationToken !== undefined ? { pagination_token: opts.paginationToken } : {}),
          }),
        dmHistoryPageOf,
      ),

    async ensureWebhook(creds, url) {
      const existing = (await listWebhooks(creds)).find((hook) => hook.url === url);
      if (existing === undefined) {
        return call(
          "register webhook",
          () => api(creds).v2.post<unknown>(`webhooks`, { url }, { forceBodyMode: "json" }),
          (body) => webhookOf(recordAt(body, "data")),
        );
      }
      if (existing.valid) return existing;
      // Registered while our endpoint was down: ask X to re-run the CRC check, then report what it found.
      await call("revalidate webhook", () => api(creds).v2.put<unknown>(`webhooks/${encodeURIComponent(existing.id)}`, undefined, { forceBodyMode: "json" }), () => true);
      const after = (await listWebhooks(creds)).find((hook) => hook.id === existing.id);
      if (after === undefined) throw new XApiError("not_found", "X revalidate webhook: the webhook disappeared", { status: 404 });
      return after;
    },

    subscribe: (creds, webhookId) =>
      call(
        "subscribe",
        () =>
          api(creds).v2.post<unknown>(`account_activity/webhooks/${encodeURIComponent(webhookId)}/subscriptions/all`, undefined, {
            forceBodyMode: "json",
          }),
        () => true,
      ).then(() => undefined),

    unsubscribe: (creds, webhookId, userId) =>
      call(
        "unsubscribe",
        () => api(creds).v2.delete<unknown>(`account_activity/webhooks/${encodeURIComponent(webhookId)}/subscriptions/${encodeURIComponent(userId)}/all`),
        () => true,
      ).then(() => undefined),

    invalidateToken: (creds) =>
      call("invalidate token", () => api(creds).v1.post<unknown>(`oauth/invalidate_token`, undefined, { forceBodyMode: "url" }), () => true).then(
        () => undefined,
      ),

    // 3-legged OAuth through the library's own generateAuthLink/login: the app's keys sign the
    // request token call, the request token and its secret sign the access token call (with
    // oauth_verifier as a signed body parameter). The authorize URL is built by the caller
    // (X_WEB_BASE_URL), so only the tokens of generateAuthLink's answer are used.
    requestToken: (callbackUrl) =>
      call(
        "request token",
        () => new TwitterApi({ appKey: options.consumerKey, appSecret: options.consumerSecret }, { plugins, httpAgent: agent }).generateAuthLink(callbackUrl, { linkMode: "authorize" }),
        (body): XRequestToken | undefined => {
          const oauthToken = stringAt(body, "oauth_token");
          const oauthTokenSecret = stringAt(body, "oauth_token_secret");
          if (!oauthToken || !oauthTokenSecret) return undefined;
          return { oauthToken, oauthTokenSecret, callbackConfirmed: stringAt(body, "oauth_callback_confirmed") === "true" };
        },
      ),

    accessToken: (request, verifier) =>
      call(
        "access token",
        () => api({ accessToken: request.oauthToken, accessSecret: request.oauthTokenSecret }).login(verifier),
        (body): XAccessToken | undefined => {
          const accessToken = stringAt(body, "accessToken");
          const accessSecret = stringAt(body, "accessSecret");
          const userId = stringAt(body, "userId");
          const screenName = stringAt(body, "screenName");
          if (!accessToken || !accessSecret || !userId || !screenName) return undefined;
          return { accessToken, accessSecret, userId, screenName };
        },
      ),

    close: () => agent.destroy(),
  };
}
