// X's POST /2/tweets as the service calls it to answer a mention in public: text, and
// `reply.in_reply_to_tweet_id`. Registered inside the X API routes (OAuth 1.0a, faults, request log).
import type { FastifyInstance, FastifyRequest } from "fastify";
import { isRecord } from "../json-narrowing.ts";
import type { SandboxPost, SandboxStore, SandboxUser } from "./sandbox-store.ts";
import { invalidRequest, statusProblem } from "./x-problems.ts";

/** X's limit for a post of a standard account, in characters (the sandbox counts UTF-16 units). */
const POST_TEXT_LIMIT = 280;

export function registerPostRoutes(app: FastifyInstance, store: SandboxStore, userOf: (req: FastifyRequest) => SandboxUser, onPost: (post: SandboxPost) => void): void {
  app.post("/2/tweets", async (req, reply) => {
    const author = userOf(req);
    const body = isRecord(req.body) ? req.body : {};
    const text = body["text"];
    if (typeof text !== "string" || text.trim().length === 0 || text.length > POST_TEXT_LIMIT) {
      return reply.code(400).send(invalidRequest(`text must be 1 to ${POST_TEXT_LIMIT} characters`, { text: [] }));
    }
    const replyTo = isRecord(body["reply"]) ? body["reply"]["in_reply_to_tweet_id"] : undefined;
    if (replyTo !== undefined && (typeof replyTo !== "string" || !/^\d{1,19}$/.test(replyTo))) {
      return reply.code(400).send(invalidRequest("reply.in_reply_to_tweet_id must be a post id", { in_reply_to_tweet_id: [typeof replyTo === "string" ? replyTo : JSON.stringify(replyTo)] }));
    }
    // X's per-user post window, answered in its headers, 429 past the limit (as for DMs)
    const limit = store.config.postLimitPer15m ?? null;
    if (limit !== null) {
      const windowMs = 15 * 60_000;
      const since = Date.now() - windowMs;
      const recent = store.posts.filter((p) => p.byApi && p.authorId === author.id && Date.parse(p.createdAt) > since);
      const oldest = recent[0] ? Date.parse(recent[0].createdAt) : Date.now();
      const used = recent.length + 1;
      void reply.headers({
        "x-rate-limit-limit": String(limit),
        "x-rate-limit-remaining": String(Math.max(0, limit - used)),
        "x-rate-limit-reset": String(Math.ceil((oldest + windowMs) / 1000)),
      });
      if (used > limit) return reply.code(429).send(statusProblem(429));
    }
    const parent = typeof replyTo === "string" ? store.posts.find((p) => p.postId === replyTo) : undefined;
    const postId = store.nextId();
    const post: SandboxPost = {
      postId,
      authorId: author.id,
      text,
      inReplyToPostId: typeof replyTo === "string" ? replyTo : null,
      conversationId: parent?.conversationId ?? (typeof replyTo === "string" ? replyTo : postId),
      createdAt: new Date().toISOString(),
      byApi: true,
    };
    store.recordPost(post);
    onPost(post);
    return reply.code(201).send({ data: { id: postId, text, edit_history_tweet_ids: [postId] } });
  });
}
