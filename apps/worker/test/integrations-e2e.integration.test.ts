// Issue 9's acceptance path, end to end with real processes' parts: a customer's DM arrives from
// the X sandbox at API instance A (signed webhook), the worker applies it, and the change reaches
// both a live SSE stream held on API instance B and the merchant's own system as a signed webhook
// delivery — the same event, once each.
import { afterEach, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { createEmbeddedAiProvider, createWebhookIngestor } from "@mkt-x/core/server";
import { createTwitterXClient } from "@mkt-x/twitter";
import { buildApp } from "../../api/src/app.ts";
import { createTokenVerifier } from "../../api/src/auth/verify-token.ts";
import { createLiveEventBus, type LiveEventBus } from "../../api/src/events/live-event-bus.ts";
import { eventOf, openSse, type SseStream } from "../../api/test/sse-client.ts";
import { startE2E, JWT_SECRET, type E2E } from "./e2e-harness.ts";
import { CONSUMER_KEY, CONSUMER_SECRET, eventually } from "./harness.ts";
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
  const bus = createLiveEventBus({ databaseUrl: env.database.url, sweepIntervalMs: 0 });
  await bus.start();
  const api = await buildApp({
    services: {
      db: env.database.db,
      queue: env.queue,
      ingestor: createWebhookIngestor({ pool: env.database.pool, boss: env.boss }),
      x: createTwitterXClient({ baseUrl: env.sandbox.url ?? "", consumerKey: CONSUMER_KEY, consumerSecret: CONSUMER_SECRET }),
      cipher: env.cipher,
      webhookUrl: "http://127.0.0.1:9/unused",
      ai: createEmbeddedAiProvider(),
      events: bus,
    },
    verifyToken: createTokenVerifier({ secret: JWT_SECRET }),
    consumerSecret: CONSUMER_SECRET,
    rateLimitPerMinute: 100_000,
    readiness: async () => {},
  });
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
    // once: no second delivery turns up while the relay keeps polling
    await new Promise((r) => setTimeout(r, 1_500));
    expect(receiver.received(path)).toHaveLength(1);
  });
});
