// The X API as the service calls it, on X's wire protocol: OAuth 1.0a user context, X's paths,
// bodies and error shapes. Every request is recorded; faults are applied before anything else.
import { randomBytes } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { isRecord } from "../json-narrowing.ts";
import { takeFault, type SandboxFault } from "./faults.ts";
import { verifyOAuth1 } from "./oauth1-verify.ts";
import { compareIds, type SandboxDm, type SandboxPost, type SandboxRequest, type SandboxStore, type SandboxUser } from "./sandbox-store.ts";
import { dmConversationId } from "./snowflake.ts";
import { invalidRequest, resourceNotFound, statusProblem, v1Errors } from "./x-problems.ts";
import { mediaRefusal, registerMediaRoutes } from "./media-routes.ts";
import { registerPostRoutes } from "./post-routes.ts";

export interface XApiContext {
  store: SandboxStore;
  consumerKey: string;
  consumerSecret: string;
  /** Runs X's CRC challenge against a webhook URL. */
  crc(url: string): Promise<boolean>;
  /** Called once a DM is stored (echo delivery, waiters). */
  onDmSent(dm: SandboxDm): void;
  /** Called once a post is stored (waiters). */
  onPost?(post: SandboxPost): void;
  /** Starts a replay job of the webhook's events in [from, to) (POST /2/webhooks/replay). */
  replay(webhookId: string, from: Date, to: Date): { jobId: string; createdAt: string };
  /** A delay that the sandbox's close() cuts short. */
  delay(ms: number): Promise<void>;
}

const DM_TEXT_LIMIT = 10_000;

interface RequestState {
  record: SandboxRequest;
  user?: SandboxUser;
  accessToken?: string;
  /** app-only: the request carried a bearer token from POST /oauth2/token */
  app?: boolean;
}

/** Paths X serves with an app-only bearer token (the rest take OAuth 1.0a user context here). */
const APP_ONLY_PATHS = new Set(["/2/webhooks/replay"]);

/** yyyymmddhhmm (UTC) as X's replay takes it; null when it is not one. */
function replayDate(value: unknown): Date | null {
  if (typeof value !== "string" || !/^\d{12}$/.test(value)) return null;
  const d = new Date(`${value.slice(0, 4)}-${value.slice(4, 6)}-${value.slice(6, 8)}T${value.slice(8, 10)}:${value.slice(10, 12)}:00Z`);
  return Number.isNaN(d.getTime()) ? null : d;
}

