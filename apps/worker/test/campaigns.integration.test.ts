// Campaigns end to end: the API creates and starts them, the worker fans out and dispatches, the
// send pipeline delivers to the X sandbox; metrics, pause/resume, links, replies, schedules.
import { afterEach, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import type { SandboxUser } from "@mkt-x/twitter/sandbox";
import { createEmbeddedAiProvider, createPgBoss, createJobQueue } from "@mkt-x/core/server";
import { startWorker } from "../src/worker.ts";
import { startE2E, type E2E } from "./e2e-harness.ts";
import { eventually } from "./harness.ts";

let e: E2E | undefined;
afterEach(async () => {
  await e?.close();
  e = undefined;
});

type Json = Record<string, unknown>;
interface CampaignBody {
  id: string;
  status: string;
  run: number;
  metrics: { totalSent: number; delivered: number; opened: number; clicked: number; replied: number; failed: number; skipped: number };
  skippedByReason: Record<string, number>;
  expectedFinishAt: string | null;
  schedule: { startAt: string | null; endAt: string | null; recurrence: string | null };
}

async function setup(env: E2E, people: { username: string; name?: string; tags?: string[]; attributes?: Json; consent?: boolean; optedOut?: boolean }[]) {
  const { user: shop, accountId } = await env.connect();
  const customers: { user: SandboxUser; contactId: string }[] = [];
  for (const p of people) {
    const user = env.sandbox.addUser({ username: p.username, ...(p.name ? { name: p.name } : {}) });
    const { rows } = await env.database.pool.query(
      `INSERT INTO contacts (merchant_id, account_id, twitter_user_id, username, display_name, tags, attributes, consent_at, opted_out)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
      [env.merchantId, accountId, user.id, p.username, p.name ?? null, p.tags ?? [], JSON.stringify(p.attributes ?? {}), p.consent === false ? null : new Date(), p.optedOut ?? false],
    );
    customers.push({ user, contactId: rows[0].id });
  }
  return { shop, accountId, customers };
}

async function segment(env: E2E, conditions: Json[], match = "all"): Promise<string> {
  const res = await env.call<{ data: { id: string } }>("POST", "/segments", { name: `seg ${randomUUID().slice(0, 6)}`, conditions, ...(match === "any" ? { match } : {}) });
  expect(res.status).toBe(200);
  return res.body.data.id;
}

async function template(env: E2E, content: string, variables: string[]): Promise<string> {
  const res = await env.call<{ data: { id: string } }>("POST", "/templates", { name: `tpl ${randomUUID().slice(0, 6)}`, type: "text", content, variables });
  expect(res.status).toBe(200);
  return res.body.data.id;
}

async function campaign(env: E2E, body: Json): Promise<CampaignBody> {
  const res = await env.call<{ data: CampaignBody }>("POST", "/campaigns", { name: "January Promotion", type: "promotional", ...body });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.data;
}

const get = async (env: E2E, id: string) => (await env.call<{ data: CampaignBody }>("GET", `/campaigns/${id}`)).body.data;
const dmsTo = (env: E2E, users: SandboxUser[]) => env.sandbox.dms().filter((d) => users.some((u) => u.id === d.recipientId));

describe("campaigns", () => {
  it("fans out to the segment minus opted-out and non-consenting contacts, renders, delivers once and completes", async () => {
    e = await startE2E();
    const { customers } = await setup(e, [
      { username: "vip_ann", name: "Ann Lee", tags: ["vip"], attributes: { discount_code: "ANN10" } },
      { username: "vip_bob", tags: ["vip"] },
      { username: "vip_cy", name: "Cy", tags: ["vip", "new"] },
      { username: "vip_out", tags: ["vip"], optedOut: true },
      { username: "vip_silent", tags: ["vip"], consent: false },
      { username: "regular", tags: ["regular"] },
    ]);
    const seg = await segment(e, [{ field: "tags", operator: "contains", value: "vip" }]);
    const tpl = await template(e, "Hi {{name}}, use {{discount_code|WELCOME}} today", ["name", "discount_code"]);
    const c = await campaign(e, { templateId: tpl, segmentIds: [seg] });
    expect(c).toMatchObject({ status: "draft", metrics: { totalSent: 0, delivered: 0, opened: 0, clicked: 0, replied: 0, failed: 0 } });
    await e.startWorker();
    const started = await e.call<{ data: CampaignBody }>("POST", `/campaigns/${c.id}/start`);
    expect(started.status).toBe(200);
    expect(started.body.data.status).toBe("running");

    const done = await eventually(() => get(e!, c.id), (x) => x.status === "completed", 20_000);
    expect(done.metrics).toMatchObject({ totalSent: 3, delivered: 3, failed: 0, skipped: 2 });
    expect(done.skippedByReason).toEqual({ opted_out: 1, no_consent: 1 });
    const texts = dmsTo(e, customers.map((x) => x.user)).map((d) => d.text).sort();
    expect(texts).toEqual(["Hi Ann Lee, use ANN10 today", "Hi Cy, use WELCOME today", "Hi vip_bob, use WELCOME today"]);

    const metrics = await e.call<{ data: Json }>("GET", `/campaigns/${c.id}/metrics`);
    expect(metrics.body.data).toMatchObject({ totalSent: 3, delivered: 3, deliveryRate: 1, openRate: 0, clickRate: 0, replyRate: 0, granularity: "hour" });
    expect(metrics.body.data.timeline).toEqual([expect.objectContaining({ sent: 3, delivered: 3 })]);
  });

  it("shop_name falls back to the sending account's name; campaign DMs count in their conversations and contacts", async () => {
    e = await startE2E();
    const { shop, customers } = await setup(e, [{ username: "counted", tags: ["count"] }]);
    const seg = await segment(e, [{ field: "tags", operator: "contains", value: "count" }]);
    const tpl = await template(e, "Thanks from {{shop_name}}", ["shop_name"]);
    const preview = await e.call<{ data: { rendered: string } }>("POST", `/templates/${tpl}/preview`, {});
    expect(preview.body.data.rendered).toBe(`Thanks from ${shop.name}`);
    const c = await campaign(e, { templateId: tpl, segmentIds: [seg] });
    await e.startWorker();
    await e.call("POST", `/campaigns/${c.id}/start`);
    await eventually(() => get(e!, c.id), (x) => x.status === "completed", 20_000);
    expect(dmsTo(e, [customers[0]!.user]).map((d) => d.text)).toEqual([`Thanks from ${shop.name}`]);

    const contactId = customers[0]!.contactId;
    const contact = await e.call<{ data: { conversationCount: number } }>("GET", `/contacts/${contactId}`);
    expect(contact.body.data.conversationCount).toBe(1);
    const list = await e.call<{ data: { id: string; messageCount: number; lastMessageAt: string | null }[] }>("GET", `/contacts/${contactId}/conversations`);
    const conversation = await e.call<{ data: { messageCount: number; lastMessageAt: string | null; messages: Json[] } }>("GET", `/conversations/${list.body.data[0]!.id}`);
    expect(conversation.body.data).toMatchObject({ messageCount: 1, lastMessageAt: expect.any(String) });
    expect(conversation.body.data.messages).toHaveLength(1);
  });

  it("pause stops new sends, resume sends the rest, nobody gets the message twice", async () => {
    e = await startE2E({ campaigns: { maxInFlight: 2 } });
    const people = Array.from({ length: 12 }, (_, i) => ({ username: `p${i}_${randomUUID().slice(0, 4)}`, tags: ["wave"] }));
    const { customers } = await setup(e, people);
    const seg = await segment(e, [{ field: "tags", operator: "contains", value: "wave" }]);
    const tpl = await template(e, "Wave hello", []);
    const c = await campaign(e, { templateId: tpl, segmentIds: [seg] });
    // X answers slowly, so the campaign is mid-way when we pause
    e.sandbox.addFault({ method: "POST", path: "/2/dm_conversations", latencyMs: 150, sticky: true });
    await e.startWorker();
    await e.call("POST", `/campaigns/${c.id}/start`);
    await eventually(async () => dmsTo(e!, customers.map((x) => x.user)).length, (n) => n >= 2, 20_000);
    const paused = await e.call<{ data: CampaignBody }>("POST", `/campaigns/${c.id}/pause`);
    expect(paused.body.data.status).toBe("paused");
    const atPause = dmsTo(e, customers.map((x) => x.user)).length;
    // in-flight DMs (at most maxInFlight) finish; nothing new is sent after that
    await eventually(async () => (await e!.database.pool.query("SELECT count(*)::int AS n FROM messages WHERE campaign_id = $1 AND status IN ('queued', 'sending')", [c.id])).rows[0].n, (n) => n === 0, 20_000);
    const settled = dmsTo(e, customers.map((x) => x.user)).length;
    expect(settled - atPause).toBeLessThanOrEqual(2);
    expect(settled).toBeLessThan(12);
    expect((await get(e, c.id)).status).toBe("paused");

    const resumed = await e.call<{ data: CampaignBody }>("POST", `/campaigns/${c.id}/resume`);
    expect(resumed.body.data.status).toBe("running");
    const done = await eventually(() => get(e!, c.id), (x) => x.status === "completed", 30_000);
    expect(done.metrics.delivered).toBe(12);
    const recipients = dmsTo(e, customers.map((x) => x.user)).map((d) => d.recipientId);
    expect(recipients).toHaveLength(12);
    expect(new Set(recipients).size).toBe(12);
    // DMs withdrawn at the pause left no trace in the conversations: each counts its one message
    const counts = await e.database.pool.query<{ message_count: number; messages: number; last_message_at: Date; latest: Date }>(
      `SELECT c.message_count, count(m.id)::int AS messages, c.last_message_at, max(m.created_at) AS latest
       FROM conversations c LEFT JOIN messages m ON m.conversation_id = c.id WHERE c.contact_id = ANY($1) GROUP BY c.id`,
      [customers.map((x) => x.contactId)],
    );
    expect(counts.rows).toHaveLength(12);
    for (const row of counts.rows) expect(row).toMatchObject({ message_count: 1, messages: 1, last_message_at: row.latest });
  });

  it("counts opens, clicks through short links and replies within 72 hours", async () => {
    e = await startE2E();
    const { shop, customers } = await setup(e, [{ username: "clicker", tags: ["promo"] }]);
    const seg = await segment(e, [{ field: "tags", operator: "contains", value: "promo" }]);
    const tpl = await template(e, "Sale! https://shop.example.com/sale?x=1 see you", []);
    const c = await campaign(e, { templateId: tpl, segmentIds: [seg] });
    await e.startWorker();
    await e.call("POST", `/campaigns/${c.id}/start`);
    await eventually(() => get(e!, c.id), (x) => x.status === "completed", 20_000);
    const [dm] = dmsTo(e, customers.map((x) => x.user));
    const link = /(http:\/\/127\.0\.0\.1:\d+\/r\/([A-Za-z0-9]+))/.exec(dm?.text ?? "");
    expect(link, dm?.text).not.toBeNull();
    expect(dm?.text).not.toContain("shop.example.com");

    const click = await fetch(link![1]!, { redirect: "manual" });
    expect(click.status).toBe(302);
    expect(click.headers.get("location")).toBe("https://shop.example.com/sale?x=1");
    const unknown = await fetch(link![1]!.replace(link![2]!, "nosuchcode"), { redirect: "manual" });
    expect(unknown.status).toBe(404);

    await e.sandbox.read({ readerUserId: customers[0]!.user.id, accountUserId: shop.id, lastReadEventId: dm!.dmEventId });
    await e.sandbox.inboundDm({ fromUserId: customers[0]!.user.id, toUserId: shop.id, text: "I'd like one" });
    const m = await eventually(() => get(e!, c.id), (x) => x.metrics.opened === 1 && x.metrics.replied === 1 && x.metrics.clicked === 1, 15_000);
    expect(m.metrics).toMatchObject({ delivered: 1, opened: 1, clicked: 1, replied: 1 });
    const metrics = await e.call<{ data: Json }>("GET", `/campaigns/${c.id}/metrics`);
    expect(metrics.body.data).toMatchObject({ openRate: 1, clickRate: 1, replyRate: 1, deliveryRate: 1 });
  });

  it("quick replies travel as numbered options and the answer is read back as the option chosen; card buttons are tracked links", async () => {
    e = await startE2E();
    const { shop, customers } = await setup(e, [
      { username: "qr_num", tags: ["qr"] },
      { username: "qr_label", tags: ["qr"] },
      { username: "qr_tap", tags: ["qr"] },
      { username: "qr_chat", tags: ["qr"] },
    ]);
    const seg = await segment(e, [{ field: "tags", operator: "contains", value: "qr" }]);
    const qr = await e.call<{ data: { id: string } }>("POST", "/templates", {
      name: "Size survey",
      type: "quick_reply",
      content: "Hi {{name}}, which size?",
      variables: ["name"],
      quickReplies: [{ label: "Small", metadata: "size:s" }, { label: "Medium", description: "fits most", metadata: "size:m" }, { label: "Large", metadata: "size:l" }],
    });
    expect(qr.status).toBe(200);
    const preview = await e.call<{ data: Json }>("POST", `/templates/${qr.body.data.id}/preview`, { variables: { name: "Ann" } });
    expect(preview.body.data).toEqual({ rendered: "Hi Ann, which size?", message: "Hi Ann, which size?\n\n1. Small\n2. Medium – fits most\n3. Large" });
    const c = await campaign(e, { templateId: qr.body.data.id, segmentIds: [seg] });
    await e.startWorker();
    await e.call("POST", `/campaigns/${c.id}/start`);
    await eventually(() => get(e!, c.id), (x) => x.status === "completed", 20_000);
    const [first] = dmsTo(e, [customers[0]!.user]);
    expect(first?.text).toBe("Hi qr_num, which size?\n\n1. Small\n2. Medium – fits most\n3. Large");

    await e.sandbox.inboundDm({ fromUserId: customers[0]!.user.id, toUserId: shop.id, text: "2" });
    await e.sandbox.inboundDm({ fromUserId: customers[1]!.user.id, toUserId: shop.id, text: "large!" });
    await e.sandbox.inboundDm({ fromUserId: customers[2]!.user.id, toUserId: shop.id, text: "Small", quickReplyMetadata: "size:s" });
    await e.sandbox.inboundDm({ fromUserId: customers[3]!.user.id, toUserId: shop.id, text: "do you have XL?" });
    const conversation = async (contactId: string) => {
      const list = await e!.call<{ data: { id: string }[] }>("GET", `/contacts/${contactId}/conversations`);
      const one = await e!.call<{ data: { messages: Json[] } }>("GET", `/conversations/${list.body.data[0]!.id}`);
      return one.body.data.messages;
    };
    const answerOf = async (contactId: string) => (await eventually(() => conversation(contactId), (ms) => ms.some((m) => m.direction === "inbound"), 15_000)).find((m) => m.direction === "inbound");
    const sent = (await conversation(customers[0]!.contactId)).find((m) => m.direction === "outbound");
    expect(sent).toMatchObject({ type: "quick_reply", quickReplies: [{ label: "Small" }, { label: "Medium" }, { label: "Large" }] });
    expect(await answerOf(customers[0]!.contactId)).toMatchObject({ content: "2", quickReplyResponse: { index: 2, label: "Medium", metadata: "size:m" } });
    expect(await answerOf(customers[1]!.contactId)).toMatchObject({ quickReplyResponse: { index: 3, label: "Large", metadata: "size:l" } });
    expect(await answerOf(customers[2]!.contactId)).toMatchObject({ quickReplyResponse: { index: 1, label: "Small", metadata: "size:s" } });
    const chat = await answerOf(customers[3]!.contactId);
    expect(chat).toMatchObject({ content: "do you have XL?" });
    expect(chat).not.toHaveProperty("quickReplyResponse");

    // a card: each button a line "label: link", the link tracked like any campaign link
    const card = await e.call<{ data: { id: string } }>("POST", "/templates", { name: "Sale card", type: "card", content: "Our sale is on", variables: [], buttons: [{ label: "Shop now", url: "https://shop.example.com/sale" }] });
    expect(card.status).toBe(200);
    const c2 = await campaign(e, { templateId: card.body.data.id, segmentIds: [seg] });
    await e.call("POST", `/campaigns/${c2.id}/start`);
    await eventually(() => get(e!, c2.id), (x) => x.status === "completed", 20_000);
    const cardDm = dmsTo(e, [customers[0]!.user]).find((d) => d.text.startsWith("Our sale is on"));
    const link = /^Our sale is on\n\nShop now: (http:\/\/127\.0\.0\.1:\d+\/r\/[A-Za-z0-9]+)$/.exec(cardDm?.text ?? "");
    expect(link, cardDm?.text).not.toBeNull();
    const click = await fetch(link![1]!, { redirect: "manual" });
    expect(click.status).toBe(302);
    expect(click.headers.get("location")).toBe("https://shop.example.com/sale");
    expect((await eventually(() => get(e!, c2.id), (x) => x.metrics.clicked === 1, 10_000)).metrics.clicked).toBe(1);
  });

  it("a test send reaches only the listed contacts, marked as a test and not counted", async () => {
    e = await startE2E();
    const { customers } = await setup(e, [{ username: "tester", name: "Tess" }, { username: "bystander", tags: ["x"] }]);
    const seg = await segment(e, [{ field: "tags", operator: "contains", value: "x" }]);
    const tpl = await template(e, "Hi {{first_name}}, code {{code}}", ["first_name", "code"]);
    const c = await campaign(e, { templateId: tpl, segmentIds: [seg] });
    await e.startWorker();
    const res = await e.call<{ data: { sent: number; messages: Json[] } }>("POST", `/campaigns/${c.id}/test`, { contactIds: [customers[0]!.contactId], variables: { code: "TEST10" } });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ sent: 1, skipped: [] });
    const dm = await e.sandbox.waitForDm((d) => d.recipientId === customers[0]!.user.id, 10_000);
    expect(dm.text).toBe("Hi Tess, code TEST10");
    expect(dmsTo(e, [customers[1]!.user])).toHaveLength(0);
    const { rows } = await e.database.pool.query("SELECT origin, campaign_id FROM messages WHERE contact_id = $1", [customers[0]!.contactId]);
    expect(rows).toEqual([{ origin: "test", campaign_id: null }]);
    expect((await get(e, c.id)).metrics.totalSent).toBe(0);
    const missing = await e.call<{ data: { messages: Json[] } }>("POST", `/campaigns/${c.id}/test`, { contactIds: [customers[0]!.contactId] });
    expect(missing.body.data.messages[0]).toMatchObject({ status: "failed", error: expect.stringContaining("code") });
  });

  it("a test send obeys opt-out always and consent when the account requires it, naming the skipped", async () => {
    e = await startE2E();
    const { accountId, customers } = await setup(e, [
      { username: "said_stop", name: "Stopped", optedOut: true },
      { username: "never_wrote", name: "Silent", consent: false },
      { username: "wrote_first", name: "Wendy" },
      { username: "stops_later", name: "Late" },
    ]);
    const [stopped, silent, wrote, late] = customers;
    const c = await campaign(e, { templateId: await template(e, "Hi {{name}}", ["name"]), segmentIds: [await segment(e, [{ field: "tags", operator: "contains", value: "none" }])] });
    // queued while they could still receive it, then they say STOP before it goes out: the pipeline checks again
    const queued = await e.call<{ data: { messages: Json[] } }>("POST", `/campaigns/${c.id}/test`, { contactIds: [late!.contactId] });
    expect(queued.body.data.messages[0]).toMatchObject({ status: "queued" });
    await e.database.pool.query("UPDATE contacts SET opted_out = true WHERE id = $1", [late!.contactId]);
    await e.startWorker();
    const failed = await eventually(() => e!.database.pool.query("SELECT status, error FROM messages WHERE id = $1", [queued.body.data.messages[0]!.messageId]), (r) => r.rows[0].status === "failed", 10_000);
    expect(failed.rows[0].error).toContain("opted out");

    const ids = [stopped!.contactId, silent!.contactId, wrote!.contactId];
    const res = await e.call<{ data: { sent: number; skipped: Json[]; messages: Json[] } }>("POST", `/campaigns/${c.id}/test`, { contactIds: ids });
    expect(res.status).toBe(200);
    expect(res.body.data.sent).toBe(1);
    expect(res.body.data.skipped).toEqual([
      { contactId: stopped!.contactId, reason: "opted_out" },
      { contactId: silent!.contactId, reason: "no_consent" },
    ]);
    expect(res.body.data.messages.map((m) => [m.contactId, m.status])).toEqual([
      [stopped!.contactId, "skipped"],
      [silent!.contactId, "skipped"],
      [wrote!.contactId, "queued"],
    ]);
    await e.sandbox.waitForDm((d) => d.recipientId === wrote!.user.id, 10_000);

    // the merchant turns consent off: the silent contact may be tested now, the opted-out never
    expect((await e.call("PUT", `/accounts/${accountId}`, { requireConsent: false })).status).toBe(200);
    const again = await e.call<{ data: { sent: number; skipped: Json[] } }>("POST", `/campaigns/${c.id}/test`, { contactIds: ids });
    expect(again.body.data).toMatchObject({ sent: 2, skipped: [{ contactId: stopped!.contactId, reason: "opted_out" }] });
    await e.sandbox.waitForDm((d) => d.recipientId === silent!.user.id, 10_000);
    await eventually(() => e!.database.pool.query("SELECT count(*)::int AS n FROM messages WHERE origin = 'test' AND status = 'sent'"), (r) => r.rows[0].n === 3, 10_000);
    expect(dmsTo(e, [stopped!.user])).toHaveLength(0);

    expect(dmsTo(e, [late!.user])).toHaveLength(0);
  });

  it("of concurrent starts exactly one succeeds; the others answer 400 as a later start would", async () => {
    e = await startE2E();
    await setup(e, [{ username: "racer", tags: ["race"] }]);
    const c = await campaign(e, { templateId: await template(e, "Go!", []), segmentIds: [await segment(e, [{ field: "tags", operator: "contains", value: "race" }])] });
    const answers = await Promise.all(Array.from({ length: 4 }, () => e!.call<{ code?: string }>("POST", `/campaigns/${c.id}/start`)));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 400, 400, 400]);
    expect(answers.filter((a) => a.status === 400).map((a) => a.body.code)).toEqual(["VALIDATION_ERROR", "VALIDATION_ERROR", "VALIDATION_ERROR"]);
    const jobs = await e.database.pool.query("SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'campaign.start' AND data->>'campaignId' = $1", [c.id]);
    expect(jobs.rows[0].n).toBe(1);
  });

  it("validates start, refuses updates once running, and cancels", async () => {
    e = await startE2E();
    await setup(e, [{ username: "someone", tags: ["t"] }]);
    const tpl = await template(e, "Hello", []);
    const seg = await segment(e, [{ field: "tags", operator: "contains", value: "t" }]);
    const noSegments = await campaign(e, { templateId: tpl, segmentIds: [] });
    const r1 = await e.call<Json>("POST", `/campaigns/${noSegments.id}/start`);
    expect(r1.status).toBe(400);
    expect(r1.body).toMatchObject({ success: false, code: "VALIDATION_ERROR" });
    const unknownTemplate = await e.call<Json>("POST", "/campaigns", { name: "x", type: "promotional", templateId: randomUUID(), segmentIds: [seg] });
    expect(unknownTemplate.status).toBe(400);
    expect(unknownTemplate.body).toMatchObject({ code: "VALIDATION_ERROR", details: { field: "templateId", reason: "Template not found" } });

    const { accountId: gone } = await e.connect();
    const disconnected = await campaign(e, { templateId: tpl, segmentIds: [seg], accountId: gone });
    expect((await e.call("DELETE", `/accounts/${gone}`)).status).toBe(200);
    const r2 = await e.call<Json>("POST", `/campaigns/${disconnected.id}/start`);
    expect(r2.status).toBe(400);
    expect(r2.body).toMatchObject({ code: "VALIDATION_ERROR", details: { field: "accountId" } });

    const c = await campaign(e, { templateId: tpl, segmentIds: [seg], schedule: { startAt: new Date(Date.now() + 3_600_000).toISOString(), endAt: null, recurrence: null } });
    const scheduled = await e.call<{ data: CampaignBody }>("POST", `/campaigns/${c.id}/start`);
    expect(scheduled.body.data.status).toBe("scheduled");
    const job = await e.database.pool.query("SELECT start_after FROM pgboss.job WHERE name = 'campaign.start' AND data->>'campaignId' = $1", [c.id]);
    expect(job.rows).toHaveLength(1);
    expect(new Date(job.rows[0].start_after).getTime()).toBeGreaterThan(Date.now() + 3_500_000);
    expect((await e.call<{ data: CampaignBody }>("PUT", `/campaigns/${c.id}`, { name: "Renamed" })).body.data).toMatchObject({ name: "Renamed", status: "scheduled" });
    expect((await e.call<{ data: CampaignBody }>("POST", `/campaigns/${c.id}/pause`)).body.data.status).toBe("paused");
    const update = await e.call<Json>("PUT", `/campaigns/${c.id}`, { name: "Nope" });
    expect(update.status).toBe(400);
    expect((await e.call<{ data: CampaignBody }>("POST", `/campaigns/${c.id}/cancel`)).body.data.status).toBe("cancelled");
    expect((await e.call<Json>("POST", `/campaigns/${c.id}/resume`)).status).toBe(400);

    const other = await e.call<Json>("GET", `/campaigns/${randomUUID()}`);
    expect(other.status).toBe(404);
    const list = await e.call<{ data: CampaignBody[]; pagination: Json }>("GET", "/campaigns?status=cancelled");
    expect(list.body.data.map((x) => x.id)).toEqual([c.id]);
  });

  it("a campaign larger than the send window keeps running, shows its expected finish, fills only its lane's share, and an agent's reply still goes out", async () => {
    // 5 DMs per 15 minutes: a campaign may fill 4 of them (its lane's ceiling), the last is kept for people waiting for an answer
    e = await startE2E({ windows: { accountPer15m: 5, accountPer24h: 500, appPer24h: 15_000, accountCampaignPer24h: 10_000 } });
    const { customers, accountId } = await setup(e, Array.from({ length: 7 }, (_, i) => ({ username: `w${i}_${randomUUID().slice(0, 4)}`, tags: ["win"] })));
    const seg = await segment(e, [{ field: "tags", operator: "contains", value: "win" }]);
    const tpl = await template(e, "Windowed", []);
    const c = await campaign(e, { templateId: tpl, segmentIds: [seg] });
    await e.startWorker();
    await e.call("POST", `/campaigns/${c.id}/start`);
    await eventually(async () => dmsTo(e!, customers.map((x) => x.user)).length, (n) => n === 4, 20_000);
    const waiting = await eventually(async () => (await e!.database.pool.query("SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'message.send' AND state = 'created' AND start_after > now() + interval '5 minutes'")).rows[0].n, (n: number) => n === 3, 20_000);
    expect(waiting).toBe(3);
    const now = await get(e, c.id);
    expect(now.status).toBe("running");
    expect(now.expectedFinishAt).not.toBeNull();
    expect(dmsTo(e, customers.map((x) => x.user))).toHaveLength(4);

    // a customer writes; the agent's answer takes the slot the campaign left free, at once
    const conv = await e.database.pool.query("SELECT id FROM conversations WHERE contact_id = $1 AND status = 'open'", [customers[6]!.contactId]);
    const reply = await e.call<{ data: { id: string } }>("POST", `/conversations/${conv.rows[0].id}/messages`, { content: "Personal answer", type: "text" });
    expect(reply.status).toBe(200);
    await e.sandbox.waitForDm((d) => d.text === "Personal answer", 10_000);
    await eventually(async () => (await e!.database.pool.query("SELECT count(*)::int AS n FROM messages WHERE account_id = $1 AND status = 'sent'", [accountId])).rows[0].n, (n: number) => n === 5);
    // and in the queue it went before every campaign send (the lanes' job priority)
    const priorities = await e.database.pool.query<{ origin: string; priority: number }>(
      "SELECT DISTINCT m.origin, j.priority FROM pgboss.job j JOIN messages m ON m.id::text = j.data->>'messageId' WHERE j.name = 'message.send' AND m.account_id = $1 ORDER BY j.priority DESC",
      [accountId],
    );
    expect(priorities.rows).toEqual([{ origin: "inbox", priority: 40 }, { origin: "campaign", priority: 0 }]);
    // the window is now full: nothing more of the campaign went out
    expect(dmsTo(e, customers.map((x) => x.user)).filter((d) => d.text === "Windowed")).toHaveLength(4);
  });

  it("a campaign DM that X's echo records (the pipeline crashed before it could) counts as delivered, and the reply to it counts for the campaign", async () => {
    let crashed = 0;
    e = await startE2E({
      send: {
        // X has the DM; its echo reaches the webhook and is recorded first; then this worker dies before recording X's answer
        afterXAccepted: async (messageId) => {
          await eventually(async () => (await e!.database.pool.query("SELECT status FROM messages WHERE id = $1", [messageId])).rows[0]?.status, (s) => s === "sent", 20_000);
          crashed++;
          throw new Error("simulated crash after X accepted; the echo recorded the DM");
        },
      },
    });
    e.sandbox.configure({ echoOutbound: true });
    const { shop, customers } = await setup(e, [{ username: `echo_${randomUUID().slice(0, 4)}`, tags: ["echoed"] }]);
    const seg = await segment(e, [{ field: "tags", operator: "contains", value: "echoed" }]);
    const tpl = await template(e, "Echoed hello", []);
    const c = await campaign(e, { templateId: tpl, segmentIds: [seg] });
    await e.startWorker();
    await e.call("POST", `/campaigns/${c.id}/start`);
    const done = await eventually(() => get(e!, c.id), (x) => x.status === "completed", 30_000);
    expect(crashed).toBe(1);
    expect(done.metrics).toMatchObject({ delivered: 1, failed: 0 });
    const recipient = await e.database.pool.query("SELECT status, sent_at FROM campaign_recipients WHERE campaign_id = $1", [c.id]);
    expect(recipient.rows).toEqual([{ status: "sent", sent_at: expect.any(Date) }]);

    await e.sandbox.inboundDm({ fromUserId: customers[0]!.user.id, toUserId: shop.id, text: "Thanks, I'll take two" });
    const replied = await eventually(() => get(e!, c.id), (x) => x.metrics.replied === 1, 20_000);
    expect(replied.metrics).toMatchObject({ delivered: 1, replied: 1 });
    expect(dmsTo(e, customers.map((x) => x.user))).toHaveLength(1);
  });

  it("recurring campaigns schedule their next run when a run completes; endAt stops sending", async () => {
    e = await startE2E();
    await setup(e, [{ username: "daily_reader", tags: ["daily"] }]);
    const seg = await segment(e, [{ field: "tags", operator: "contains", value: "daily" }]);
    const tpl = await template(e, "Daily deal", []);
    const c = await campaign(e, { templateId: tpl, segmentIds: [seg], schedule: { startAt: null, endAt: null, recurrence: "daily" } });
    await e.startWorker();
    await e.call("POST", `/campaigns/${c.id}/start`);
    const next = await eventually(() => get(e!, c.id), (x) => x.status === "scheduled" && x.run === 1, 20_000);
    expect(next.metrics.delivered).toBe(1);
    const startAt = new Date(next.schedule.startAt ?? 0).getTime();
    expect(startAt).toBeGreaterThan(Date.now() + 23 * 3_600_000);
    const job = await e.database.pool.query("SELECT data FROM pgboss.job WHERE name = 'campaign.start' AND data->>'campaignId' = $1 AND (data->>'run')::int = 2", [c.id]);
    expect(job.rows).toHaveLength(1);
  });

  it("workers crashing mid-campaign, and one stopped for good, lose nobody and send nobody twice", async () => {
    let crashes = 0;
    let accepted = 0;
    e = await startE2E({
      campaigns: { maxInFlight: 5 },
      send: {
        leaseMs: 300,
        retryBaseMs: 50,
        // the worst moment: X has the DM, our record does not
        afterXAccepted: async () => {
          if (accepted++ % 3 === 0 && crashes < 4) {
            crashes++;
            throw new Error("simulated crash after X accepted");
          }
        },
      },
    });
    const { customers } = await setup(e, Array.from({ length: 30 }, (_, i) => ({ username: `k${i}_${randomUUID().slice(0, 4)}`, tags: ["crash"] })));
    const seg = await segment(e, [{ field: "tags", operator: "contains", value: "crash" }]);
    const tpl = await template(e, "Resilient hello", []);
    const c = await campaign(e, { templateId: tpl, segmentIds: [seg] });
    // the first worker is a process of its own (its own pg-boss), so it can go away alone
    const boss2 = createPgBoss(e.database.url, { max: 3 });
    boss2.on("error", () => {});
    await boss2.start();
    const queue2 = createJobQueue(boss2);
    const first = await startWorker({ boss: boss2, deps: { db: e.database.db, send: { ...e.send, queue: queue2 }, campaigns: { ...e.campaigns, queue: queue2 }, ai: createEmbeddedAiProvider(), log: { info: () => {} } }, log: { info: () => {}, error: () => {} }, pollingIntervalSeconds: 0.5 });
    await e.call("POST", `/campaigns/${c.id}/start`);
    await eventually(async () => dmsTo(e!, customers.map((x) => x.user)).length, (n) => n >= 8, 20_000);
    // one worker goes away mid-campaign; another picks up where it left off
    await first.stop();
    await e.startWorker();
    const done = await eventually(() => get(e!, c.id), (x) => x.status === "completed", 40_000);
    expect(done.metrics).toMatchObject({ delivered: 30, failed: 0 });
    const recipients = dmsTo(e, customers.map((x) => x.user)).map((d) => d.recipientId);
    expect(recipients).toHaveLength(30);
    expect(new Set(recipients).size).toBe(30);
    expect(crashes).toBe(4);
  });

  it("the daily cap on campaign DMs per account binds when it is the smallest budget; agent replies are not held by it", async () => {
    e = await startE2E({ windows: { accountPer15m: 200, accountPer24h: 500, appPer24h: 15_000, accountCampaignPer24h: 2 } });
    const { customers, accountId } = await setup(e, Array.from({ length: 4 }, (_, i) => ({ username: `cap${i}_${randomUUID().slice(0, 4)}`, tags: ["cap"] })));
    const seg = await segment(e, [{ field: "tags", operator: "contains", value: "cap" }]);
    const tpl = await template(e, "Capped", []);
    const c = await campaign(e, { templateId: tpl, segmentIds: [seg] });
    await e.startWorker();
    await e.call("POST", `/campaigns/${c.id}/start`);
    await eventually(async () => (await e!.database.pool.query("SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'message.send' AND state = 'created' AND start_after > now() + interval '30 minutes'")).rows[0].n, (n: number) => n === 2, 20_000);
    expect(dmsTo(e, customers.map((x) => x.user))).toHaveLength(2);
    expect((await get(e, c.id)).status).toBe("running");
    // an agent's reply to one of them still goes out today
    const conv = await e.database.pool.query("SELECT id FROM conversations WHERE contact_id = $1 AND status = 'open'", [customers[3]!.contactId]);
    const reply = await e.call<{ data: { id: string } }>("POST", `/conversations/${conv.rows[0].id}/messages`, { content: "Personal answer", type: "text" });
    expect(reply.status).toBe(200);
    await e.sandbox.waitForDm((d) => d.text === "Personal answer", 10_000);
    expect(dmsTo(e, customers.map((x) => x.user)).filter((d) => d.text === "Capped")).toHaveLength(2);
    // X has it; our record follows a moment later
    await eventually(async () => (await e!.database.pool.query("SELECT count(*)::int AS n FROM messages WHERE account_id = $1 AND status = 'sent'", [accountId])).rows[0].n, (n: number) => n === 3);
  });
});
