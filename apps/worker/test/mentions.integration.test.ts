// Mentions and replies end to end: the X sandbox delivers a post that mentions the account (both
// payload families) to the real API, the worker opens a `mention` conversation per thread, and an
// agent's answer goes out as a public reply (POST /2/tweets) to the customer's latest post, never a DM.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SandboxUser } from "@mkt-x/twitter/sandbox";
import { startE2E, type E2E } from "./e2e-harness.ts";
import { eventually } from "./harness.ts";

let e: E2E;
let shop: SandboxUser;

beforeAll(async () => {
  e = await startE2E({ send: { retryBaseMs: 50 } });
  await e.startWorker();
  ({ user: shop } = await e.connect());
});
afterAll(async () => {
  await e?.close();
});

interface Conv {
  id: string;
  channel: string;
  threadId: string | null;
  postUrl: string | null;
  status: string;
  messageCount: number;
  contact: { username: string | null };
}
interface Msg {
  id: string;
  direction: string;
  status: string;
  content: string;
  origin: string;
  twitterMessageId: string | null;
  error?: string | null;
}

const list = async (query: string) => (await e.call<{ data: Conv[] }>("GET", `/conversations?${query}`)).body.data;
const messagesOf = async (id: string) => (await e.call<{ data: { messages: Msg[] } }>("GET", `/conversations/${id}`)).body.data.messages;
const mentionOf = async (username: string) => (await eventually(() => list("channel=mention&limit=100"), (cs) => cs.some((c) => c.contact.username === username))).find((c) => c.contact.username === username);

