// The sandbox's own control API under /_sandbox: plain JSON, no OAuth, never faulted. Each route
// is a thin wrapper over the programmatic API so tests can use either.
import type { FastifyInstance } from "fastify";
import { FAULT_STATUSES, type FaultInput } from "./faults.ts";
import type { AddUserInput, SandboxConfig } from "./sandbox-store.ts";
import type { AccountPostInput, CustomerDmInput, FollowInput, InboundDmInput, MentionInput, ReadInput, RevokeInput, TypingInput, XSandboxControl } from "./x-sandbox-types.ts";

const str = { type: "string", minLength: 1 } as const;
const object = (required: string[], properties: Record<string, unknown>) => ({ type: "object", required, properties, additionalProperties: false });

/** What GET /_sandbox lists: the control API at a glance, for a person with a browser or curl. */
export const CONTROL_ROUTES = [
  { method: "POST", path: "/_sandbox/customer-dm", body: "{ to, from?, fromName?, text }", does: "a customer (by username, created on first use) writes to an account (username or id)" },
  { method: "POST", path: "/_sandbox/inbound-dm", body: "{ fromUserId, toUserId, text, eventId?, createdAt?, quickReplyMetadata?, media?: { type: photo|animated_gif|video, url } }", does: "a DM between two sandbox users, by id" },
  { method: "POST", path: "/_sandbox/follow", body: "{ fromUserId, toUserId }", does: "a follow event" },
  { method: "POST", path: "/_sandbox/read", body: "{ readerUserId, accountUserId, lastReadEventId, via?: aaa|xaa }", does: "a read receipt: direct_message_mark_read_events or dm.read" },
  { method: "POST", path: "/_sandbox/typing", body: "{ fromUserId, toUserId, via?: aaa|xaa }", does: "a person is typing to an account: direct_message_indicate_typing_events or dm.indicate_typing" },
  { method: "POST", path: "/_sandbox/mention", body: "{ fromUserId, toUserId, text, inReplyToPostId?, via?: aaa|xaa, postId?, createdAt? }", does: "a person posts mentioning an account (or replying to its post): tweet_create_events or post.mention.create / post.reply.create" },
  { method: "POST", path: "/_sandbox/account-post", body: "{ userId, text, inReplyToPostId? }", does: "the account posts in the X app (a post, or a reply in a thread): tweet_create_events for it" },
  { method: "GET", path: "/_sandbox/posts", does: "the posts: the service's public replies (byApi) and the mentions made here" },
  { method: "GET", path: "/_sandbox/dms", does: "the DMs the service sent through the API (mediaId: the media a DM carried)" },
  { method: "GET", path: "/_sandbox/media", does: "the media uploaded through X's media upload, with owner, type, size and SHA-256" },
  { method: "GET", path: "/_sandbox/deliveries", does: "the events the sandbox delivered to webhooks, with their answers" },
  { method: "GET", path: "/_sandbox/requests", does: "every X API request the sandbox received" },
  { method: "GET", path: "/_sandbox/users", does: "the sandbox users with their access tokens" },
  { method: "POST", path: "/_sandbox/users", body: "{ username, id?, name?, profileImageUrl? }", does: "add a user (or reissue its tokens)" },
  { method: "GET", path: "/_sandbox/webhooks", does: "registered webhooks and their subscriptions" },
  { method: "GET", path: "/_sandbox/config", does: "default webhook URL, echo setting, DM and post rate limits (dmLimitPer15m, postLimitPer15m) and dropWebhooks (POST to change; dropWebhooks: true simulates an outage: events are kept in X's DM history, and for POST /2/webhooks/replay, but not delivered)" },
  { method: "POST", path: "/_sandbox/faults", body: "{ method?, path?, status?, count?, sticky?, resetInSeconds?, latencyMs?, rate?, seed? }", does: "make X API calls fail or slow (GET lists, DELETE clears); rate: the share of matching calls hit, drawn from a generator seeded with seed (same seed, same hits)" },
  { method: "POST", path: "/_sandbox/reset", does: "forget everything" },
] as const;

