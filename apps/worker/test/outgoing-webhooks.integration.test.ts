// Outgoing webhooks end to end: live events written with recordEvents in their own transaction,
// the relay (LISTEN + poll) in this process, the real worker on pg-boss, and a receiver over real
// HTTP that verifies every signature with the subscription's secret.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWebhookSubscription, JOBS, recordEvents, redeliverWebhook, scopeToMerchant, type NewLiveEvent } from "@mkt-x/core/server";
import type { LiveEventType } from "@mkt-x/core";
import { startWorkerHarness, eventually, type WorkerHarness } from "./harness.ts";
import { startReceiver, type Receiver, type Answer, type ReceivedRequest } from "./webhook-receiver.ts";
import { startWebhookRelay, type WebhookRelay } from "../src/webhook-relay.ts";

// an 8 s attempt timeout (the slow receivers below are held, not timed), retries 20 ms apart doubling up to 100 ms
const TIMEOUT_MS = 8000;
let h: WorkerHarness;
let receiver: Receiver;
let relay: WebhookRelay;
beforeAll(async () => {
  h = await startWorkerHarness();
  receiver = await startReceiver();
  const worker = await h.startWorker({ webhooks: { policy: { allowPrivate: true }, timeoutMs: TIMEOUT_MS, retry: { baseMs: 20, maxMs: 100 } } });
  relay = await startWebhookRelay({ db: h.database.db, queue: h.queue, databaseUrl: h.database.url, log: { error: () => {} }, pollMs: 500, onDeliveries: worker.nudge });
});
afterAll(async () => {
  await relay?.stop();
  await h?.close();
  await receiver?.close();
});

async function subscribe(merchantId: string, events: LiveEventType[], respond?: (attempt: number, req: ReceivedRequest) => Answer) {
  const path = `/hooks/${randomUUID()}`;
  const hook = await createWebhookSubscription(scopeToMerchant(h.database.db, merchantId), {
    merchantId,
    input: { url: `${receiver.url}${path}`, events },
    cipher: h.cipher,
    targets: { allowPrivate: true },
  });
  receiver.expect(path, hook.secret, respond);
  return { ...hook, path };
}

async function emit(...events: NewLiveEvent[]): Promise<void> {
  await h.database.db.$transaction((tx) => recordEvents(tx, events));
}

async function eventIds(merchantId: string): Promise<string[]> {
  const { rows } = await h.database.pool.query<{ id: string }>("SELECT id::text FROM live_events WHERE merchant_id = $1 ORDER BY id", [merchantId]);
  return rows.map((r) => r.id);
}

interface DeliveryRow {
  id: string;
  event_id: string;
  status: string;
  attempts: number;
  response_code: number | null;
  response_body: string | null;
  error: string | null;
}
async function deliveries(subscriptionId: string): Promise<DeliveryRow[]> {
  const { rows } = await h.database.pool.query<DeliveryRow>(
    "SELECT id, event_id::text, status, attempts, response_code, response_body, error FROM webhook_deliveries WHERE subscription_id = $1 ORDER BY event_id",
    [subscriptionId],
  );
  return rows;
}
const received = (path: string) => async () => receiver.received(path);
const atLeast = (n: number) => (list: unknown[]) => list.length >= n;

