// Posts that mention an account or reply to it, in both payload families, read as the sandbox sends them.
import { describe, expect, it } from "vitest";
import { parseEvent } from "../src/server/services/inbound/parse-event.ts";
import { splitWebhookDelivery } from "../src/server/services/webhooks/split-webhook-delivery.ts";

const account = { id: "100", username: "acme_store" };
const author = { id: "200", username: "jane", name: "Jane" };
interface Fields {
  author: { id: string; username: string; name?: string };
  account: { id: string; username: string };
  postId: string;
  text: string;
  inReplyToPostId: string | null;
  inReplyToUserId: string | null;
  conversationId: string;
  createdAt: Date;
}

// the shapes X sends (the sandbox's buildMentionPayload / buildXaaPostPayload make the same)
const buildMentionPayload = (f: Fields) => ({
  for_user_id: f.account.id,
  tweet_create_events: [
    { created_at: "Sat Dec 05 08:00:00 +0000 2026", id_str: f.postId, text: f.text, in_reply_to_status_id_str: f.inReplyToPostId, in_reply_to_user_id_str: f.inReplyToUserId, timestamp_ms: String(f.createdAt.getTime()), user: { id_str: f.author.id, screen_name: f.author.username, name: f.author.name ?? f.author.username } },
  ],
});
const buildXaaPostPayload = (f: Fields & { eventId: string }) => ({
  data: {
    event_type: f.inReplyToUserId === f.account.id ? "post.reply.create" : "post.mention.create",
    event_uuid: f.eventId,
    filter: { user_id: f.account.id },
    payload: { id: f.postId, text: f.text, author_id: f.author.id, conversation_id: f.conversationId, created_at: f.createdAt.toISOString(), ...(f.inReplyToPostId ? { referenced_tweets: [{ type: "replied_to", id: f.inReplyToPostId }] } : {}) },
    includes: { users: [{ id: f.author.id, username: f.author.username, name: f.author.name }] },
  },
});

const fields: Fields = { author, account, postId: "9001", text: "@acme_store where is my order?", inReplyToPostId: null, inReplyToUserId: null, conversationId: "9001", createdAt: new Date("2026-12-05T08:00:00.000Z") };

describe("mentions", () => {
  it("AAA tweet_create_events: post id, author, text, thread and link", () => {
    const [split] = splitWebhookDelivery(buildMentionPayload(fields));
    expect(split).toMatchObject({ kind: "tweet_create", forUserId: "100" });
    const e = parseEvent(split?.kind ?? "", split?.payload, split?.forUserId ?? null);
    expect(e).toMatchObject({ type: "mention", postId: "9001", authorId: "200", text: fields.text, threadId: "9001", inReplyToPostId: null, url: "https://x.com/jane/status/9001", at: fields.createdAt });
    const reply = parseEvent("tweet_create", buildMentionPayload({ ...fields, postId: "9002", inReplyToPostId: "8000", inReplyToUserId: "100", conversationId: "8000" }), null);
    expect(reply).toMatchObject({ type: "mention", postId: "9002", threadId: "8000", inReplyToPostId: "8000" });
    expect(e).toMatchObject({ byAccount: false });
    // the account's own post (its reply in the thread) comes back too: marked as the account's
    expect(parseEvent("tweet_create", buildMentionPayload({ ...fields, author: account, inReplyToPostId: "9001", inReplyToUserId: "200" }), null)).toMatchObject({ type: "mention", byAccount: true, threadId: "9001" });
  });

  it("XAA post.mention.create and post.reply.create: the post's conversation_id is the thread", () => {
    const mention = buildXaaPostPayload({ ...fields, eventId: "e1" });
    const [split] = splitWebhookDelivery(mention);
    expect(split).toMatchObject({ kind: "post.mention.create", forUserId: "100" });
    expect(parseEvent("post.mention.create", mention, null)).toMatchObject({ type: "mention", postId: "9001", authorId: "200", threadId: "9001", url: "https://x.com/jane/status/9001" });
    const reply = buildXaaPostPayload({ ...fields, eventId: "e2", postId: "9003", inReplyToPostId: "8500", inReplyToUserId: "100", conversationId: "8000" });
    expect(splitWebhookDelivery(reply)[0]?.kind).toBe("post.reply.create");
    expect(parseEvent("post.reply.create", reply, null)).toMatchObject({ type: "mention", postId: "9003", threadId: "8000", inReplyToPostId: "8500" });
  });
});