describe("mentions become conversations answered in public", () => {
  it("a mention opens a `mention` conversation with its thread and link; the answer is posted as a reply to the customer's latest post", async () => {
    const jane = e.sandbox.addUser({ username: "jane_mentions" });
    const first = await e.sandbox.mention({ fromUserId: jane.id, toUserId: shop.id, text: `@${shop.username} where is my order?` });
    expect(first.delivered).toBe(true);
    const conv = await mentionOf("jane_mentions");
    expect(conv).toMatchObject({ channel: "mention", threadId: first.postId, postUrl: `https://x.com/jane_mentions/status/${first.postId}`, status: "open" });
    // the DM filter leaves it out (channel=dm and channel=direct_message alike)
    expect((await list("channel=dm&limit=100")).map((c) => c.id)).not.toContain(conv?.id);
    expect((await list("channel=direct_message&limit=100")).map((c) => c.id)).not.toContain(conv?.id);
    // the same post again (X redelivers; the XAA family too): one message
    await e.sandbox.mention({ fromUserId: jane.id, toUserId: shop.id, text: `@${shop.username} where is my order?`, postId: first.postId });
    await e.sandbox.mention({ fromUserId: jane.id, toUserId: shop.id, text: `@${shop.username} where is my order?`, postId: first.postId, via: "xaa" });
    // a second post of hers in the thread (XAA family): the same conversation
    const second = await e.sandbox.mention({ fromUserId: jane.id, toUserId: shop.id, text: "order #1234", inReplyToPostId: first.postId, via: "xaa" });
    const id = conv?.id ?? "";
    const msgs = await eventually(() => messagesOf(id), (m) => m.length === 2);
    expect(msgs.map((m) => [m.direction, m.content, m.twitterMessageId])).toEqual([
      ["inbound", `@${shop.username} where is my order?`, first.postId],
      ["inbound", "order #1234", second.postId],
    ]);
    expect((await list("channel=mention&limit=100")).filter((c) => c.contact.username === "jane_mentions")).toHaveLength(1);

    const dmsBefore = e.sandbox.dms().length;
    const sent = await e.call<{ data: Msg }>("POST", `/conversations/${id}/messages`, { content: "@jane_mentions it left today 📦" });
    expect(sent.status).toBe(200);
    const post = await e.sandbox.waitForPost((p) => p.authorId === shop.id && p.text === "@jane_mentions it left today 📦", 15_000);
    expect(post).toMatchObject({ inReplyToPostId: second.postId, conversationId: first.postId, byApi: true });
    expect(e.sandbox.requests().filter((r) => r.path === "/2/tweets").at(-1)).toMatchObject({ method: "POST", userId: shop.id, body: { reply: { in_reply_to_tweet_id: second.postId } } });
    const reply = await eventually(() => messagesOf(id), (m) => m.at(-1)?.status === "sent");
    expect(reply.at(-1)).toMatchObject({ direction: "outbound", origin: "inbox", twitterMessageId: post.postId });
    expect(e.sandbox.dms().length).toBe(dmsBefore);
  });

  it("a thread is one conversation whoever posts in it: each post keeps its author, the answer goes to the thread's latest post", async () => {
    const lin = e.sandbox.addUser({ username: "lin_thread" });
    const max = e.sandbox.addUser({ username: "max_thread" });
    const opening = await e.sandbox.mention({ fromUserId: lin.id, toUserId: shop.id, text: `@${shop.username} do you ship to Hanoi?` });
    const conv = await mentionOf("lin_thread");
    const id = conv?.id ?? "";
    const joined = await e.sandbox.mention({ fromUserId: max.id, toUserId: shop.id, text: "same question for Da Nang", inReplyToPostId: opening.postId, via: "xaa" });
    const msgs = await eventually(() => e.call<{ data: { messages: (Msg & { contactId: string })[] } }>("GET", `/conversations/${id}`).then((r) => r.body.data.messages), (m) => m.length === 2);
    expect(msgs.map((m) => m.twitterMessageId)).toEqual([opening.postId, joined.postId]);
    expect(new Set(msgs.map((m) => m.contactId)).size).toBe(2);
    const threads = (await list("channel=mention&limit=100")).filter((c) => c.threadId === opening.postId);
    expect(threads.map((c) => [c.id, c.contact.username, c.messageCount])).toEqual([[id, "lin_thread", 2]]);

    const sent = await e.call("POST", `/conversations/${id}/messages`, { content: "We ship to all of Vietnam 🇻🇳" });
    expect(sent.status).toBe(200);
    const post = await e.sandbox.waitForPost((p) => p.authorId === shop.id && p.text === "We ship to all of Vietnam 🇻🇳", 15_000);
    expect(post).toMatchObject({ inReplyToPostId: joined.postId, conversationId: opening.postId });
  });

  it("X's weighted 280 and attachments are refused with 400 before anything is queued", async () => {
    const tom = e.sandbox.addUser({ username: "tom_mentions" });
    await e.sandbox.mention({ fromUserId: tom.id, toUserId: shop.id, text: `@${shop.username} hi` });
    const id = (await mentionOf("tom_mentions"))?.id ?? "";
    await eventually(() => messagesOf(id), (m) => m.length === 1);
    // 141 CJK characters weigh 282; a long URL counts 23
    const cjk = await e.call<{ success: boolean; code: string; details: { field: string } }>("POST", `/conversations/${id}/messages`, { content: "中".repeat(141) });
    expect(cjk.status).toBe(400);
    expect(cjk.body).toMatchObject({ success: false, code: "VALIDATION_ERROR", details: { field: "content", reason: expect.stringContaining("282 of X's 280") } });
    const media = await e.call<{ code: string; details: { field: string } }>("POST", `/conversations/${id}/messages`, { content: "look", attachments: [{ type: "image", url: "https://example.com/a.png" }] });
    expect(media.status).toBe(400);
    expect(media.body).toMatchObject({ code: "VALIDATION_ERROR", details: { field: "attachments" } });
    const buttons = await e.call("POST", `/conversations/${id}/messages`, { content: "pick", type: "quick_reply", quickReplies: [{ label: "a" }, { label: "b" }] });
    expect(buttons.status).toBe(400);
    expect(await messagesOf(id)).toHaveLength(1);
    const long = await e.call<{ data: Msg }>("POST", `/conversations/${id}/messages`, { content: `${"中".repeat(125)} https://example.com/${"x".repeat(200)}` });
    expect(long.status).toBe(200);
  });

  it("the account's own reply in the thread is recorded as outbound, not as a customer's post", async () => {
    const ann = e.sandbox.addUser({ username: "ann_mentions" });
    const m = await e.sandbox.mention({ fromUserId: ann.id, toUserId: shop.id, text: `@${shop.username} open on Sunday?` });
    const id = (await mentionOf("ann_mentions"))?.id ?? "";
    await eventually(() => messagesOf(id), (ms) => ms.length === 1);
    const own = await e.sandbox.accountPost({ userId: shop.id, text: "@ann_mentions yes, 9 to 5", inReplyToPostId: m.postId });
    expect(own.delivered).toBe(true);
    const msgs = await eventually(() => messagesOf(id), (ms) => ms.length === 2);
    expect(msgs.at(-1)).toMatchObject({ direction: "outbound", origin: "x_app", status: "sent", content: "@ann_mentions yes, 9 to 5", twitterMessageId: own.postId });
    // no conversation of the account with itself
    expect((await list("channel=mention&limit=100")).filter((c) => c.contact.username === shop.username)).toHaveLength(0);
  });
});