describe("delivery", () => {
  it("an event reaches the receiver once, signed, with the delivery id and the event as body", async () => {
    const merchantId = randomUUID();
    const hook = await subscribe(merchantId, ["message.created"]);
    await emit({ merchantId, type: "message.created", data: { id: "m1", content: "Hello ✓" } });
    const [first] = await eventually(received(hook.path), atLeast(1));
    const [eventId] = await eventIds(merchantId);
    const [delivery] = await eventually(() => deliveries(hook.id), (d) => d[0]?.status === "succeeded");

    expect(first?.verified).toBe(true);
    expect(first?.contentType).toBe("application/json");
    expect(first?.userAgent).toMatch(/^mkt-x-webhooks\//);
    expect(first?.webhookId).toBe(delivery?.id);
    expect(Number(first?.timestamp)).toBeGreaterThan(1_700_000_000);
    expect(first?.signature).toMatch(/^v1=[0-9a-f]{64}$/);
    expect(first?.json).toEqual({ id: eventId, type: "message.created", at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/), merchantId, data: { id: "m1", content: "Hello ✓" } });
    expect(Object.keys(first?.json ?? {})).toEqual(["id", "type", "at", "merchantId", "data"]);
    expect(delivery).toMatchObject({ event_id: eventId, status: "succeeded", attempts: 1, response_code: 200, response_body: "ok", error: null });

    // a later event arrives too, and the first was not sent again
    await emit({ merchantId, type: "message.created", data: { id: "m2" } });
    await eventually(received(hook.path), atLeast(2));
    expect(receiver.received(hook.path).map((r) => (r.json.data as { id: string }).id)).toEqual(["m1", "m2"]);
  });

  it("only subscribed types of the subscription's own merchant are delivered; several subscriptions each get theirs", async () => {
    const a = randomUUID();
    const b = randomUUID();
    const hookA = await subscribe(a, ["contact.created"]);
    const hookA2 = await subscribe(a, ["contact.created", "campaign.updated"]);
    const hookB = await subscribe(b, ["campaign.updated"]);
    await emit(
      { merchantId: a, type: "message.created", data: { n: 1 } },
      { merchantId: b, type: "contact.created", data: { n: 2 } },
      { merchantId: a, type: "campaign.updated", data: { n: 3 } },
      { merchantId: a, type: "contact.created", data: { n: 4 } },
    );
    await emit({ merchantId: b, type: "campaign.updated", data: { n: 5 } });
    await eventually(received(hookA.path), atLeast(1));
    await eventually(received(hookA2.path), atLeast(2));
    await eventually(received(hookB.path), atLeast(1));
    await eventually(() => deliveries(hookA2.id), (d) => d.length === 2 && d.every((x) => x.status === "succeeded"));
    const dataOf = (path: string) => receiver.received(path).map((r) => r.json.data);
    expect(dataOf(hookA.path)).toEqual([{ n: 4 }]);
    expect(dataOf(hookA2.path).sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)))).toEqual([{ n: 3 }, { n: 4 }]);
    expect(dataOf(hookB.path)).toEqual([{ n: 5 }]);
    expect(receiver.received(hookB.path).every((r) => r.verified && r.json.merchantId === b)).toBe(true);
    expect(await deliveries(hookA.id)).toHaveLength(1);
  });

  it("a rolled-back event is never delivered", async () => {
    const merchantId = randomUUID();
    const hook = await subscribe(merchantId, ["conversation.updated"]);
    await expect(
      h.database.db.$transaction(async (tx) => {
        await recordEvents(tx, [{ merchantId, type: "conversation.updated", data: { rolledBack: true } }]);
        throw new Error("the change failed");
      }),
    ).rejects.toThrow("the change failed");
    await emit({ merchantId, type: "conversation.updated", data: { committed: true } });
    await eventually(received(hook.path), atLeast(1));
    await eventually(() => deliveries(hook.id), (d) => d[0]?.status === "succeeded");
    expect(receiver.received(hook.path).map((r) => r.json.data)).toEqual([{ committed: true }]);
    expect(await deliveries(hook.id)).toHaveLength(1);
  });

  it("an event whose transaction took its id first but commits last is still delivered", async () => {
    const merchantId = randomUUID();
    const hook = await subscribe(merchantId, ["flow.execution.updated"]);
    const gate = () => {
      let open = () => {};
      const opened = new Promise<void>((r) => (open = r));
      return { open, opened };
    };
    const aHasXid = gate();
    const bRecorded = gate();
    const aDelivered = gate();
    // A gets its transaction id first; B, younger, writes the smaller event id; A writes the larger
    // one and commits while B is still open; B commits only after A's event was delivered
    const txA = h.database.db.$transaction(async (tx) => {
      await tx.$queryRaw`SELECT pg_current_xact_id()::text AS xid`;
      aHasXid.open();
      await bRecorded.opened;
      await recordEvents(tx, [{ merchantId, type: "flow.execution.updated", data: { tx: "A" } }]);
    }, { timeout: 30_000 });
    const txB = h.database.db.$transaction(async (tx) => {
      await aHasXid.opened;
      await tx.$queryRaw`SELECT pg_current_xact_id()::text AS xid`;
      await recordEvents(tx, [{ merchantId, type: "flow.execution.updated", data: { tx: "B" } }]);
      bRecorded.open();
      await aDelivered.opened;
    }, { timeout: 30_000 });
    await txA;
    await eventually(received(hook.path), atLeast(1));
    aDelivered.open();
    await txB;
    await eventually(received(hook.path), atLeast(2));
    const ids = await eventIds(merchantId);
    expect(receiver.received(hook.path).map((r) => [r.json.id, r.json.data])).toEqual([
      [ids[1], { tx: "A" }],
      [ids[0], { tx: "B" }],
    ]);
  });
});

