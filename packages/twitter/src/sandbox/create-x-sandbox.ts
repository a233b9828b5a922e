// A local stand-in for X: the API calls the service makes, Account Activity deliveries to its
// webhook, and a control API to drive both from tests and the dev demo.
import { EventEmitter } from "node:events";
import Fastify from "fastify";
import { registerControlRoutes } from "./control-routes.ts";
import { registerOAuthRoutes } from "./oauth-routes.ts";
import { SandboxOAuthStore } from "./oauth-store.ts";
import { createFault } from "./faults.ts";
import { buildFollowPayload, buildInboundDmPayload, buildMentionPayload, buildReadPayload, buildTypingPayload, buildXaaDmActivityPayload, buildXaaPostPayload } from "./payloads.ts";
import { SandboxError } from "./sandbox-error.ts";
import { SandboxStore, type SandboxDelivery, type SandboxDm, type SandboxPost } from "./sandbox-store.ts";
import { deliverPayload, runCrcCheck } from "./webhook-delivery.ts";
import { registerXApiRoutes } from "./x-api-routes.ts";
import { createStateSaver, readSandboxState, writeSandboxState } from "./state-file.ts";
import { statusProblem } from "./x-problems.ts";
import { dmConversationId } from "./snowflake.ts";
import type { DeliveryResult, XSandbox, XSandboxControl, XSandboxOptions } from "./x-sandbox-types.ts";

const WILDCARD_HOSTS = new Set(["0.0.0.0", "::", ""]);