export function registerXApiRoutes(app: FastifyInstance, ctx: XApiContext): void {
  const { store } = ctx;
  const states = new WeakMap<FastifyRequest, RequestState>();

  const stateOf = (req: FastifyRequest): RequestState => {
    const state = states.get(req);
    if (!state) throw new Error("request was not recorded");
    return state;
  };
  const userOf = (req: FastifyRequest): SandboxUser => {
    const user = stateOf(req).user;
    // X's answer to an app-only token on a user-context endpoint
    if (!user) throw Object.assign(new Error("Unsupported Authentication: this endpoint takes OAuth 1.0a user context"), { statusCode: 403 });
    return user;
  };

  // 1.1 endpoints (invalidate_token) are form-encoded; their fields are part of the OAuth signature.
  app.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string" }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(typeof body === "string" ? body : body.toString("utf8"))));
  });

  app.addHook("onRequest", async (req) => {
    const [path = "/", search = ""] = req.url.split("?", 2);
    const record = store.recordRequest({ method: req.method, path, query: Object.fromEntries(new URLSearchParams(search)), body: null, userId: null, fault: null, status: null });
    states.set(req, { record });
  });

  app.addHook("onResponse", async (req, reply) => {
    const state = states.get(req);
    if (state) state.record.status = reply.statusCode;
  });

  const sendFault = (reply: FastifyReply, fault: SandboxFault & { status: number }) => {
    if (fault.status === 429 && fault.resetInSeconds !== null) {
      void reply.headers({
        "x-rate-limit-limit": "15",
        "x-rate-limit-remaining": "0",
        "x-rate-limit-reset": String(Math.ceil(Date.now() / 1000) + fault.resetInSeconds),
      });
    }
    return reply.code(fault.status).send(statusProblem(fault.status));
  };

  const unauthorized = (req: FastifyRequest, reply: FastifyReply, reason: string) => {
    if (req.url.startsWith("/1.1/")) {
      const body = reason === "unknown_token" ? v1Errors(89, "Invalid or expired token.") : v1Errors(32, "Could not authenticate you.");
      return reply.code(401).send(body);
    }
    return reply.code(401).send(statusProblem(401));
  };

  app.addHook("preHandler", async (req, reply) => {
    const state = stateOf(req);
    state.record.body = req.body ?? null;

    const fault = takeFault(store.faults, req.method, state.record.path);
    if (fault?.latencyMs) await ctx.delay(fault.latencyMs);
    if (fault && fault.status !== null) {
      state.record.fault = fault.status;
      return sendFault(reply, { ...fault, status: fault.status });
    }

    // app-only: POST /oauth2/token with the app's keys (Basic), then the bearer token it issued
    const authorization = req.headers.authorization ?? "";
    if (state.record.path === "/oauth2/token") {
      const basic = /^Basic (.+)$/.exec(authorization)?.[1];
      const [key, secret] = basic ? Buffer.from(basic, "base64").toString("utf8").split(":").map((p) => decodeURIComponent(p)) : [];
      if (key !== ctx.consumerKey || secret !== ctx.consumerSecret) return reply.code(403).send(v1Errors(99, "Unable to verify your credentials"));
      return;
    }
    if (authorization.startsWith("Bearer ")) {
      if (!store.appTokens.has(authorization.slice(7))) return unauthorized(req, reply, "unknown_token");
      if (!APP_ONLY_PATHS.has(state.record.path)) return reply.code(403).send(statusProblem(403));
      state.app = true;
      return;
    }
    if (APP_ONLY_PATHS.has(state.record.path)) return reply.code(403).send(statusProblem(403));

    const isForm = String(req.headers["content-type"] ?? "").startsWith("application/x-www-form-urlencoded");
    const formParams = isForm && isRecord(req.body) ? Object.entries(req.body).flatMap(([k, v]) => (typeof v === "string" ? [[k, v] as const] : [])) : [];
    const result = verifyOAuth1(
      {
        method: req.method,
        url: new URL(req.url, `${req.protocol}://${req.headers.host ?? "localhost"}`),
        authorization: req.headers.authorization,
        formParams,
      },
      { consumerKey: ctx.consumerKey, consumerSecret: ctx.consumerSecret, accessSecretOf: (token) => store.userByToken(token)?.accessSecret },
    );
    if (!result.ok) return unauthorized(req, reply, result.reason);
    const user = store.userByToken(result.accessToken);
    if (!user) return unauthorized(req, reply, "unknown_token");
    state.user = user;
    state.accessToken = result.accessToken;
    state.record.userId = user.id;
  });

  app.setErrorHandler((error: { statusCode?: number; message?: string }, _req, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) return reply.code(status).send(invalidRequest(error.message ?? "Invalid request"));
    return reply.code(500).send(statusProblem(500));
  });

  registerMediaRoutes(app, store, userOf);
  registerPostRoutes(app, store, userOf, (post) => ctx.onPost?.(post));

  app.get("/2/users/me", async (req) => {
    const user = userOf(req);
    const fields = isRecord(req.query) && typeof req.query["user.fields"] === "string" ? req.query["user.fields"].split(",") : [];
    return {
      data: {
        id: user.id,
        name: user.name,
        username: user.username,
        ...(fields.includes("profile_image_url") ? { profile_image_url: user.profileImageUrl } : {}),
      },
    };
  });

  app.post<{ Params: { participant_id: string } }>("/2/dm_conversations/with/:participant_id/messages", async (req, reply) => {
    const sender = userOf(req);
    const participantId = req.params.participant_id;
    if (!/^\d{1,19}$/.test(participantId)) {
      return reply.code(400).send(invalidRequest(`The \`participant_id\` query parameter value [${participantId}] is not valid`, { participant_id: [participantId] }));
    }
    const text = isRecord(req.body) ? req.body["text"] : undefined;
    if (typeof text !== "string" || text.length === 0 || text.length > DM_TEXT_LIMIT) {
      return reply.code(400).send(invalidRequest(`text must be a string of 1 to ${DM_TEXT_LIMIT} characters`, { text: [] }));
    }
    // X takes at most one media item per DM, uploaded by the sender and finalized
    const attachments = isRecord(req.body) ? req.body["attachments"] : undefined;
    let mediaId: string | undefined;
    if (attachments !== undefined) {
      const only = Array.isArray(attachments) && attachments.length === 1 && isRecord(attachments[0]) ? attachments[0]["media_id"] : undefined;
      if (typeof only !== "string") return reply.code(400).send(invalidRequest("attachments must be one item with a media_id", { attachments: [] }));
      const refused = mediaRefusal(store, sender.id, only);
      if (refused) return reply.code(400).send(invalidRequest(refused, { media_id: [only] }));
      mediaId = only;
    }
    const limit = store.config.dmLimitPer15m ?? null;
    if (limit !== null) {
      const windowMs = 15 * 60_000;
      const since = Date.now() - windowMs;
      const recent = store.dms.filter((d) => d.senderId === sender.id && Date.parse(d.createdAt) > since);
      const oldest = recent[0] ? Date.parse(recent[0].createdAt) : Date.now();
      const used = recent.length + 1;
      void reply.headers({
        "x-rate-limit-limit": String(limit),
        "x-rate-limit-remaining": String(Math.max(0, limit - used)),
        "x-rate-limit-reset": String(Math.ceil((oldest + windowMs) / 1000)),
      });
      if (used > limit) return reply.code(429).send(statusProblem(429));
    }
    const dm: SandboxDm = {
      dmEventId: store.nextId(),
      dmConversationId: dmConversationId(sender.id, participantId),
      senderId: sender.id,
      recipientId: participantId,
      text,
      createdAt: new Date().toISOString(),
      ...(mediaId !== undefined ? { mediaId } : {}),
    };
    store.recordDm(dm);
    ctx.onDmSent(dm);
    return reply.code(201).send({ data: { dm_conversation_id: dm.dmConversationId, dm_event_id: dm.dmEventId } });
  });

  app.get<{ Params: { participant_id: string } }>("/2/dm_conversations/with/:participant_id/dm_events", async (req) => {
    const me = userOf(req);
    const other = req.params.participant_id;
    const events = store.dms
      .filter((dm) => (dm.senderId === me.id && dm.recipientId === other) || (dm.senderId === other && dm.recipientId === me.id))
      .slice(-100)
      .reverse()
      .map((dm) => ({ id: dm.dmEventId, event_type: "MessageCreate", text: dm.text, sender_id: dm.senderId, created_at: dm.createdAt, dm_conversation_id: dm.dmConversationId }));
    // X leaves `data` out when there is nothing to list
    return events.length ? { data: events, meta: { result_count: events.length } } : { meta: { result_count: 0 } };
  });

  // GET /2/dm_events: every DM event of the user, newest first, X's field selection, expansions and
  // pagination (meta.next_token, passed back as pagination_token)
  app.get("/2/dm_events", async (req, reply) => {
    const me = userOf(req);
    const q = isRecord(req.query) ? req.query : {};
    const list = (key: string) => (typeof q[key] === "string" ? q[key].split(",").filter(Boolean) : []);
    const max = q["max_results"] === undefined ? 100 : Number(q["max_results"]);
    if (!Number.isInteger(max) || max < 1 || max > 100) {
      return reply.code(400).send(invalidRequest(`The \`max_results\` query parameter value [${String(q["max_results"])}] is not between 1 and 100`, { max_results: [String(q["max_results"])] }));
    }
    const types = list("event_types");
    if (types.some((t) => !["MessageCreate", "ParticipantsJoin", "ParticipantsLeave"].includes(t))) {
      return reply.code(400).send(invalidRequest("event_types must be MessageCreate, ParticipantsJoin or ParticipantsLeave", { event_types: types }));
    }
    let history = store.dmHistory(me.id);
    const token = typeof q["pagination_token"] === "string" ? q["pagination_token"] : undefined;
    if (token !== undefined) {
      const before = Buffer.from(token, "base64url").toString("utf8").replace(/^before:/, "");
      if (!/^\d+$/.test(before)) return reply.code(400).send(invalidRequest(`The \`pagination_token\` query parameter value [${token}] is not valid`, { pagination_token: [token] }));
      history = history.filter((dm) => compareIds(dm.dmEventId, before) < 0);
    }
    const page = history.slice(0, max);
    const fields = new Set(list("dm_event.fields"));
    const expansions = new Set(list("expansions"));
    const userFields = new Set(list("user.fields"));
    const mediaFields = new Set(list("media.fields"));
    const mediaKey = (dm: SandboxDm) => (dm.media ? `${dm.media.type === "photo" ? 3 : dm.media.type === "video" ? 7 : 16}_${dm.media.id}` : null);
    const data = page.map((dm) => {
      const key = mediaKey(dm);
      return {
        id: dm.dmEventId,
        event_type: "MessageCreate",
        text: dm.text,
        ...(fields.has("sender_id") ? { sender_id: dm.senderId } : {}),
        ...(fields.has("created_at") ? { created_at: dm.createdAt } : {}),
        ...(fields.has("dm_conversation_id") ? { dm_conversation_id: dm.dmConversationId } : {}),
        ...(fields.has("attachments") && key ? { attachments: { media_keys: [key] } } : {}),
      };
    });
    const includes: Record<string, unknown[]> = {};
    if (expansions.has("sender_id") || expansions.has("participant_ids")) {
      const ids = [...new Set(page.flatMap((dm) => (expansions.has("participant_ids") ? [dm.senderId, dm.recipientId] : [dm.senderId])))];
      includes["users"] = ids.map((id) => {
        const u = store.webhookUser(id);
        return { id, name: u.name ?? u.username, username: u.username, ...(userFields.has("profile_image_url") && u.profileImageUrl ? { profile_image_url: u.profileImageUrl } : {}) };
      });
    }
    if (expansions.has("attachments.media_keys")) {
      const media = page.filter((dm) => dm.media).map((dm) => {
        const m = dm.media ?? { id: "", type: "photo" as const, url: "" };
        const type = m.type;
        return {
          media_key: mediaKey(dm),
          type,
          ...(type === "photo" && mediaFields.has("url") ? { url: m.url } : {}),
          ...(type !== "photo" && mediaFields.has("variants") ? { variants: [{ content_type: "video/mp4", bit_rate: 0, url: m.url }] } : {}),
        };
      });
      if (media.length) includes["media"] = media;
    }
    const last = page.at(-1);
    const more = last !== undefined && history.length > page.length;
    const meta = { result_count: page.length, ...(more ? { next_token: Buffer.from(`before:${last.dmEventId}`).toString("base64url") } : {}) };
    // X leaves `data` (and `includes`) out when there is nothing to list
    return page.length ? { data, ...(Object.keys(includes).length ? { includes } : {}), meta } : { meta };
  });

  const webhookBody = (id: string) => {
    const hook = store.webhook(id);
    return hook && { id: hook.id, url: hook.url, valid: hook.valid, created_at: hook.createdAt };
  };

  app.get("/2/webhooks", async () => {
    const hooks = store.webhooks();
    // X leaves `data` out entirely when there is nothing to list.
    return hooks.length === 0 ? { meta: { result_count: 0 } } : { data: hooks.map((h) => webhookBody(h.id)), meta: { result_count: hooks.length } };
  });

  app.post("/2/webhooks", async (req, reply) => {
    const url = isRecord(req.body) ? req.body["url"] : undefined;
    if (typeof url !== "string" || !URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
      return reply.code(400).send(invalidRequest("url must be an absolute http(s) URL", { url: [] }));
    }
    if (store.webhooks().some((h) => h.url === url)) return reply.code(400).send(invalidRequest("DuplicateUrlFailed: this URL is already registered", { url: [url] }));
    const valid = await ctx.crc(url);
    const hook = store.addWebhook(url, valid);
    return reply.code(200).send({ data: webhookBody(hook.id) });
  });

  app.put<{ Params: { webhook_id: string } }>("/2/webhooks/:webhook_id", async (req, reply) => {
    const hook = store.webhook(req.params.webhook_id);
    if (!hook) return reply.code(404).send(resourceNotFound(`Could not find webhook with id: [${req.params.webhook_id}]`));
    const valid = await ctx.crc(hook.url);
    store.setWebhookValid(hook.id, valid);
    return { data: { valid } };
  });

  app.delete<{ Params: { webhook_id: string } }>("/2/webhooks/:webhook_id", async (req, reply) => {
    if (!store.deleteWebhook(req.params.webhook_id)) {
      return reply.code(404).send(resourceNotFound(`Could not find webhook with id: [${req.params.webhook_id}]`));
    }
    return { data: { deleted: true } };
  });

  app.post<{ Params: { webhook_id: string } }>("/2/account_activity/webhooks/:webhook_id/subscriptions/all", async (req, reply) => {
    const hook = store.webhook(req.params.webhook_id);
    if (!hook) return reply.code(404).send(resourceNotFound(`Could not find webhook with id: [${req.params.webhook_id}]`));
    if (!hook.valid) return reply.code(400).send(invalidRequest("The webhook has not passed the CRC check", { webhook_id: [hook.id] }));
    store.setSubscribed(hook.id, userOf(req).id, true);
    return { data: { subscribed: true } };
  });

  app.get<{ Params: { webhook_id: string } }>("/2/account_activity/webhooks/:webhook_id/subscriptions/all", async (req, reply) => {
    const hook = store.webhook(req.params.webhook_id);
    if (!hook) return reply.code(404).send(resourceNotFound(`Could not find webhook with id: [${req.params.webhook_id}]`));
    return { data: { subscribed: hook.subscribedUserIds.includes(userOf(req).id) } };
  });

  app.delete<{ Params: { webhook_id: string; user_id: string } }>(
    "/2/account_activity/webhooks/:webhook_id/subscriptions/:user_id/all",
    async (req, reply) => {
      const hook = store.webhook(req.params.webhook_id);
      if (!hook) return reply.code(404).send(resourceNotFound(`Could not find webhook with id: [${req.params.webhook_id}]`));
      store.setSubscribed(hook.id, req.params.user_id, false);
      return { data: { subscribed: false } };
    },
  );

  app.post("/oauth2/token", async (req, reply) => {
    if (!isRecord(req.body) || req.body["grant_type"] !== "client_credentials") return reply.code(403).send(v1Errors(170, "Missing required parameter: grant_type"));
    const token = `AAAA${randomBytes(30).toString("base64url")}`;
    store.appTokens.add(token);
    return { token_type: "bearer", access_token: token };
  });

  // X's replay of webhook events (app-only): at most 24 hours back, to after from, neither in the future
  app.post("/2/webhooks/replay", async (req, reply) => {
    const body = isRecord(req.body) ? req.body : {};
    const webhookId = body["webhook_id"];
    const from = replayDate(body["from_date"]);
    const to = replayDate(body["to_date"]);
    if (typeof webhookId !== "string" || !/^\d{1,19}$/.test(webhookId)) return reply.code(400).send(invalidRequest("webhook_id is required", { webhook_id: [String(webhookId)] }));
    if (!from || !to) return reply.code(400).send(invalidRequest("from_date and to_date must be yyyymmddhhmm (UTC)", { from_date: [String(body["from_date"])], to_date: [String(body["to_date"])] }));
    const now = Date.now();
    if (from.getTime() < now - 24 * 3600_000) return reply.code(400).send(invalidRequest("from_date must be within the last 24 hours", { from_date: [String(body["from_date"])] }));
    if (to.getTime() <= from.getTime()) return reply.code(400).send(invalidRequest("to_date must be after from_date", { to_date: [String(body["to_date"])] }));
    if (to.getTime() > now + 60_000) return reply.code(400).send(invalidRequest("to_date must not be in the future", { to_date: [String(body["to_date"])] }));
    if (!store.webhook(webhookId)) return reply.code(404).send(resourceNotFound(`Could not find webhook with id: [${webhookId}]`));
    const job = ctx.replay(webhookId, from, to);
    return reply.code(200).send({ data: { job_id: job.jobId, created_at: job.createdAt } });
  });

  app.post("/1.1/oauth/invalidate_token", async (req) => {
    const token = stateOf(req).accessToken ?? "";
    store.revokeToken(token);
    return { access_token: token };
  });
}