describe("failures and retries", () => {
  it("retries a 500 with the same Mktx-Webhook-Id until a 2xx, then the failure count is back to 0", async () => {
    const merchantId = randomUUID();
    const hook = await subscribe(merchantId, ["message.updated"], (attempt) => (attempt <= 2 ? { status: 500, body: "down" } : { status: 204, body: "" }));
    await emit({ merchantId, type: "message.updated", data: { status: "sent" } });
    const [delivery] = await eventually(() => deliveries(hook.id), (d) => d[0]?.status === "succeeded");
    const attempts = receiver.received(hook.path);
    expect(attempts).toHaveLength(3);
    expect(new Set(attempts.map((r) => r.webhookId))).toEqual(new Set([delivery?.id]));
    expect(attempts.every((r) => r.verified)).toBe(true);
    expect(delivery).toMatchObject({ attempts: 3, response_code: 204, error: null });
    const { rows } = await h.database.pool.query<{ consecutive_failures: number }>("SELECT consecutive_failures FROM webhook_subscriptions WHERE id = $1", [hook.id]);
    expect(rows[0]?.consecutive_failures).toBe(0);
  });

  it("an answer slower than the timeout is a failure, retried under the same id", { timeout: 40_000 }, async () => {
    const merchantId = randomUUID();
    let release = () => {};
    const slow = new Promise<void>((r) => (release = r));
    const hook = await subscribe(merchantId, ["message.updated"], (attempt) => (attempt === 1 ? { status: 200, hold: slow } : { status: 200, body: "second" }));
    await emit({ merchantId, type: "message.updated", data: { slow: true } });
    const [delivery] = await eventually(() => deliveries(hook.id), (d) => d[0]?.status === "succeeded", 30_000);
    release();
    const attempts = receiver.received(hook.path);
    expect(attempts.map((r) => r.webhookId)).toEqual([delivery?.id, delivery?.id]);
    expect(delivery).toMatchObject({ attempts: 2, response_body: "second" });
  });

  it("a redirect is not followed: a failure, retried", async () => {
    const merchantId = randomUUID();
    const elsewhere = `/hooks/${randomUUID()}`;
    const hook = await subscribe(merchantId, ["contact.updated"], (attempt) => (attempt === 1 ? { status: 302, headers: { location: `${receiver.url}${elsewhere}` }, body: "moved" } : { status: 200 }));
    await emit({ merchantId, type: "contact.updated", data: { tags: ["vip"] } });
    const [delivery] = await eventually(() => deliveries(hook.id), (d) => d[0]?.status === "succeeded");
    expect(receiver.received(hook.path)).toHaveLength(2);
    expect(receiver.received(elsewhere)).toEqual([]);
    expect(delivery?.attempts).toBe(2);
  });

  it("fifty failed attempts in a row disable the subscription, which says why", { timeout: 90_000 }, async () => {
    const merchantId = randomUUID();
    const hook = await subscribe(merchantId, ["campaign.updated"], () => ({ status: 500, body: "always down" }));
    await emit({ merchantId, type: "campaign.updated", data: { id: "c1" } });
    const [row] = await eventually(
      async () => (await h.database.pool.query<{ active: boolean; consecutive_failures: number; disabled_reason: string | null; disabled_at: Date | null }>("SELECT active, consecutive_failures, disabled_reason, disabled_at FROM webhook_subscriptions WHERE id = $1", [hook.id])).rows,
      (r) => r[0]?.active === false,
      60_000,
    );
    expect(row?.consecutive_failures).toBe(50);
    expect(row?.disabled_reason).toBe("50 failed attempts in a row; the last: HTTP 500");
    expect(row?.disabled_at).not.toBeNull();
    const settled = await eventually(() => deliveries(hook.id), (d) => d.length === 1 && d.every((x) => x.status === "failed"));
    expect(settled[0]?.attempts).toBe(50);
    expect(receiver.received(hook.path)).toHaveLength(50);
    expect(settled.every((d) => d.response_code === 500 && d.response_body === "always down" && d.error?.includes("disabled"))).toBe(true);
    // nothing more is relayed to a disabled subscription
    await emit({ merchantId, type: "campaign.updated", data: { id: "c3" } });
    const other = await subscribe(merchantId, ["campaign.updated"]);
    await emit({ merchantId, type: "campaign.updated", data: { id: "c4" } });
    await eventually(received(other.path), atLeast(1));
    expect(await deliveries(hook.id)).toHaveLength(1);
  });

  it("redeliver sends the same delivery again under its id; the answer is kept to 1 KB", async () => {
    const merchantId = randomUUID();
    const big = "é".repeat(3000);
    const hook = await subscribe(merchantId, ["contact.created"], (attempt) => ({ status: 200, body: attempt === 1 ? "x".repeat(5000) : big }));
    await emit({ merchantId, type: "contact.created", data: { id: "k1" } });
    const [first] = await eventually(() => deliveries(hook.id), (d) => d[0]?.status === "succeeded");
    expect(first?.response_body).toBe("x".repeat(1024));
    const again = await redeliverWebhook(scopeToMerchant(h.database.db, merchantId), { merchantId, id: hook.id, deliveryId: first?.id ?? "", queue: h.queue });
    expect(again.status).toBe("pending");
    const [second] = await eventually(() => deliveries(hook.id), (d) => d[0]?.status === "succeeded" && d[0].attempts === 2);
    const both = receiver.received(hook.path);
    expect(both.map((r) => r.webhookId)).toEqual([first?.id, first?.id]);
    expect(both[1]?.body).toBe(both[0]?.body);
    expect(both.every((r) => r.verified)).toBe(true);
    // 1 KB of bytes: 512 two-byte characters
    expect(Buffer.byteLength(second?.response_body ?? "")).toBe(1024);
    expect(second?.response_body).toBe("é".repeat(512));
  });
});