export function createXSandbox(opts: XSandboxOptions): XSandbox {
  const store = new SandboxStore({ webhookUrl: opts.webhookUrl ?? null, echoOutbound: opts.echoOutbound ?? false });
  const oauth = new SandboxOAuthStore();
  const webhookTimeoutMs = opts.webhookTimeoutMs ?? 5000;
  const stateDir = opts.stateDir;
  if (stateDir) {
    const saved = readSandboxState(stateDir);
    if (saved) {
      store.restore(saved.store);
      oauth.restore(saved.oauthRequests);
      // what the sandbox is created with wins over what it last ran with (a new port, say)
      if (opts.webhookUrl !== undefined) store.config.webhookUrl = opts.webhookUrl;
      if (opts.echoOutbound !== undefined) store.config.echoOutbound = opts.echoOutbound;
    }
  }
  const saver = stateDir ? createStateSaver(() => writeSandboxState(stateDir, { store: store.snapshot(), oauthRequests: oauth.all() })) : null;
  const changed = () => saver?.changed();
  const app = Fastify({ logger: opts.logger ?? false, forceCloseConnections: true });
  const dmEvents = new EventEmitter();
  const postEvents = new EventEmitter();
  postEvents.setMaxListeners(0);
  dmEvents.setMaxListeners(0);
  const background = new Set<Promise<unknown>>();
  const pendingDelays = new Set<() => void>();
  let url: string | null = null;

  // Fault latencies must not keep close() waiting for their full length.
  const delay = (ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        pendingDelays.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      pendingDelays.add(done);
    });

  /** `occurredAt`: when the event happened (a replay job picks events by it); default now */
  async function deliver(kind: SandboxDelivery["kind"], eventId: string, payload: object, forUserId: string, occurredAt?: Date): Promise<DeliveryResult> {
    const target = store.deliveryUrl(forUserId);
    const outcome = store.config.dropWebhooks
      ? { delivered: false, status: null, error: "webhook delivery dropped (simulated outage)" }
      : target
        ? await deliverPayload(target, opts.consumerSecret, payload, webhookTimeoutMs)
        : { delivered: false, status: null, error: "no webhook registered and no webhookUrl configured" };
    const at = new Date().toISOString();
    store.recordDelivery({ kind, eventId, forUserId, url: target, ...outcome, at });
    store.recordEvent({ kind, eventId, forUserId, url: target, payload, at: occurredAt?.toISOString() ?? at });
    changed();
    return { eventId, ...outcome };
  }

  /**
   * A replay job (POST /2/webhooks/replay): every event of the webhook's accounts X delivered or
   * tried to deliver in [from, to) goes to the webhook again, tagged `meta.replay`, oldest first,
   * after the call has answered; then X's replay_job_status says the job is complete.
   */
  function replay(webhookId: string, from: Date, to: Date): { jobId: string; createdAt: string } {
    const hook = store.webhook(webhookId);
    if (!hook) throw new SandboxError(404, `Could not find webhook with id: [${webhookId}]`);
    const jobId = store.nextId();
    const events = store.events.filter((e) => {
      const at = Date.parse(e.at);
      return at >= from.getTime() && at < to.getTime() && (e.url === hook.url || hook.subscribedUserIds.includes(e.forUserId));
    });
    const run = (async () => {
      for (const e of events) {
        const outcome = store.config.dropWebhooks ? { delivered: false, status: null, error: "webhook delivery dropped (simulated outage)" } : await deliverPayload(hook.url, opts.consumerSecret, { ...e.payload, meta: { replay: true } }, webhookTimeoutMs);
        store.recordDelivery({ kind: e.kind, eventId: e.eventId, forUserId: e.forUserId, url: hook.url, ...outcome, at: new Date().toISOString(), replayJobId: jobId });
      }
      const status = { replay_job_status: { webhook_id: webhookId, job_state: "Complete", job_state_description: "Job completed successfully", job_id: jobId } };
      if (!store.config.dropWebhooks) await deliverPayload(hook.url, opts.consumerSecret, status, webhookTimeoutMs);
      changed();
    })();
    const pending = run.finally(() => background.delete(pending));
    background.add(pending);
    return { jobId, createdAt: new Date().toISOString() };
  }

  function onDmSent(dm: SandboxDm): void {
    dmEvents.emit("dm", dm);
    const payloadFor = (forUserId: string) =>
      buildInboundDmPayload({ sender: store.webhookUser(dm.senderId), recipient: store.webhookUser(dm.recipientId), text: dm.text, eventId: dm.dmEventId, createdAt: new Date(dm.createdAt), forUserId });
    // X delivers asynchronously, after the API call has answered.
    const later = (delivery: Promise<DeliveryResult>) => {
      const pending = delivery.finally(() => background.delete(pending));
      background.add(pending);
    };
    if (store.config.echoOutbound) later(deliver("echo", dm.dmEventId, payloadFor(dm.senderId), dm.senderId));
    // a recipient whose activity the app subscribed to (another connected account) gets the DM as X sends it to anyone
    if (store.isSubscribed(dm.recipientId)) later(deliver("direct_message", dm.dmEventId, payloadFor(dm.recipientId), dm.recipientId));
  }

  /** X's tweet_create_events for the account's own post (X delivers those to its subscription too). */
  function ownPostPayload(post: SandboxPost): object {
    const parent = post.inReplyToPostId !== null ? store.posts.find((p) => p.postId === post.inReplyToPostId) : undefined;
    const account = store.webhookUser(post.authorId);
    return buildMentionPayload({ author: account, account, postId: post.postId, text: post.text, inReplyToPostId: post.inReplyToPostId, inReplyToUserId: parent?.authorId ?? null, conversationId: post.conversationId, createdAt: new Date(post.createdAt) });
  }

  function onPost(post: SandboxPost): void {
    postEvents.emit("post", post);
    if (!store.config.echoOutbound) return;
    // X delivers the account's own posts asynchronously, after the API call has answered.
    const pending = deliver("mention", post.postId, ownPostPayload(post), post.authorId).finally(() => background.delete(pending));
    background.add(pending);
  }

  /** A user by id, or by username (case-insensitive, with or without @). */
  function findUser(ref: string) {
    const name = ref.replace(/^@/, "").toLowerCase();
    return store.users.get(ref) ?? [...store.users.values()].find((u) => u.username.toLowerCase() === name);
  }

  const control: XSandboxControl = {
    addUser(input) {
      const user = store.addUser(input);
      changed();
      return user;
    },
    users: () => [...store.users.values()].map((u) => ({ ...u })),

    async inboundDm(input) {
      const sender = store.requireUser(input.fromUserId, "fromUserId");
      const recipient = store.requireUser(input.toUserId, "toUserId");
      if (!input.text) throw new SandboxError(400, "text is required");
      const eventId = input.eventId ?? store.nextId();
      const media = input.media ? { id: store.nextId(), ...input.media } : undefined;
      const createdAt = input.createdAt !== undefined ? new Date(input.createdAt) : new Date();
      if (Number.isNaN(createdAt.getTime())) throw new SandboxError(400, "createdAt must be an ISO date-time");
      const payload = buildInboundDmPayload({ sender: store.webhookUser(sender.id), recipient: store.webhookUser(recipient.id), text: input.text, eventId, createdAt, ...(input.quickReplyMetadata !== undefined ? { quickReplyMetadata: input.quickReplyMetadata } : {}), ...(media ? { media } : {}) });
      // X keeps the DM whether or not the webhook hears of it: GET /2/dm_events lists it
      store.recordReceivedDm({ dmEventId: eventId, dmConversationId: dmConversationId(sender.id, recipient.id), senderId: sender.id, recipientId: recipient.id, text: input.text, createdAt: createdAt.toISOString(), ...(media ? { media } : {}) });
      changed();
      return deliver("direct_message", eventId, payload, payload.for_user_id, createdAt);
    },

    async customerDm(input) {
      const account = findUser(input.to);
      if (!account) throw new SandboxError(404, `to: no sandbox user ${input.to}`);
      const fromName = (input.from ?? "sandbox_customer").replace(/^@/, "");
      let customer = findUser(fromName);
      if (!customer) {
        if (/^\d+$/.test(fromName)) throw new SandboxError(404, `from: no sandbox user ${fromName}`);
        customer = store.addUser({ username: fromName, ...(input.fromName ? { name: input.fromName } : {}) });
        changed();
      }
      if (customer.id === account.id) throw new SandboxError(400, "from and to are the same user");
      const result = await control.inboundDm({ fromUserId: customer.id, toUserId: account.id, text: input.text });
      return { ...result, fromUserId: customer.id, toUserId: account.id };
    },

    async follow(input) {
      const source = store.requireUser(input.fromUserId, "fromUserId");
      const target = store.requireUser(input.toUserId, "toUserId");
      // Follow events carry no id on X; one is made up so callers can correlate deliveries.
      const payload = buildFollowPayload({ source: store.webhookUser(source.id), target: store.webhookUser(target.id) });
      return deliver("follow", store.nextId(), payload, payload.for_user_id);
    },

    async read(input) {
      const reader = store.requireUser(input.readerUserId, "readerUserId");
      const account = store.requireUser(input.accountUserId, "accountUserId");
      const eventId = store.nextId();
      if (input.via === "xaa") {
        const payload = buildXaaDmActivityPayload({ eventType: "dm.read", eventId, sender: store.webhookUser(reader.id), account: store.webhookUser(account.id), dmConversationId: dmConversationId(reader.id, account.id), lastReadEventId: input.lastReadEventId });
        return deliver("read", eventId, payload, account.id);
      }
      const payload = buildReadPayload({ reader: store.webhookUser(reader.id), account: store.webhookUser(account.id), lastReadEventId: input.lastReadEventId });
      return deliver("read", eventId, payload, payload.for_user_id);
    },

    async typing(input) {
      const sender = store.requireUser(input.fromUserId, "fromUserId");
      const account = store.requireUser(input.toUserId, "toUserId");
      // typing events carry no id on X; one is made up so callers can correlate deliveries
      const eventId = store.nextId();
      const payload =
        input.via === "xaa"
          ? buildXaaDmActivityPayload({ eventType: "dm.indicate_typing", eventId, sender: store.webhookUser(sender.id), account: store.webhookUser(account.id), dmConversationId: dmConversationId(sender.id, account.id) })
          : buildTypingPayload({ sender: store.webhookUser(sender.id), account: store.webhookUser(account.id) });
      return deliver("typing", eventId, payload, account.id);
    },

    async revoke(input) {
      const user = store.requireUser(input.userId, "userId");
      // the person removed the app at X: the token stops working, then X tells the app
      store.revokeToken(user.accessToken);
      changed();
      const eventId = store.nextId();
      const at = new Date().toISOString();
      const payload =
        input.via === "xaa"
          ? { data: { event_type: "oauth.revoke", event_uuid: eventId, filter: { user_id: user.id }, payload: { user_id: user.id, created_at: at } } }
          : { user_event: { revoke: { date_time: at, target: { app_id: "sandbox-app" }, source: { user_id: user.id } } } };
      return deliver("revoke", eventId, payload, user.id);
    },

    async mention(input) {
      const author = store.requireUser(input.fromUserId, "fromUserId");
      const account = store.requireUser(input.toUserId, "toUserId");
      if (!input.text) throw new SandboxError(400, "text is required");
      const parent = input.inReplyToPostId !== undefined ? store.posts.find((p) => p.postId === input.inReplyToPostId) : undefined;
      const replayed = input.postId !== undefined ? store.posts.find((p) => p.postId === input.postId) : undefined;
      const postId = replayed?.postId ?? input.postId ?? store.nextId();
      const createdAt = input.createdAt !== undefined ? new Date(input.createdAt) : new Date();
      if (Number.isNaN(createdAt.getTime())) throw new SandboxError(400, "createdAt must be an ISO date-time");
      const post: SandboxPost = replayed ?? {
        postId,
        authorId: author.id,
        text: input.text,
        inReplyToPostId: input.inReplyToPostId ?? null,
        conversationId: parent?.conversationId ?? input.inReplyToPostId ?? postId,
        createdAt: createdAt.toISOString(),
        byApi: false,
      };
      if (!replayed) store.recordPost(post);
      const fields = {
        author: store.webhookUser(author.id),
        account: store.webhookUser(account.id),
        postId,
        text: post.text,
        inReplyToPostId: post.inReplyToPostId,
        inReplyToUserId: parent?.authorId ?? null,
        conversationId: post.conversationId,
        createdAt: new Date(post.createdAt),
      };
      const payload = input.via === "xaa" ? buildXaaPostPayload({ ...fields, eventId: `${postId}-${account.id}` }) : buildMentionPayload(fields);
      const result = await deliver("mention", postId, payload, account.id, new Date(post.createdAt));
      return { ...result, postId, conversationId: post.conversationId };
    },
    async accountPost(input) {
      const account = store.requireUser(input.userId, "userId");
      if (!input.text) throw new SandboxError(400, "text is required");
      const parent = input.inReplyToPostId !== undefined ? store.posts.find((p) => p.postId === input.inReplyToPostId) : undefined;
      const postId = store.nextId();
      const post: SandboxPost = {
        postId,
        authorId: account.id,
        text: input.text,
        inReplyToPostId: input.inReplyToPostId ?? null,
        conversationId: parent?.conversationId ?? input.inReplyToPostId ?? postId,
        createdAt: new Date().toISOString(),
        byApi: false,
      };
      store.recordPost(post);
      const result = await deliver("mention", postId, ownPostPayload(post), account.id);
      return { ...result, postId, conversationId: post.conversationId };
    },
    posts: () => store.posts.map((p) => ({ ...p })),

    config: () => ({ ...store.config }),
    configure(patch) {
      if (patch.webhookUrl !== undefined && patch.webhookUrl !== null && !URL.canParse(patch.webhookUrl)) {
        throw new SandboxError(400, "webhookUrl must be an absolute URL");
      }
      if (patch.webhookUrl !== undefined) store.config.webhookUrl = patch.webhookUrl;
      if (patch.echoOutbound !== undefined) store.config.echoOutbound = patch.echoOutbound;
      if (patch.dmLimitPer15m !== undefined) store.config.dmLimitPer15m = patch.dmLimitPer15m;
      if (patch.dropWebhooks !== undefined) store.config.dropWebhooks = patch.dropWebhooks;
      if (patch.postLimitPer15m !== undefined) store.config.postLimitPer15m = patch.postLimitPer15m;
      changed();
      return { ...store.config };
    },

    addFault(input) {
      const fault = createFault(store.nextId(), input);
      store.faults.push(fault);
      return { ...fault };
    },
    faults: () => store.faults.map((f) => ({ ...f })),
    clearFaults() {
      const cleared = store.faults.length;
      store.faults.length = 0;
      return cleared;
    },

    dms: () => store.dms.map((d) => ({ ...d })),
    media: () => store.mediaViews(),
    requests: () => store.requests.map((r) => ({ ...r })),
    webhooks: () => store.webhooks(),
    deliveries: () => store.deliveries.map((d) => ({ ...d })),
    reset() {
      store.reset();
      oauth.reset();
      changed();
    },
  };

  // every X API, OAuth and control request may have changed the state
  if (saver) app.addHook("onResponse", async () => changed());
  app.setNotFoundHandler((_req, reply) => reply.code(404).send(statusProblem(404)));
  app.register(async (x) => registerXApiRoutes(x, { store, consumerKey: opts.consumerKey, consumerSecret: opts.consumerSecret, crc: (u) => runCrcCheck(u, opts.consumerSecret, webhookTimeoutMs), onDmSent, onPost, replay, delay }));
  app.register(async (c) => registerControlRoutes(c, control), { prefix: "/_sandbox" });
  // 3-legged OAuth: request and access tokens, and the authorize page a person sees
  app.register(async (o) => registerOAuthRoutes(o, { store, oauth, consumerKey: opts.consumerKey, consumerSecret: opts.consumerSecret, delay }));

  return {
    ...control,
    app,
    get url() {
      return url;
    },

    async listen(port = 0, host = "127.0.0.1") {
      await app.listen({ port, host });
      const address = app.server.address();
      const actualPort = typeof address === "object" && address !== null ? address.port : port;
      const urlHost = WILDCARD_HOSTS.has(host) ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;
      url = `http://${urlHost}:${actualPort}`;
      return url;
    },

    async close() {
      for (const done of [...pendingDelays]) done();
      await Promise.allSettled([...background]);
      await app.close();
      saver?.flush();
      url = null;
    },

    waitForDm(predicate = () => true, timeoutMs = 5000) {
      const already = store.dms.find(predicate);
      if (already) return Promise.resolve({ ...already });
      return new Promise<SandboxDm>((resolve, reject) => {
        const listener = (dm: SandboxDm) => {
          if (!predicate(dm)) return;
          clearTimeout(timer);
          dmEvents.off("dm", listener);
          resolve({ ...dm });
        };
        const timer = setTimeout(() => {
          dmEvents.off("dm", listener);
          reject(new Error(`no matching DM was sent within ${timeoutMs} ms`));
        }, timeoutMs);
        dmEvents.on("dm", listener);
      });
    },

    waitForPost(predicate = () => true, timeoutMs = 5000) {
      const already = store.posts.find((p) => p.byApi && predicate(p));
      if (already) return Promise.resolve({ ...already });
      return new Promise<SandboxPost>((resolve, reject) => {
        const listener = (post: SandboxPost) => {
          if (!predicate(post)) return;
          clearTimeout(timer);
          postEvents.off("post", listener);
          resolve({ ...post });
        };
        const timer = setTimeout(() => {
          postEvents.off("post", listener);
          reject(new Error(`no matching post was made within ${timeoutMs} ms`));
        }, timeoutMs);
        postEvents.on("post", listener);
      });
    },

    async settled() {
      while (background.size > 0) await Promise.allSettled([...background]);
    },
  };
}
