// Public replies live under X's post limits (POST /2/tweets), not the DM windows: a full DM window
// never holds a public reply, a full post window refuses the agent's public reply with 429 before
// anything is queued, and X's own word on /2/tweets (its 429, x-rate-limit-remaining 0) pauses the
// account's posts only, never its DMs.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SendWindowLimits } from "@mkt-x/core/server";
import type { SandboxUser } from "@mkt-x/twitter/sandbox";
import { startE2E, type E2E } from "./e2e-harness.ts";
import { eventually } from "./harness.ts";

// one DM per account per window, two posts per account per 15 minutes
const WINDOWS: SendWindowLimits = { accountPer15m: 1, accountPer24h: 1, appPer24h: 1000, accountCampaignPer24h: 1000, posts: { accountPer15m: 2, accountPer24h: null, appPer24h: null } };

let e: E2E;

beforeAll(async () => {
  e = await startE2E({ windows: WINDOWS, apiWindows: true, send: { retryBaseMs: 50 } });
  await e.startWorker();
});
afterAll(async () => {
  await e?.close();
});

interface Msg {
  id: string;
  status: string;
  content: string;
  direction: string;
}
interface Refusal {
  success: false;
  code: string;
  error: string;
  details: { reason: string; retryAt: string; retryAfterSeconds: number };
}
const q = async <T = Record<string, unknown>>(sql: string, params: unknown[] = []) => (await e.database.pool.query(sql, params)).rows as T[];
const messagesOf = async (id: string) => (await e.call<{ data: { messages: Msg[] } }>("GET", `/conversations/${id}`)).body.data.messages;
const reply = (conversationId: string, content: string) => e.call<{ data: Msg } | Refusal>("POST", `/conversations/${conversationId}/messages`, { content });

/** A DM conversation and a mention conversation of two people with the account. */
async function conversations(shop: SandboxUser, tag: string) {
  const dmPerson = e.sandbox.addUser({ username: `${tag}_dm` });
  const poster = e.sandbox.addUser({ username: `${tag}_post` });
  await e.sandbox.inboundDm({ fromUserId: dmPerson.id, toUserId: shop.id, text: "hi by DM" });
  const mention = await e.sandbox.mention({ fromUserId: poster.id, toUserId: shop.id, text: `@${shop.username} hi in public` });
  const rows = await eventually(
    () => q<{ id: string; channel: string; username: string }>("SELECT v.id, v.channel, k.username FROM conversations v JOIN contacts k ON k.id = v.contact_id WHERE k.username = ANY($1)", [[dmPerson.username, poster.username]]),
    (r) => r.length === 2,
  );
  const idOf = (channel: string) => rows.find((r) => r.channel === channel)?.id ?? "";
  return { dm: idOf("direct_message"), mention: idOf("mention"), postId: mention.postId };
}

