// X's replay of webhook events in the catch-up: while the webhook hears nothing (the sandbox drops
// every delivery, a simulated outage) people mention the account, reply in its thread and write a
// DM; the dm.catchup job then asks X to replay the window (POST /2/webhooks/replay, app-only), X
// redelivers everything it delivered or tried to deliver then, and each event is applied once.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { replayWebhookEvents } from "@mkt-x/core/server";
import type { SandboxUser } from "@mkt-x/twitter/sandbox";
import { startE2E, type E2E } from "./e2e-harness.ts";
import { eventually } from "./harness.ts";

let e: E2E;
let shop: SandboxUser;
let accountId: string;

beforeAll(async () => {
  // connecting registers the API's webhook with X and subscribes the account: the replay is of that webhook
  e = await startE2E({ subscribe: true });
  await e.startWorker();
  ({ user: shop, accountId } = await e.connect("replay_shop"));
  // connected an hour ago: the whole outage below lies after the connection
  await q("UPDATE x_accounts SET connected_at = now() - interval '1 hour' WHERE id = $1", [accountId]);
});
afterAll(async () => {
  await e?.close();
});

const q = async <T = Record<string, unknown>>(sql: string, params: unknown[] = []) => (await e.database.pool.query(sql, params)).rows as T[];
const minutesAgo = (n: number) => new Date(Date.now() - n * 60_000).toISOString();
/** every stored X event applied (or skipped) by its job */
const settled = () => eventually(() => q<{ n: number }>("SELECT count(*)::int AS n FROM webhook_events WHERE status NOT IN ('processed', 'skipped')"), (r) => r[0]?.n === 0);
/** the messages of the X user's conversations with the account, as rows: [channel, content, X id] */
const messagesOf = (xUserId: string) =>
  q<{ channel: string; content: string; twitter_message_id: string }>(
    `SELECT v.channel, m.content, m.twitter_message_id FROM messages m JOIN conversations v ON v.id = m.conversation_id JOIN contacts k ON k.id = m.contact_id
     WHERE k.twitter_user_id = $1 AND m.account_id = $2 ORDER BY m.twitter_message_id`,
    [xUserId, accountId],
  );

