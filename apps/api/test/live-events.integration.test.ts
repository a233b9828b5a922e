// The live event stream over real HTTP, on two API instances sharing one database: events written
// elsewhere (as the worker does: its own connection, its own transaction) reach streams on any
// instance, rollbacks send nothing, resume replays what was missed, each merchant and role sees
// what it may, a client that stops reading is dropped.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import http from "node:http";
import { createTRPCClient, httpSubscriptionLink } from "@trpc/client";
import { EventSource } from "eventsource";
import { recordEvents, type NewLiveEvent } from "@mkt-x/core/server";
import type { AppRouter } from "../src/router.ts";
import { startHarness, type ApiInstance, type Harness } from "./harness.ts";
import { eventOf, openSse, type SseStream } from "./sse-client.ts";

let h: Harness;
let other: ApiInstance;
const streams: SseStream[] = [];

beforeAll(async () => {
  h = await startHarness({ liveEvents: { heartbeatMs: 100 } });
  other = await h.startInstance({ liveEvents: { heartbeatMs: 100, maxBufferedBytes: 64 * 1024 } });
});
afterAll(async () => {
  for (const s of streams) s.close();
  await h?.close();
});

async function stream(instance: ApiInstance, opts: { token?: string | null; lastEventId?: string } = {}) {
  const s = await openSse(`${instance.base}/events/stream`, { token: opts.token === undefined ? await h.token() : opts.token, ...(opts.lastEventId !== undefined ? { lastEventId: opts.lastEventId } : {}) });
  streams.push(s);
  return s;
}

/** What the worker does: events in a transaction of its own, on its own connection. */
const commit = (events: NewLiveEvent[]) => h.database.db.$transaction((tx) => recordEvents(tx, events));