export function registerControlRoutes(app: FastifyInstance, sandbox: XSandboxControl): void {
  app.get("/", async () => ({ name: "X sandbox control API", routes: CONTROL_ROUTES }));
  app.post<{ Body: AddUserInput }>(
    "/users",
    { schema: { body: object(["username"], { id: str, username: str, name: str, profileImageUrl: str }) } },
    async (req, reply) => reply.code(201).send(sandbox.addUser(req.body)),
  );
  app.get("/users", async () => sandbox.users());

  app.post<{ Body: InboundDmInput }>(
    "/inbound-dm",
    { schema: { body: object(["fromUserId", "toUserId", "text"], { fromUserId: str, toUserId: str, text: str, eventId: str, createdAt: str, quickReplyMetadata: str, media: object(["type", "url"], { type: { type: "string", enum: ["photo", "animated_gif", "video"] }, url: str }) }) } },
    async (req) => sandbox.inboundDm(req.body),
  );
  // a person plays a customer: usernames instead of ids, the customer created on first use
  app.post<{ Body: CustomerDmInput }>(
    "/customer-dm",
    { schema: { body: object(["to", "text"], { to: str, from: str, fromName: str, text: str }) } },
    async (req) => sandbox.customerDm(req.body),
  );
  app.post<{ Body: FollowInput }>(
    "/follow",
    { schema: { body: object(["fromUserId", "toUserId"], { fromUserId: str, toUserId: str }) } },
    async (req) => sandbox.follow(req.body),
  );
  app.post<{ Body: ReadInput }>(
    "/read",
    { schema: { body: object(["readerUserId", "accountUserId", "lastReadEventId"], { readerUserId: str, accountUserId: str, lastReadEventId: str, via: { type: "string", enum: ["aaa", "xaa"] } }) } },
    async (req) => sandbox.read(req.body),
  );
  app.post<{ Body: TypingInput }>(
    "/typing",
    { schema: { body: object(["fromUserId", "toUserId"], { fromUserId: str, toUserId: str, via: { type: "string", enum: ["aaa", "xaa"] } }) } },
    async (req) => sandbox.typing(req.body),
  );

  app.post<{ Body: RevokeInput }>(
    "/revoke",
    { schema: { body: object(["userId"], { userId: str, via: { type: "string", enum: ["aaa", "xaa"] } }) } },
    async (req) => sandbox.revoke(req.body),
  );

  app.post<{ Body: MentionInput }>(
    "/mention",
    { schema: { body: object(["fromUserId", "toUserId", "text"], { fromUserId: str, toUserId: str, text: str, inReplyToPostId: str, postId: str, createdAt: str, via: { type: "string", enum: ["aaa", "xaa"] } }) } },
    async (req) => sandbox.mention(req.body),
  );
  app.post<{ Body: AccountPostInput }>(
    "/account-post",
    { schema: { body: object(["userId", "text"], { userId: str, text: str, inReplyToPostId: str }) } },
    async (req) => sandbox.accountPost(req.body),
  );
  app.get("/posts", async () => sandbox.posts());

  app.get("/config", async () => sandbox.config());
  app.post<{ Body: Partial<SandboxConfig> }>(
    "/config",
    { schema: { body: object([], { webhookUrl: { type: ["string", "null"] }, echoOutbound: { type: "boolean" }, dmLimitPer15m: { type: ["integer", "null"], minimum: 1 }, postLimitPer15m: { type: ["integer", "null"], minimum: 1 }, dropWebhooks: { type: "boolean" } }) } },
    async (req) => sandbox.configure(req.body),
  );

  app.post<{ Body: FaultInput }>(
    "/faults",
    {
      schema: {
        body: object([], {
          method: str,
          path: str,
          status: { type: "integer", enum: [...FAULT_STATUSES] },
          count: { type: "integer", minimum: 0 },
          sticky: { type: "boolean" },
          resetInSeconds: { type: "number", minimum: 0 },
          latencyMs: { type: "number", minimum: 0 },
          rate: { type: "number", exclusiveMinimum: 0, maximum: 1 },
          seed: { type: "integer" },
        }),
      },
    },
    async (req, reply) => reply.code(201).send(sandbox.addFault(req.body)),
  );
  app.get("/faults", async () => sandbox.faults());
  app.delete("/faults", async () => ({ cleared: sandbox.clearFaults() }));

  app.get("/dms", async () => sandbox.dms());
  app.get("/media", async () => sandbox.media());
  app.get("/requests", async () => sandbox.requests());
  app.get("/webhooks", async () => sandbox.webhooks());
  app.get("/deliveries", async () => sandbox.deliveries());
  app.post("/reset", async () => {
    sandbox.reset();
    return { reset: true };
  });
}