describe("X's replay of webhook events after downtime", () => {
  it("mentions, thread replies and DMs missed during an outage arrive once after the catch-up job", async () => {
    expect((await q<{ webhook_id: string | null }>("SELECT webhook_id FROM x_accounts WHERE id = $1", [accountId]))[0]?.webhook_id).toMatch(/^\d+$/);
    const mia = e.sandbox.addUser({ username: "replay_mia", name: "Mia" });
    const leo = e.sandbox.addUser({ username: "replay_leo", name: "Leo" });
    // before the outage: delivered and applied (X replays it too; it must stay one message)
    const before = await e.sandbox.mention({ fromUserId: mia.id, toUserId: shop.id, text: `@${shop.username} is the blue one back?`, createdAt: minutesAgo(6) });
    expect(before.delivered).toBe(true);
    await eventually(() => messagesOf(mia.id), (r) => r.length === 1);

    // the outage: X keeps trying, our webhook hears nothing
    e.sandbox.configure({ dropWebhooks: true });
    const thread = await e.sandbox.mention({ fromUserId: mia.id, toUserId: shop.id, text: "hello? anyone?", inReplyToPostId: before.postId, via: "xaa", createdAt: minutesAgo(4) });
    const mention = await e.sandbox.mention({ fromUserId: leo.id, toUserId: shop.id, text: `@${shop.username} my parcel never came`, createdAt: minutesAgo(3) });
    const dm = await e.sandbox.inboundDm({ fromUserId: leo.id, toUserId: shop.id, text: "order #77, please check", createdAt: minutesAgo(3) });
    expect([thread, mention, dm].map((r) => r.delivered)).toEqual([false, false, false]);
    expect(await messagesOf(leo.id)).toEqual([]);
    e.sandbox.configure({ dropWebhooks: false });

    // the worker's job, as a worker start or the 15-minute schedule runs it
    const requestsBefore = e.sandbox.requests().length;
    await e.queue.send("dm.catchup", {});
    await eventually(() => messagesOf(leo.id), (r) => r.length === 2);
    await eventually(() => messagesOf(mia.id), (r) => r.length === 2);
    await e.sandbox.settled();
    await settled();

    // X was asked once, app-only, for the window since the account's connection up to this minute
    const replayCalls = e.sandbox.requests().slice(requestsBefore).filter((r) => r.path === "/2/webhooks/replay");
    expect(replayCalls).toHaveLength(1);
    expect(replayCalls[0]).toMatchObject({ method: "POST", status: 200, userId: null, body: { webhook_id: expect.stringMatching(/^\d+$/), from_date: expect.stringMatching(/^\d{12}$/), to_date: expect.stringMatching(/^\d{12}$/) } });
    const [mark] = await q<{ replayed_until: Date; last_job_id: string }>("SELECT replayed_until, last_job_id FROM x_webhook_replays");
    expect(mark?.last_job_id).toMatch(/^\d+$/);
    // X redelivered all four (the one delivered before the outage included), tagged with the job
    const replayed = e.sandbox.deliveries().filter((d) => d.replayJobId === mark?.last_job_id);
    expect(replayed.map((d) => d.eventId).sort()).toEqual([before.eventId, thread.eventId, mention.eventId, dm.eventId].sort());
    expect(replayed.every((d) => d.delivered && d.status === 200)).toBe(true);

    // each applied once: Mia's thread holds her two posts, Leo has his mention conversation and his DM
    expect((await messagesOf(mia.id)).map((m) => [m.channel, m.content, m.twitter_message_id])).toEqual([
      ["mention", `@${shop.username} is the blue one back?`, before.postId],
      ["mention", "hello? anyone?", thread.postId],
    ]);
    expect((await messagesOf(leo.id)).map((m) => [m.channel, m.content, m.twitter_message_id]).sort()).toEqual(
      [
        ["mention", `@${shop.username} my parcel never came`, mention.postId],
        ["direct_message", "order #77, please check", dm.eventId],
      ].sort(),
    );
    expect(await q("SELECT id FROM conversations WHERE account_id = $1 AND channel = 'mention'", [accountId])).toHaveLength(2);

    // X's job-complete notice is taken (200) and changes nothing
    const statusNotices = await q<{ kind: string; status: string }>("SELECT kind, status FROM webhook_events WHERE payload::text LIKE '%replay_job_status%'");
    expect(statusNotices.every((n) => n.status === "skipped" || n.status === "processed")).toBe(true);

    // a second run in the same minute has no new window to ask for; the events stay once
    const again = await replayWebhookEvents({ db: e.database.db, x: e.send.x });
    expect(again).toEqual([expect.objectContaining({ from: null, to: null })]);
    // the next run, a minute on, asks from where the last job ended: nothing applies twice
    const next = await replayWebhookEvents({ db: e.database.db, x: e.send.x, now: () => new Date(Date.now() + 60_000) });
    expect(next[0]).toMatchObject({ from: mark?.replayed_until, jobId: expect.stringMatching(/^\d+$/) });
    await e.sandbox.settled();
    await settled();
    expect(await messagesOf(mia.id)).toHaveLength(2);
    expect(await messagesOf(leo.id)).toHaveLength(2);
  });

  it("X refusing the replay (a 403: not in the app's package, or a 429) leaves the window to the next run", async () => {
    // the last job ended five minutes ago
    await q("UPDATE x_webhook_replays SET replayed_until = date_trunc('minute', now()) - interval '5 minutes'");
    const [mark] = await q<{ replayed_until: Date }>("SELECT replayed_until FROM x_webhook_replays");
    e.sandbox.addFault({ method: "POST", path: "/2/webhooks/replay", status: 403 });
    const refused = await replayWebhookEvents({ db: e.database.db, x: e.send.x });
    expect(refused[0]).toMatchObject({ from: mark?.replayed_until, error: expect.stringContaining("403") });
    expect((await q<{ replayed_until: Date }>("SELECT replayed_until FROM x_webhook_replays"))[0]?.replayed_until).toEqual(mark?.replayed_until);
    e.sandbox.addFault({ method: "POST", path: "/2/webhooks/replay", status: 429, resetInSeconds: 60 });
    const limited = await replayWebhookEvents({ db: e.database.db, x: e.send.x });
    expect(limited[0]).toMatchObject({ from: mark?.replayed_until, rateLimitedUntil: expect.any(Date) });
    // the next run asks for the same start again, and X takes it
    const retried = await replayWebhookEvents({ db: e.database.db, x: e.send.x });
    expect(retried[0]).toMatchObject({ from: mark?.replayed_until, jobId: expect.stringMatching(/^\d+$/) });
    expect((await q<{ replayed_until: Date }>("SELECT replayed_until FROM x_webhook_replays"))[0]?.replayed_until.getTime()).toBeGreaterThan(mark?.replayed_until.getTime() ?? Infinity);
  });

  it("never asks X to replay from before a GDPR erasure on an account of the webhook", async () => {
    await q("UPDATE x_webhook_replays SET replayed_until = date_trunc('minute', now()) - interval '30 minutes'");
    const person = e.sandbox.addUser({ username: "replay_erased" });
    await e.sandbox.mention({ fromUserId: person.id, toUserId: shop.id, text: `@${shop.username} my address is 1 Main St`, createdAt: minutesAgo(10) });
    const [contact] = await eventually(() => q<{ id: string }>("SELECT id FROM contacts WHERE twitter_user_id = $1", [person.id]), (r) => r.length === 1);
    expect((await e.call("DELETE", `/contacts/${contact?.id}`)).status).toBe(200);
    expect((await q<{ catchup_not_before: Date | null }>("SELECT catchup_not_before FROM x_accounts WHERE id = $1", [accountId]))[0]?.catchup_not_before).toBeInstanceOf(Date);
    // as if the erasure was five minutes ago: the post of ten minutes ago lies before it
    await q("UPDATE x_accounts SET catchup_not_before = now() - interval '5 minutes' WHERE id = $1", [accountId]);
    const [erased] = await q<{ catchup_not_before: Date }>("SELECT catchup_not_before FROM x_accounts WHERE id = $1", [accountId]);
    const replays = await replayWebhookEvents({ db: e.database.db, x: e.send.x });
    // the window starts at the first whole minute after the erasure, not where the last job ended
    const from = replays[0]?.from?.getTime() ?? 0;
    expect(from).toBeGreaterThanOrEqual(erased?.catchup_not_before.getTime() ?? Infinity);
    expect(from - (erased?.catchup_not_before.getTime() ?? 0)).toBeLessThanOrEqual(60_000);
    await e.sandbox.settled();
    await settled();
    expect(await q("SELECT id FROM contacts WHERE twitter_user_id = $1", [person.id])).toEqual([]);
  });
});
