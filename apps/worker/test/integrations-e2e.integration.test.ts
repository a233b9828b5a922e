// Issue 9's acceptance path, end to end with real processes' parts: a customer's DM arrives from
// the X sandbox at API instance A (signed webhook), the worker applies it, and the change reaches
// both a live SSE stream held on API instance B and the merchant's own system as a signed webhook
// delivery — the same event, once each.
import { afterEach, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import type { LiveEventBus } from "../../api/src/events/live-event-bus.ts";
import type { FastifyInstance } from "fastify";
import { eventOf, openSse, type SseStream } from "../../api/test/sse-client.ts";
import { buildApiInstance, startE2E, type E2E } from "./e2e-harness.ts";
import { eventually } from "./harness.ts";
import { startReceiver, type Receiver } from "./webhook-receiver.ts";
import { startWebhookRelay, type WebhookRelay } from "../src/webhook-relay.ts";

let e: E2E | undefined;
let b: { api: FastifyInstance; bus: LiveEventBus } | undefined;
let stream: SseStream | undefined;
let receiver: Receiver | undefined;
let relay: WebhookRelay | undefined;
afterEach(async () => {
  stream?.close();
  await relay?.stop();
  await b?.api.close();
  await b?.bus.close();
  await receiver?.close();
  await e?.close();
});

/** A second API process on the same database: its own fastify app and its own event bus. */
async function secondInstance(env: E2E) {
  const { api, events: bus } = await buildApiInstance(env);
  const url = await api.listen({ port: 0, host: "127.0.0.1" });
  return { api, bus, base: `${url}/api/v1/mkt-x` };
}

describe("an inbound DM reaches every integration", () => {
  it("message.created on an SSE stream held on the other API instance, and a signed delivery at the merchant's receiver", async () => {
    e = await startE2E();
    const { user: shop } = await e.connect();
    receiver = await startReceiver();
    const path = `/crm/${randomUUID()}`;
    // the merchant subscribes through the REST API of instance A
    const created = await e.call<{ data: { id: string; secret: string; active: boolean } }>("POST", "/integrations/webhooks", { url: `${receiver.url}${path}`, events: ["message.created"], description: "CRM" });
    expect(created.status).toBe(200);
    expect(created.body.data).toMatchObject({ active: true, secret: expect.stringMatching(/^whsec_/) });
    receiver.expect(path, created.body.data.secret);

    const worker = await e.startWorker({ webhooks: { policy: { allowPrivate: true } } });
    relay = await startWebhookRelay({ db: e.database.db, queue: e.queue, databaseUrl: e.database.url, log: { error: () => {} }, pollMs: 500, onDeliveries: worker.nudge });

    const other = await secondInstance(e);
    b = other;
    stream = await openSse(`${other.base}/events/stream`, { token: e.token });
    await stream.comment((c) => c === "connected");

    const customer = e.sandbox.addUser({ username: `int_${randomUUID().slice(0, 6)}` });
    await e.sandbox.inboundDm({ fromUserId: customer.id, toUserId: shop.id, text: "Do you ship to Da Nang?" });

    // live, on instance B (X's webhook went to instance A)
    const live = eventOf(await stream.next((m) => m.event === "message.created"));
    expect(live.data).toMatchObject({ direction: "inbound", content: "Do you ship to Da Nang?", status: "received" });

    // and at the merchant's receiver: signed with the subscription's secret, the same event
    const deliveries = await eventually(async () => receiver!.received(path), (r) => r.length >= 1, 15_000);
    expect(deliveries).toHaveLength(1);
    const delivery = deliveries[0]!;
    expect(delivery.verified).toBe(true);
    expect(delivery.json).toMatchObject({ id: live.id, type: "message.created", merchantId: e.merchantId, data: live.data });
    expect(delivery.webhookId).toMatch(/\S/);

    // the delivery log says so, through the API
    const log = await e.call<{ data: Array<{ status: string; responseCode: number | null; eventId: string }> }>("GET", `/integrations/webhooks/${created.body.data.id}/deliveries`);
    expect(log.body.data).toEqual([expect.objectContaining({ status: "succeeded", responseCode: 200, eventId: live.id })]);
    // once: the relay goes in order, so when the next DM's delivery is in, a repeat of the first would be too
    await e.sandbox.inboundDm({ fromUserId: customer.id, toUserId: shop.id, text: "And to Hue?" });
    const both = await eventually(async () => receiver!.received(path), (r) => r.length >= 2, 15_000);
    expect(both.map((r) => r.json.id).filter((id) => id === live.id)).toHaveLength(1);
    expect(both[1]?.json).toMatchObject({ type: "message.created", data: { content: "And to Hue?" } });
  });
});