describe("GET /events/stream", () => {
  it("answers 401 in the envelope without a token", async () => {
    const s = await stream(h, { token: null });
    expect(s.status).toBe(401);
    expect(s.body).toMatchObject({ success: false, code: "UNAUTHORIZED" });
  });

  it("delivers an event committed by another process to a stream held on another instance; a rollback sends nothing", async () => {
    const merchantId = randomUUID();
    const s = await stream(other, { token: await h.token({ merchantId }) });
    expect(s.status).toBe(200);
    expect(s.headers.get("content-type")).toMatch(/^text\/event-stream/);
    await expect(
      h.database.db.$transaction(async (tx) => {
        await recordEvents(tx, [{ merchantId, type: "contact.created", data: { id: "rolled-back" } }]);
        throw new Error("roll back");
      }),
    ).rejects.toThrow("roll back");
    await commit([{ merchantId, type: "contact.updated", data: { id: "committed", tags: ["vip"] } }]);
    const first = await s.nth(1);
    const event = eventOf(first);
    expect(first.event).toBe("contact.updated");
    expect(first.id).toBe(event.id);
    expect(event).toMatchObject({ type: "contact.updated", data: { id: "committed", tags: ["vip"] } });
    expect(new Date(event.at).toISOString()).toBe(event.at);
  });

  it("an event that took a lower id but committed later is not skipped", async () => {
    const merchantId = randomUUID();
    const s = await stream(other, { token: await h.token({ merchantId }) });
    // the first transaction takes its id, the second takes a higher one and commits first
    let releaseFirst: () => void = () => {};
    const firstHolds = new Promise<void>((resolve) => (releaseFirst = resolve));
    let firstWrote: () => void = () => {};
    const wrote = new Promise<void>((resolve) => (firstWrote = resolve));
    const slow = h.database.db.$transaction(async (tx) => {
      await recordEvents(tx, [{ merchantId, type: "message.created", data: { n: 1 } }]);
      firstWrote();
      await firstHolds;
    });
    await wrote;
    await commit([{ merchantId, type: "message.created", data: { n: 2 } }]);
    releaseFirst();
    await slow;
    await s.nth(2);
    // both, in id order: the later commit waited for the earlier id
    expect(s.messages.map((m) => eventOf(m).data.n)).toEqual([1, 2]);
  });

  it("resumes after Last-Event-ID with what was missed, and nothing older than 10 minutes", async () => {
    const merchantId = randomUUID();
    const token = await h.token({ merchantId });
    const s = await stream(h, { token });
    await commit([{ merchantId, type: "conversation.created", data: { step: 1 } }]);
    const seen = eventOf(await s.nth(1));
    s.close();
    await commit([{ merchantId, type: "conversation.updated", data: { step: 2 } }, { merchantId, type: "message.created", data: { step: 3 } }]);
    const resumed = await stream(other, { token, lastEventId: seen.id });
    await commit([{ merchantId, type: "message.updated", data: { step: 4 } }]);
    await resumed.nth(3);
    expect(resumed.messages.map((m) => eventOf(m).data.step)).toEqual([2, 3, 4]);

    // an event of 11 minutes ago is past the resume window
    const watcher = await stream(h, { token });
    await h.database.pool.query(`INSERT INTO live_events (merchant_id, type, data, at) VALUES ($1, 'contact.updated', '{"step":"old"}', now() - interval '11 minutes')`, [merchantId]);
    await commit([{ merchantId, type: "contact.updated", data: { step: 5 } }]);
    // this instance's bus has passed both rows live before the resuming client connects
    await watcher.next((m) => eventOf(m).data.step === 5);
    watcher.close();
    const fromStart = await stream(h, { token, lastEventId: "0" });
    await fromStart.nth(5);
    expect(fromStart.messages.map((m) => eventOf(m).data.step)).toEqual([1, 2, 3, 4, 5]);
  });

  it("a merchant sees only its own events; an agent or viewer only the inbox types", async () => {
    const merchantId = randomUUID();
    const otherMerchant = randomUUID();
    const owner = await stream(h, { token: await h.token({ merchantId, role: "owner" }) });
    const agent = await stream(other, { token: await h.token({ merchantId, role: "agent" }) });
    const viewer = await stream(h, { token: await h.token({ merchantId, role: "viewer" }) });
    const stranger = await stream(other, { token: await h.token({ merchantId: otherMerchant }) });
    await commit([
      { merchantId: otherMerchant, type: "campaign.updated", data: { whose: "other" } },
      { merchantId, type: "campaign.updated", data: { whose: "mine" } },
      { merchantId, type: "flow.execution.updated", data: { whose: "mine" } },
      { merchantId, type: "message.created", data: { whose: "mine" } },
    ]);
    await owner.nth(3);
    expect(owner.messages.map((m) => m.event)).toEqual(["campaign.updated", "flow.execution.updated", "message.created"]);
    expect(owner.messages.every((m) => eventOf(m).data.whose === "mine")).toBe(true);
    for (const inbox of [agent, viewer]) {
      const first = await inbox.nth(1);
      expect(first.event).toBe("message.created");
    }
    expect((await stranger.nth(1)).event).toBe("campaign.updated");
    expect(eventOf(stranger.messages[0] ?? { id: "", event: "", data: "{}" }).data.whose).toBe("other");
  });

  it("counts once against the rate limit when it connects, and holds nothing while open", async () => {
    const limited = await h.startInstance({ rateLimitPerMinute: 5 });
    const token = await h.token({ merchantId: randomUUID() });
    const first = await stream(limited, { token });
    expect(first.headers.get("x-ratelimit-limit")).toBe("5");
    expect(first.headers.get("x-ratelimit-remaining")).toBe("4");
    await stream(limited, { token });
    const call = await h.call("GET", `${limited.base}/accounts`, { token });
    expect(call.status).toBe(200);
    expect(call.headers.get("x-ratelimit-remaining")).toBe("2");
  });

  it("sends heartbeat comments so proxies keep an idle stream", async () => {
    const s = await stream(h);
    await expect(s.comment((c) => c === "heartbeat")).resolves.toBe("heartbeat");
  });

  it("drops a client that stops reading once its unread bytes pass the bound, without buffering the rest", async () => {
    const merchantId = randomUUID();
    const token = await h.token({ merchantId });
    const url = new URL(`${other.base}/events/stream`);
    const before = other.events.size;
    const response = await new Promise<http.IncomingMessage>((resolve, reject) => {
      http.get(url, { headers: { authorization: `Bearer ${token}` } }, resolve).on("error", reject);
    });
    expect(response.statusCode).toBe(200);
    response.pause();
    // the connection ends from the server's side (nothing here reads or closes it)
    const closed = new Promise<void>((resolve) => response.socket.once("close", () => resolve()));
    await expect.poll(() => other.events.size).toBe(before + 1);
    // far more than the socket buffers hold: 16 MB of events
    const big = "x".repeat(64 * 1024);
    const total = 256;
    for (let i = 0; i < total; i += 32) {
      await commit(Array.from({ length: 32 }, (_, k) => ({ merchantId, type: "message.created" as const, data: { n: i + k, big } })));
    }
    // the server let go of it: its subscription is gone and the connection closed, while most of
    // what was committed never sat in the server's memory for this client
    await expect.poll(() => other.events.size, { timeout: 20_000 }).toBe(before);
    await closed;
  });
});

