// The address rule at delivery time, with WEBHOOK_ALLOW_PRIVATE_TARGETS unset: a host name that
// resolved to a public address when the subscription was saved but answers a private one when the
// delivery connects (DNS rebinding) is refused, as is a private address literal stored before the
// rule applied; nothing reaches the receiver. DNS is a resolver the test controls.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWebhookSubscription, postWebhook, recordEvents, scopeToMerchant, type Resolver } from "@mkt-x/core/server";
import { startWorkerHarness, eventually, type WorkerHarness } from "./harness.ts";
import { startReceiver, type Receiver } from "./webhook-receiver.ts";
import { startWebhookRelay, type WebhookRelay } from "../src/webhook-relay.ts";

let h: WorkerHarness;
let receiver: Receiver;
let relay: WebhookRelay;
// at delivery time every name points at the receiver's loopback address
const rebound: Resolver = async () => [{ address: "127.0.0.1", family: 4 }];
const publicAnswer: Resolver = async () => [{ address: "93.184.215.14", family: 4 }];

beforeAll(async () => {
  h = await startWorkerHarness();
  receiver = await startReceiver();
  const worker = await h.startWorker({ webhooks: { policy: { allowPrivate: false, resolve: rebound }, timeoutMs: 5000, retry: { baseMs: 50, maxMs: 200 } } });
  relay = await startWebhookRelay({ db: h.database.db, queue: h.queue, databaseUrl: h.database.url, log: { error: () => {} }, pollMs: 500, onDeliveries: worker.nudge });
});
afterAll(async () => {
  await relay?.stop();
  await h?.close();
  await receiver?.close();
});

const port = () => new URL(receiver.url).port;

describe("delivery-time address check", () => {
  it("a name that now resolves to a private address is refused at connect time, and retried", async () => {
    const merchantId = randomUUID();
    const path = `/hooks/${randomUUID()}`;
    // validated while the name still answered a public address
    const hook = await createWebhookSubscription(scopeToMerchant(h.database.db, merchantId), {
      merchantId,
      input: { url: `http://hooks.example.com:${port()}${path}`, events: ["message.created"] },
      cipher: h.cipher,
      targets: { allowPrivate: false, resolve: publicAnswer },
    });
    receiver.expect(path, hook.secret);
    await h.database.db.$transaction((tx) => recordEvents(tx, [{ merchantId, type: "message.created", data: { id: "m1" } }]));
    const [delivery] = await eventually(
      async () => (await h.database.pool.query<{ status: string; attempts: number; error: string | null; response_code: number | null }>("SELECT status, attempts, error, response_code FROM webhook_deliveries WHERE subscription_id = $1", [hook.id])).rows,
      (rows) => (rows[0]?.attempts ?? 0) >= 2,
    );
    expect(delivery?.status).toBe("pending");
    expect(delivery?.error).toMatch(/non-public address; refused/);
    expect(delivery?.response_code).toBeNull();
    expect(receiver.received()).toEqual([]);
  });

  it("a private address literal stored earlier is refused too", async () => {
    const merchantId = randomUUID();
    const path = `/hooks/${randomUUID()}`;
    const hook = await createWebhookSubscription(scopeToMerchant(h.database.db, merchantId), {
      merchantId,
      input: { url: `${receiver.url}${path}`, events: ["contact.created"] },
      cipher: h.cipher,
      targets: { allowPrivate: true },
    });
    await h.database.db.$transaction((tx) => recordEvents(tx, [{ merchantId, type: "contact.created", data: { id: "k1" } }]));
    const [delivery] = await eventually(
      async () => (await h.database.pool.query<{ attempts: number; error: string | null }>("SELECT attempts, error FROM webhook_deliveries WHERE subscription_id = $1", [hook.id])).rows,
      (rows) => (rows[0]?.attempts ?? 0) >= 1,
    );
    expect(delivery?.error).toBe("127.0.0.1 is not a public address; refused");
    expect(receiver.received()).toEqual([]);
  });

  it("every answer is checked: one private address among public ones is refused; allowed when private targets are", async () => {
    const mixed: Resolver = async () => [
      { address: "93.184.215.14", family: 4 },
      { address: "::ffff:127.0.0.1", family: 6 },
    ];
    const path = `/hooks/${randomUUID()}`;
    const refused = await postWebhook({ url: `http://mixed.example.com:${port()}${path}`, deliveryId: randomUUID(), body: "{}", secret: "s", policy: { allowPrivate: false, resolve: mixed } });
    expect(refused).toMatchObject({ ok: false, status: null });
    expect(refused.error).toMatch(/non-public/);
    const allowed = await postWebhook({ url: `http://receiver.example.com:${port()}${path}`, deliveryId: randomUUID(), body: "{}", secret: "s", policy: { allowPrivate: true, resolve: rebound } });
    expect(allowed).toMatchObject({ ok: true, status: 200 });
    expect(receiver.received(path)).toHaveLength(1);
  });
});