describe("public replies under X's post limits", () => {
  it("a full DM window holds DMs but not public replies; a full post window answers 429 and queues nothing", async () => {
    const { user: shop } = await e.connect();
    const c = await conversations(shop, "pw1");

    // the one DM of the window goes out; the next waits in the pipeline for the window
    expect((await reply(c.dm, "first DM")).status).toBe(200);
    await e.sandbox.waitForDm((d) => d.text === "first DM", 15_000);
    expect((await reply(c.dm, "second DM")).status).toBe(200);
    await eventually(() => q<{ error: string | null; status: string }>("SELECT status, error FROM messages WHERE content = 'second DM'"), (r) => r[0]?.status === "queued");

    // public replies: posts have their own window, untouched by the full DM one
    for (const text of ["first public reply", "second public reply"]) {
      expect((await reply(c.mention, text)).status).toBe(200);
      const post = await e.sandbox.waitForPost((p) => p.text === text, 15_000);
      expect(post).toMatchObject({ authorId: shop.id, inReplyToPostId: c.postId });
    }
    await eventually(() => messagesOf(c.mention), (m) => m.filter((x) => x.direction === "outbound" && x.status === "sent").length === 2);

    // the post window is full: the agent is told at once, and nothing is queued
    const before = (await messagesOf(c.mention)).length;
    const refused = await reply(c.mention, "third public reply");
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ success: false, code: "RATE_LIMIT_EXCEEDED", details: { reason: "posts per account, 15 minutes", retryAfterSeconds: expect.any(Number) } });
    const details = (refused.body as Refusal).details;
    expect(details.retryAfterSeconds).toBeGreaterThan(14 * 60);
    expect(new Date(details.retryAt).getTime()).toBeGreaterThan(Date.now() + 14 * 60_000);
    // REST clients read when to try again from Retry-After too
    const raw = await fetch(`${e.base}/conversations/${c.mention}/messages`, { method: "POST", headers: { authorization: `Bearer ${e.token}`, "content-type": "application/json" }, body: JSON.stringify({ content: "third public reply" }) });
    expect(raw.status).toBe(429);
    expect(Number(raw.headers.get("retry-after"))).toBeGreaterThan(14 * 60);
    expect(await messagesOf(c.mention)).toHaveLength(before);
    expect(e.sandbox.posts().filter((p) => p.text === "third public reply")).toEqual([]);
    // the second DM still waits for the DM window (it never took a post slot)
    expect((await q<{ status: string }>("SELECT status FROM messages WHERE content = 'second DM'"))[0]?.status).toBe("queued");
  });

  it("X's x-rate-limit-remaining 0 and X's 429 on /2/tweets pause the account's posts, never its DMs", async () => {
    const { user: shop, accountId } = await e.connect();
    const c = await conversations(shop, "pw2");
    // X allows this user one post per 15 minutes, and says so in its headers
    e.sandbox.configure({ postLimitPer15m: 1 });
    try {
      expect((await reply(c.mention, "the only post X allows")).status).toBe(200);
      await e.sandbox.waitForPost((p) => p.text === "the only post X allows", 15_000);
      const [paused] = await eventually(() => q<{ post_paused_until: Date | null; send_paused_until: Date | null }>("SELECT post_paused_until, send_paused_until FROM x_accounts WHERE id = $1", [accountId]), (r) => r[0]?.post_paused_until !== null);
      expect(paused?.post_paused_until?.getTime()).toBeGreaterThan(Date.now() + 14 * 60_000);
      expect(paused?.send_paused_until).toBeNull();
      // the next public reply is refused before X is asked (no 429 spent at X)
      const posts = e.sandbox.requests().filter((r) => r.path === "/2/tweets").length;
      const refused = await reply(c.mention, "one too many");
      expect(refused.status).toBe(429);
      expect(refused.body).toMatchObject({ code: "RATE_LIMIT_EXCEEDED", details: { reason: "X paused the account's posts (its rate limit)" } });
      expect(e.sandbox.requests().filter((r) => r.path === "/2/tweets")).toHaveLength(posts);
      // DMs go on
      expect((await reply(c.dm, "a DM meanwhile")).status).toBe(200);
      await e.sandbox.waitForDm((d) => d.text === "a DM meanwhile", 15_000);
    } finally {
      e.sandbox.configure({ postLimitPer15m: null });
    }

    // X's 429 on a post the windows allowed (X counts what other apps posted too): the post is
    // deferred to X's reset, the account's posts pause, its DMs do not
    const other = await e.connect();
    const d = await conversations(other.user, "pw3");
    e.sandbox.addFault({ method: "POST", path: "/2/tweets", status: 429, resetInSeconds: 600 });
    expect((await reply(d.mention, "refused by X")).status).toBe(200);
    const [account] = await eventually(() => q<{ post_paused_until: Date | null; send_paused_until: Date | null }>("SELECT post_paused_until, send_paused_until FROM x_accounts WHERE id = $1", [other.accountId]), (r) => r[0]?.post_paused_until !== null);
    expect(e.sandbox.requests().filter((r) => r.path === "/2/tweets" && r.fault === 429)).toHaveLength(1);
    // back in the queue for X's reset, not failed, not posted
    await eventually(() => q<{ status: string }>("SELECT status FROM messages WHERE content = 'refused by X'"), (r) => r[0]?.status === "queued");
    expect(await q("SELECT j.id FROM pgboss.job j JOIN messages m ON j.data->>'messageId' = m.id::text WHERE m.content = 'refused by X' AND j.state = 'created' AND j.start_after > now() + interval '9 minutes'")).toHaveLength(1);
    expect(e.sandbox.posts().filter((p) => p.text === "refused by X")).toEqual([]);
    expect(account?.post_paused_until?.getTime()).toBeGreaterThan(Date.now() + 9 * 60_000);
    expect(account?.send_paused_until).toBeNull();
    expect((await reply(d.dm, "DMs are not paused")).status).toBe(200);
    await e.sandbox.waitForDm((x) => x.text === "DMs are not paused", 15_000);
  });
});