interface Execution {
  id: string;
  contactId: string;
  status: string;
  error: string | null;
}

/** The domain.event job of the post (a reply to a post) has run: whatever flows it starts are started. */
async function domainEventDone(postId: string): Promise<void> {
  const [message] = await eventually(async () => (await e.database.pool.query<{ id: string }>("SELECT id::text FROM messages WHERE twitter_message_id = $1", [postId])).rows, (r) => r.length === 1);
  await eventually(
    async () => (await e.database.pool.query<{ state: string }>("SELECT state FROM pgboss.job WHERE name = 'domain.event' AND data->>'messageId' = $1", [message?.id])).rows,
    (r) => r.length === 1 && r[0]?.state === "completed",
  );
}

describe("comment to DM", () => {
  it("a post_reply flow answers each person's keyword comment once, in public, with a DM deep link; DMs to people who never wrote stay refused", async () => {
    const own = await e.sandbox.accountPost({ userId: shop.id, text: "Giveaway! Comment LINK for the details" });
    const create = await e.call<{ data: { id: string } }>("POST", "/automation/flows", {
      name: "comment to DM",
      trigger: { type: "post_reply", config: { postId: own.postId, keywords: ["link"], startsAt: new Date(Date.now() - 60_000).toISOString() } },
      nodes: [{ id: "reply", type: "reply_with_dm_link", config: { text: "Sent! Tap to get the details in DM:", dmText: "Send me the giveaway details" } }],
      connections: [],
    });
    expect(create.status, JSON.stringify(create.body)).toBe(200);
    const flowId = create.body.data.id;
    expect((await e.call("POST", `/automation/flows/${flowId}/activate`)).status).toBe(200);
    // a flow that would DM the commenter directly: held to consent (they never wrote)
    const tpl = await e.call<{ data: { id: string } }>("POST", "/templates", { name: "giveaway dm", type: "text", content: "Here are the details", variables: [] });
    const dmFlow = await e.call<{ data: { id: string } }>("POST", "/automation/flows", { name: "direct DM", trigger: { type: "post_reply", config: { postId: own.postId } }, nodes: [{ id: "dm", type: "send_message", config: { templateId: tpl.body.data.id } }], connections: [] });
    expect(dmFlow.status, JSON.stringify(dmFlow.body)).toBe(200);
    expect((await e.call("POST", `/automation/flows/${dmFlow.body.data.id}/activate`)).status).toBe(200);

    const bob = e.sandbox.addUser({ username: "bob_comments" });
    const comment = await e.sandbox.mention({ fromUserId: bob.id, toUserId: shop.id, text: "LINK please!", inReplyToPostId: own.postId });
    const reply = await e.sandbox.waitForPost((p) => p.authorId === shop.id && p.inReplyToPostId === comment.postId, 15_000);
    const link = `https://x.com/messages/compose?recipient_id=${shop.id}&text=${encodeURIComponent("Send me the giveaway details")}`;
    expect(reply).toMatchObject({ text: `Sent! Tap to get the details in DM: ${link}`, conversationId: own.postId, byApi: true });

    // a second comment of bob's, XAA this time, and a comment without the keyword from someone else
    const again = await e.sandbox.mention({ fromUserId: bob.id, toUserId: shop.id, text: "link? still waiting", inReplyToPostId: own.postId, via: "xaa" });
    const cat = e.sandbox.addUser({ username: "cat_comments" });
    const plain = await e.sandbox.mention({ fromUserId: cat.id, toUserId: shop.id, text: "nice!", inReplyToPostId: own.postId });
    await domainEventDone(again.postId);
    await domainEventDone(plain.postId);
    const execs = await eventually(
      async () => (await e.call<{ data: Execution[] }>("GET", `/automation/flows/${flowId}/executions`)).body.data,
      (x) => x.length === 1 && x[0]?.status === "completed",
    );
    expect(execs).toHaveLength(1);
    const replies = e.sandbox.posts().filter((p) => p.authorId === shop.id && p.byApi && p.conversationId === own.postId);
    expect(replies.map((p) => p.inReplyToPostId)).toEqual([comment.postId]);

    // the direct-DM flow ran for bob and cat, and X got no DM: no consent, they never wrote
    const dmExecs = await eventually(async () => (await e.call<{ data: Execution[] }>("GET", `/automation/flows/${dmFlow.body.data.id}/executions`)).body.data, (x) => x.length === 2 && x.every((r) => r.status === "completed"));
    expect(dmExecs).toHaveLength(2);
    const failed = await eventually(
      async () => (await e.database.pool.query<{ status: string; error: string }>("SELECT status, error FROM messages WHERE origin = 'flow' AND content = 'Here are the details'")).rows,
      (r) => r.length === 2 && r.every((m) => m.status === "failed"),
    );
    expect(failed[0]?.error).toMatch(/no consent/);
    expect(e.sandbox.dms().filter((d) => d.recipientId === bob.id || d.recipientId === cat.id)).toHaveLength(0);
  });

  it("the graph validator and the contract refuse what cannot run", async () => {
    const bad = await e.call<{ code: string }>("POST", "/automation/flows", { name: "x", trigger: { type: "message_received", config: {} }, nodes: [{ id: "r", type: "reply_with_dm_link", config: { text: "hi", dmText: "yo" } }], connections: [] });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe("VALIDATION_ERROR");
    const window = await e.call("POST", "/automation/flows", { name: "x", trigger: { type: "post_reply", config: { postId: "1", startsAt: "2026-12-02T00:00:00Z", endsAt: "2026-12-01T00:00:00Z" } }, nodes: [], connections: [] });
    expect(window.status).toBe(400);
    const long = await e.call("POST", "/automation/flows", { name: "x", trigger: { type: "post_reply", config: { postId: "1" } }, nodes: [{ id: "r", type: "reply_with_dm_link", config: { text: "中".repeat(129), dmText: "yo" } }], connections: [] });
    expect(long.status).toBe(400);
    const notPost = await e.call("POST", "/automation/flows", { name: "x", trigger: { type: "post_reply", config: { postId: "abc" } }, nodes: [], connections: [] });
    expect(notPost.status).toBe(400);
    // the update path checks the assembled graph: a trigger changed away from post_reply
    const ok = await e.call<{ data: { id: string } }>("POST", "/automation/flows", { name: "x", trigger: { type: "post_reply", config: { postId: "1" } }, nodes: [{ id: "r", type: "reply_with_dm_link", config: { text: "中".repeat(128), dmText: "yo" } }], connections: [] });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    const changed = await e.call("PUT", `/automation/flows/${ok.body.data.id}`, { trigger: { type: "new_follower", config: {} } });
    expect(changed.status).toBe(400);
  });
});
