// The send pipeline under the real worker (pg-boss) against the X sandbox: exactly once, through
// crashes, 429 and 5xx storms, consent, and send windows shared by two worker processes.
import { afterEach, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { createEmbeddedAiProvider, createPgBoss, createJobQueue, enqueueOutboundMessage, sendMessage, sweepStalledMessages } from "@mkt-x/core/server";
import type { SandboxUser } from "@mkt-x/twitter/sandbox";
import { startWorker } from "../src/worker.ts";
import { startWorkerHarness, eventually, type WorkerHarness } from "./harness.ts";

let h: WorkerHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const MERCHANT = "merchant-send";

/** An account with real (encrypted) sandbox tokens and a contact who wrote first. */
async function seed(harness: WorkerHarness, opts: { consent?: boolean; optedOut?: boolean; requireConsent?: boolean } = {}) {
  const shop = harness.sandbox.addUser({ username: `shop_${randomUUID().slice(0, 6)}` });
  const customer = harness.sandbox.addUser({ username: `cust_${randomUUID().slice(0, 6)}` });
  const account = await harness.database.db.xAccount.create({
    data: {
      merchantId: MERCHANT,
      twitterUserId: shop.id,
      username: shop.username,
      displayName: shop.name,
      accessTokenEnc: harness.cipher.encrypt(shop.accessToken),
      accessSecretEnc: harness.cipher.encrypt(shop.accessSecret),
      requireConsent: opts.requireConsent ?? true,
    },
  });
  const contact = await harness.database.db.contact.create({
    data: { merchantId: MERCHANT, accountId: account.id, twitterUserId: customer.id, username: customer.username, consentAt: opts.consent === false ? null : new Date(), optedOut: opts.optedOut ?? false },
  });
  const conversation = await harness.database.db.conversation.create({ data: { merchantId: MERCHANT, accountId: account.id, contactId: contact.id } });
  return { shop, customer, account, contact, conversation };
}

async function queueMessages(harness: WorkerHarness, s: Awaited<ReturnType<typeof seed>>, n: number, opts: { automated?: boolean; prefix?: string } = {}) {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const { message } = await harness.database.db.$transaction((tx) =>
      enqueueOutboundMessage(tx, harness.queue, {
        merchantId: MERCHANT,
        accountId: s.account.id,
        conversationId: s.conversation.id,
        contactId: s.contact.id,
        content: `${opts.prefix ?? "msg"} ${i}`,
        origin: opts.automated ? "campaign" : "inbox",
        automated: opts.automated ?? false,
        idempotencyKey: randomUUID(),
      }),
    );
    ids.push(message.id);
  }
  return ids;
}

const statuses = (harness: WorkerHarness, ids: string[]) => harness.database.db.message.findMany({ where: { id: { in: ids } }, orderBy: { content: "asc" } });
const dmsTo = (user: SandboxUser, harness: WorkerHarness) => harness.sandbox.dms().filter((dm) => dm.recipientId === user.id);