describe("isolation", () => {
  it("a slow receiver of merchant A holds a few slots only: merchant B's deliveries go through meanwhile", { timeout: 90_000 }, async () => {
    const a = randomUUID();
    const b = randomUUID();
    let release = () => {};
    const stuck = new Promise<void>((r) => (release = r));
    const hookA = await subscribe(a, ["message.created"], () => ({ status: 200, hold: stuck }));
    const hookB = await subscribe(b, ["message.created"]);
    await emit(...Array.from({ length: 20 }, (_, i) => ({ merchantId: a, type: "message.created" as const, data: { i } })));
    // A's receiver has its requests hanging (the per-subscription cap of them)
    const cap = JOBS["webhook.deliver"].dispatch.perSubscription;
    await eventually(async () => receiver.open(hookA.path), (n) => n >= cap);
    await emit(...Array.from({ length: 5 }, (_, i) => ({ merchantId: b, type: "message.created" as const, data: { i } })));
    await eventually(received(hookB.path), atLeast(5));
    const bDone = await eventually(() => deliveries(hookB.id), (d) => d.length === 5 && d.every((x) => x.status === "succeeded"));
    expect(bDone).toHaveLength(5);
    // A's first answers are still pending, and it never had more than the cap at once
    expect(receiver.open(hookA.path)).toBe(cap);
    expect(receiver.received(hookA.path)).toHaveLength(cap);
    release();
    await eventually(() => deliveries(hookA.id), (d) => d.length === 20 && d.every((x) => x.status === "succeeded"), 60_000);
  });
});
