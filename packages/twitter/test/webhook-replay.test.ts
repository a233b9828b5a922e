// X's replay of webhook events (POST /2/webhooks/replay) through the client against the sandbox:
// app-only auth, X's date format and window rules, and the post windows' rate-limit headers.
import { createServer, type Server } from "node:http";
import { XApiError } from "@mkt-x/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONSUMER_SECRET, startFixture, type Fixture } from "./support/sandbox-fixture.ts";
import { crcResponseToken, parseCrcToken, verifyWebhookSignature } from "../src/webhook-crypto.ts";

let f: Fixture;
let receiver: Server;
let receiverUrl: string;
const received: { body: Record<string, unknown>; signed: boolean }[] = [];

beforeAll(async () => {
  f = await startFixture();
  // the app's webhook: answers X's CRC, keeps every signed delivery
  receiver = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const token = parseCrcToken(url.searchParams.get("crc_token"));
    if (req.method === "GET" && token) return void res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ response_token: crcResponseToken(CONSUMER_SECRET, token) }));
    let raw = "";
    req.on("data", (c: Buffer) => (raw += c.toString("utf8")));
    req.on("end", () => {
      received.push({ body: JSON.parse(raw) as Record<string, unknown>, signed: verifyWebhookSignature(CONSUMER_SECRET, raw, String(req.headers["x-twitter-webhooks-signature"] ?? "")) });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
  const address = receiver.address();
  receiverUrl = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/webhook`;
});
afterAll(async () => {
  await f.close();
  await new Promise((r) => receiver.close(r));
});

const minute = 60_000;

describe("webhook replay", () => {
  it("replays, app-only, every event of the window to the webhook tagged meta.replay, then says the job is complete", async () => {
    const hook = await f.client.ensureWebhook(f.creds, receiverUrl);
    await f.client.subscribe(f.creds, hook.id);
    const fan = f.sandbox.addUser({ username: "replay_fan" });
    f.sandbox.configure({ dropWebhooks: true });
    const missed = await f.sandbox.mention({ fromUserId: fan.id, toUserId: f.account.id, text: "@acme_store hi", createdAt: new Date(Date.now() - 5 * minute).toISOString() });
    const old = await f.sandbox.mention({ fromUserId: fan.id, toUserId: f.account.id, text: "@acme_store before the window", createdAt: new Date(Date.now() - 30 * minute).toISOString() });
    f.sandbox.configure({ dropWebhooks: false });
    expect(received).toEqual([]);

    const job = await f.client.replayWebhookEvents(hook.id, new Date(Date.now() - 10 * minute), new Date(Date.now() - minute));
    expect(job.jobId).toMatch(/^\d+$/);
    await f.sandbox.settled();
    expect(received.map((r) => r.signed)).toEqual([true, true]);
    expect(received[0]?.body).toMatchObject({ for_user_id: f.account.id, tweet_create_events: [expect.objectContaining({ id_str: missed.postId })], meta: { replay: true } });
    expect(received[1]?.body).toEqual({ replay_job_status: { webhook_id: hook.id, job_state: "Complete", job_state_description: "Job completed successfully", job_id: job.jobId } });
    expect(JSON.stringify(received)).not.toContain(old.postId);

    // app-only: a bearer from POST /oauth2/token with the app's keys, the body in X's yyyymmddhhmm
    const calls = f.sandbox.requests().filter((r) => r.path === "/oauth2/token" || r.path === "/2/webhooks/replay");
    expect(calls.map((r) => [r.method, r.path, r.status, r.userId])).toEqual([
      ["POST", "/oauth2/token", 200, null],
      ["POST", "/2/webhooks/replay", 200, null],
    ]);
    expect(calls[1]?.body).toEqual({ webhook_id: hook.id, from_date: expect.stringMatching(/^\d{12}$/), to_date: expect.stringMatching(/^\d{12}$/) });
  });

  it("refuses what X refuses: more than 24 hours back, to before from, an unknown webhook", async () => {
    const hook = (await f.client.ensureWebhook(f.creds, receiverUrl)).id;
    const kind = (p: Promise<unknown>) => p.then(() => "accepted", (e: unknown) => (e instanceof XApiError ? `${e.kind} ${e.status}` : String(e)));
    expect(await kind(f.client.replayWebhookEvents(hook, new Date(Date.now() - 25 * 3600_000), new Date(Date.now() - minute)))).toBe("bad_request 400");
    expect(await kind(f.client.replayWebhookEvents(hook, new Date(Date.now() - 2 * minute), new Date(Date.now() - 5 * minute)))).toBe("bad_request 400");
    expect(await kind(f.client.replayWebhookEvents("999", new Date(Date.now() - 5 * minute), new Date(Date.now() - minute)))).toBe("not_found 404");
    // without X's app-only bearer the replay is refused
    const signed = await fetch(`${f.baseUrl}/2/webhooks/replay`, { method: "POST" });
    expect(signed.status).toBe(403);
  });

  it("a public reply answers X's post-window headers", async () => {
    f.sandbox.configure({ postLimitPer15m: 1 });
    const fan = f.sandbox.addUser({ username: "replay_poster" });
    const m = await f.sandbox.mention({ fromUserId: fan.id, toUserId: f.account.id, text: "@acme_store q" });
    const posted = await f.client.postReply(f.creds, "@replay_poster a", m.postId);
    expect(posted.rateLimits?.[0]).toMatchObject({ limit: 1, remaining: 0 });
    const again = await f.client.postReply(f.creds, "@replay_poster b", m.postId).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(XApiError);
    expect(again).toMatchObject({ kind: "rate_limited", status: 429 });
    f.sandbox.configure({ postLimitPer15m: null });
  });
});