describe("send pipeline", () => {
  it("delivers an agent reply exactly once with the right sender and recipient, and records X's id", async () => {
    h = await startWorkerHarness({ send: { retryBaseMs: 50 } });
    const s = await seed(h);
    const [id] = await queueMessages(h, s, 1, { prefix: "your order shipped" });
    await h.startWorker();
    const [message] = await eventually(() => statuses(h!, [id!]), (m) => m[0]?.status === "sent");
    const dms = dmsTo(s.customer, h);
    expect(dms).toHaveLength(1);
    expect(dms[0]).toMatchObject({ senderId: s.shop.id, recipientId: s.customer.id, text: "your order shipped 0" });
    expect(message).toMatchObject({ twitterMessageId: dms[0]?.dmEventId, error: null, leaseUntil: null });
    expect(message?.sentAt).toBeInstanceOf(Date);
    // running the job again sends nothing more
    await expect(sendMessage(h.send, id!)).resolves.toMatchObject({ status: "skipped" });
    expect(dmsTo(s.customer, h)).toHaveLength(1);
  });

  it("a campaign DM withdrawn at a pause leaves the conversation's count and last message time as they were", async () => {
    h = await startWorkerHarness();
    const s = await seed(h);
    const [reply] = await queueMessages(h, s, 1, { prefix: "agent reply" });
    const campaign = await h.database.db.campaign.create({ data: { merchantId: MERCHANT, name: "paused", type: "promotional", status: "running", run: 1 } });
    const { message: dm } = await h.database.db.$transaction((tx) =>
      enqueueOutboundMessage(tx, h!.queue, { merchantId: MERCHANT, accountId: s.account.id, conversationId: s.conversation.id, contactId: s.contact.id, content: "sale!", origin: "campaign", automated: true, idempotencyKey: randomUUID(), campaignId: campaign.id }),
    );
    const recipient = await h.database.db.campaignRecipient.create({ data: { merchantId: MERCHANT, campaignId: campaign.id, contactId: s.contact.id, status: "queued", messageId: dm.id } });
    expect(await h.database.db.conversation.findUnique({ where: { id: s.conversation.id } })).toMatchObject({ messageCount: 2, lastMessageAt: dm.createdAt });

    await h.database.db.campaign.update({ where: { id: campaign.id }, data: { status: "paused" } });
    await expect(sendMessage(h.send, dm.id)).resolves.toEqual({ status: "skipped", reason: "campaign paused" });
    const [first] = await statuses(h, [reply!]);
    expect(await h.database.db.message.findUnique({ where: { id: dm.id } })).toBeNull();
    expect(await h.database.db.campaignRecipient.findUnique({ where: { id: recipient.id } })).toMatchObject({ status: "pending", messageId: null });
    expect(await h.database.db.conversation.findUnique({ where: { id: s.conversation.id } })).toMatchObject({ messageCount: 1, lastMessageAt: first?.createdAt });
    expect(dmsTo(s.customer, h)).toHaveLength(0);
  });

  it("a worker killed between X's answer and the record does not send twice", async () => {
    let crashes = 0;
    h = await startWorkerHarness({
      send: {
        leaseMs: 300,
        retryBaseMs: 50,
        afterXAccepted: async () => {
          if (crashes++ === 0) throw new Error("simulated crash after X accepted the DM");
        },
      },
    });
    const s = await seed(h);
    const [id] = await queueMessages(h, s, 1, { prefix: "crash" });
    await h.startWorker();
    const [message] = await eventually(() => statuses(h!, [id!]), (m) => m[0]?.status === "sent", 20_000);
    expect(crashes).toBe(1);
    const dms = dmsTo(s.customer, h);
    expect(dms).toHaveLength(1);
    expect(message?.twitterMessageId).toBe(dms[0]?.dmEventId);
    // the second attempt asked X instead of sending again
    expect(h.sandbox.requests().filter((r) => r.method === "GET" && r.path.includes("/dm_events"))).not.toHaveLength(0);
  });

  it("a 429 pauses the account until X's reset and then delivers everything once", async () => {
    h = await startWorkerHarness({ send: { retryBaseMs: 50 } });
    const s = await seed(h);
    h.sandbox.addFault({ method: "POST", path: "/2/dm_conversations", status: 429, count: 2, resetInSeconds: 1 });
    const ids = await queueMessages(h, s, 5, { prefix: "limited" });
    await h.startWorker();
    await eventually(() => statuses(h!, ids), (m) => m.every((x) => x.status === "sent"), 30_000);
    const texts = dmsTo(s.customer, h).map((d) => d.text).sort();
    expect(texts).toEqual(["limited 0", "limited 1", "limited 2", "limited 3", "limited 4"]);
    const account = await h.database.db.xAccount.findUniqueOrThrow({ where: { id: s.account.id } });
    expect(account.sendPausedUntil).toBeInstanceOf(Date);
  });

  it("a storm of 5xx delivers everything once; a 403 fails that message at once", async () => {
    h = await startWorkerHarness({ send: { retryBaseMs: 30 } });
    const s = await seed(h);
    h.sandbox.addFault({ method: "POST", path: "/2/dm_conversations", status: 503, count: 6 });
    const ids = await queueMessages(h, s, 4, { prefix: "stormy" });
    await h.startWorker();
    await eventually(() => statuses(h!, ids), (m) => m.every((x) => x.status === "sent"), 30_000);
    expect(dmsTo(s.customer, h).map((d) => d.text).sort()).toEqual(["stormy 0", "stormy 1", "stormy 2", "stormy 3"]);

    h.sandbox.addFault({ method: "POST", path: "/2/dm_conversations", status: 403, count: 1 });
    const [refused] = await queueMessages(h, s, 1, { prefix: "refused" });
    const [m] = await eventually(() => statuses(h!, [refused!]), (x) => x[0]?.status === "failed");
    expect(m?.error).toMatch(/403/);
    expect(m?.attempts).toBe(1);
  });

  it("gives up after the last attempt with the last error, visible in the dead letters", async () => {
    h = await startWorkerHarness({ send: { retryBaseMs: 20, maxAttempts: 3 } });
    const s = await seed(h);
    h.sandbox.addFault({ method: "POST", path: "/2/dm_conversations", status: 500, sticky: true });
    const [id] = await queueMessages(h, s, 1, { prefix: "doomed" });
    await h.startWorker();
    const [m] = await eventually(() => statuses(h!, [id!]), (x) => x[0]?.status === "failed", 20_000);
    expect(m?.error).toMatch(/gave up after 3 attempts/);
    const dead = await h.database.pool.query("SELECT data FROM pgboss.job WHERE name = 'dead-letter'");
    expect(dead.rows.map((r) => r.data)).toContainEqual(expect.objectContaining({ queue: "message.send", messageId: id }));
  });

  it("automated DMs need consent and no opt-out; agent replies need neither", async () => {
    h = await startWorkerHarness();
    const noConsent = await seed(h, { consent: false });
    const optedOut = await seed(h, { optedOut: true });
    const [a] = await queueMessages(h, noConsent, 1, { automated: true, prefix: "promo" });
    const [b] = await queueMessages(h, optedOut, 1, { automated: true, prefix: "promo" });
    const [c] = await queueMessages(h, optedOut, 1, { automated: false, prefix: "agent" });
    await h.startWorker();
    const rows = await eventually(() => statuses(h!, [a!, b!, c!]), (m) => m.every((x) => x.status === "sent" || x.status === "failed"));
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(byId.get(a!)).toMatchObject({ status: "failed", error: expect.stringMatching(/consent/) });
    expect(byId.get(b!)).toMatchObject({ status: "failed", error: expect.stringMatching(/opted out/) });
    expect(byId.get(c!)).toMatchObject({ status: "sent" });
    expect(dmsTo(noConsent.customer, h)).toHaveLength(0);
    expect(dmsTo(optedOut.customer, h).map((d) => d.text)).toEqual(["agent 0"]);
  });

  it("send windows hold across two worker processes: the rest waits, nothing fails", async () => {
    const limits = { accountPer15m: 5, accountPer24h: 500, appPer24h: 15_000, accountCampaignPer24h: 10_000 };
    h = await startWorkerHarness({ windows: limits });
    const s = await seed(h);
    const ids = await queueMessages(h, s, 12, { prefix: "windowed" });
    // a second, independent pg-boss instance and worker on the same database: another process
    const boss2 = createPgBoss(h.database.url, { max: 3 });
    boss2.on("error", () => {});
    await boss2.start();
    const w2 = await startWorker({ boss: boss2, deps: { db: h.database.db, send: { ...h.send, queue: createJobQueue(boss2) }, campaigns: { ...h.campaigns, queue: createJobQueue(boss2) }, ai: createEmbeddedAiProvider(), log: { info: () => {} } }, log: { info: () => {}, error: () => {} }, pollingIntervalSeconds: 0.5 });
    await h.startWorker();
    try {
      await eventually(() => statuses(h!, ids), (m) => m.filter((x) => x.status === "sent").length === 5);
      // every message got its turn at least once and the windows still allow no more than 5
      await eventually(async () => (await h!.database.pool.query("SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'message.send' AND state = 'completed'")).rows[0].n, (n: number) => n >= 12);
      const rows = await statuses(h, ids);
      expect(rows.filter((x) => x.status === "sent")).toHaveLength(5);
      expect(rows.filter((x) => x.status === "failed")).toHaveLength(0);
      expect(rows.filter((x) => x.status === "queued")).toHaveLength(7);
      expect(dmsTo(s.customer, h)).toHaveLength(5);
      // the waiting ones have a job scheduled for when the window reopens
      const waiting = await h.database.pool.query("SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'message.send' AND state = 'created' AND start_after > now() + interval '10 minutes'");
      expect(waiting.rows[0].n).toBe(7);
    } finally {
      await w2.stop();
      await boss2.stop({ graceful: false, close: true });
    }
  });

  it("a queued message whose job was lost is found by the sweeper and delivered once", async () => {
    h = await startWorkerHarness();
    const s = await seed(h);
    const lost = await h.database.db.message.create({
      data: { merchantId: MERCHANT, accountId: s.account.id, conversationId: s.conversation.id, contactId: s.contact.id, direction: "outbound", content: "lost job", status: "queued", idempotencyKey: randomUUID(), updatedAt: new Date(Date.now() - 60 * 60_000) },
    });
    const pending = await h.database.db.message.create({
      data: { merchantId: MERCHANT, accountId: s.account.id, conversationId: s.conversation.id, contactId: s.contact.id, direction: "outbound", content: "fresh", status: "queued", idempotencyKey: randomUUID() },
    });
    const swept = await sweepStalledMessages({ db: h.database.db, queue: h.queue });
    expect(swept.requeued).toBe(1);
    // back in its lane's place: an agent's reply goes before campaign sends
    const job = await h.database.pool.query("SELECT priority FROM pgboss.job WHERE name = 'message.send' AND data->>'messageId' = $1", [lost.id]);
    expect(job.rows).toEqual([{ priority: 40 }]);
    // a second sweep finds the job now waiting and adds nothing
    expect((await sweepStalledMessages({ db: h.database.db, queue: h.queue })).requeued).toBe(0);
    await h.startWorker();
    await eventually(() => statuses(h!, [lost.id]), (m) => m[0]?.status === "sent");
    expect(dmsTo(s.customer, h).map((d) => d.text)).toEqual(["lost job"]);
    expect((await statuses(h, [pending.id]))[0]?.status).toBe("queued");
  });
});