describe("retention", () => {
  it("deletes events older than 15 minutes that every durable reader has passed, and nothing else", async () => {
    const merchantId = randomUUID();
    const insert = async (minutesAgo: number) =>
      (await h.database.pool.query<{ id: string }>(`INSERT INTO live_events (merchant_id, type, data, at) VALUES ($1, 'contact.updated', '{}', now() - make_interval(mins => $2)) RETURNING id::text AS id`, [merchantId, minutesAgo])).rows[0]?.id;
    const passed = await insert(16);
    const unread = await insert(16);
    const recent = await insert(14);
    await h.database.pool.query(`INSERT INTO live_event_cursors (name, last_id) VALUES ('webhooks', $1)`, [passed]);
    const left = async () => (await h.database.pool.query<{ id: string }>("SELECT id::text AS id FROM live_events WHERE merchant_id = $1 ORDER BY live_events.id", [merchantId])).rows.map((r) => r.id);
    try {
      await h.events.sweep();
      expect(await left()).toEqual([unread, recent]);
      // with no durable reader, age alone decides
      await h.database.pool.query("DELETE FROM live_event_cursors");
      await h.events.sweep();
      expect(await left()).toEqual([recent]);
    } finally {
      await h.database.pool.query("DELETE FROM live_event_cursors");
    }
  });
});

describe("events.subscribe (tRPC)", () => {
  it("receives the same events as tracked items and resumes from the last id", async () => {
    const merchantId = randomUUID();
    const token = await h.token({ merchantId });
    const client = createTRPCClient<AppRouter>({
      links: [
        httpSubscriptionLink({
          url: `${other.url}/trpc`,
          EventSource,
          eventSourceOptions: () => ({ fetch: (input, init) => fetch(input, { ...init, headers: { ...init?.headers, authorization: `Bearer ${token}` } }) }),
        }),
      ],
    });
    const got: { id: string; data: { id: string; type: string; at: string; data?: unknown } }[] = [];
    let wake: () => void = () => {};
    const sub = client.events.subscribe.subscribe(
      {},
      {
        onData: (item) => {
          got.push(item);
          wake();
        },
      },
    );
    const until = (n: number) =>
      new Promise<void>((resolve) => {
        wake = () => got.length >= n && resolve();
        wake();
      });
    const s = await stream(h, { token });
    await s.comment((c) => c === "connected");
    await expect.poll(() => other.events.size).toBeGreaterThan(0);
    await commit([{ merchantId, type: "conversation.updated", data: { status: "closed" } }]);
    await until(1);
    const sse = eventOf(await s.nth(1));
    expect(got[0]).toEqual({ id: sse.id, data: sse });
    sub.unsubscribe();

    await commit([{ merchantId, type: "contact.updated", data: { tags: ["a"] } }]);
    const again: { id: string; data: { type: string } }[] = [];
    const resumed = client.events.subscribe.subscribe({ lastEventId: sse.id }, { onData: (item) => again.push(item) });
    await expect.poll(() => again.length).toBe(1);
    expect(again[0]?.data.type).toBe("contact.updated");
    resumed.unsubscribe();
  });

  it("refuses without a token", async () => {
    const client = createTRPCClient<AppRouter>({ links: [httpSubscriptionLink({ url: `${other.url}/trpc`, EventSource })] });
    const error = await new Promise<unknown>((resolve) => {
      const sub = client.events.subscribe.subscribe({}, { onError: (e) => (sub.unsubscribe(), resolve(e)), onData: () => {} });
    });
    expect(String(error)).toMatch(/Missing bearer token|UNAUTHORIZED/i);
  });
});
