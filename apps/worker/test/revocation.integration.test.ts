// X takes an account's authorization back (AAA user_event.revoke, XAA oauth.revoke, or a 401 on a
// call made as the account): the account shows `revoked`, its campaigns pause with the reason and
// a campaign.updated live event, and reconnecting with new tokens resumes what was paused.
import { afterEach, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import type { SandboxUser } from "@mkt-x/twitter/sandbox";
import { startE2E, type E2E } from "./e2e-harness.ts";
import { eventOf, openSse, type SseStream } from "../../api/test/sse-client.ts";

let e: E2E | undefined;
let s: SseStream | undefined;
afterEach(async () => {
  s?.close();
  await e?.close();
  e = undefined;
  s = undefined;
});

/** Retries an assertion until it holds (15 s). */
async function soon(check: () => Promise<void>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

const get = async <T = Record<string, unknown>>(env: E2E, path: string) => (await env.call<{ data: T }>("GET", path)).body.data;

/** A campaign of the account to `n` consenting contacts, not started. */
async function campaignOf(env: E2E, accountId: string, n: number): Promise<{ campaignId: string; customers: SandboxUser[] }> {
  const tag = `rv${randomUUID().slice(0, 6)}`;
  const customers: SandboxUser[] = [];
  for (let i = 0; i < n; i++) {
    const customer = env.sandbox.addUser({ username: `${tag}_${i}` });
    customers.push(customer);
    await env.database.pool.query(`INSERT INTO contacts (merchant_id, account_id, twitter_user_id, username, tags, consent_at) VALUES ($1, $2, $3, $4, $5, now())`, [env.merchantId, accountId, customer.id, customer.username, [tag]]);
  }
  const seg = await env.call<{ data: { id: string } }>("POST", "/segments", { name: tag, conditions: [{ field: "tags", operator: "contains", value: tag }] });
  const tpl = await env.call<{ data: { id: string } }>("POST", "/templates", { name: tag, type: "text", content: `Hello from ${tag}`, variables: [] });
  const created = await env.call<{ data: { id: string } }>("POST", "/campaigns", { name: tag, type: "promotional", templateId: tpl.body.data.id, segmentIds: [seg.body.data.id], accountId });
  expect(created.status).toBe(200);
  return { campaignId: created.body.data.id, customers };
}

/** The merchant connects the same X user again: X issues new tokens. */
async function reconnect(env: E2E, shop: SandboxUser) {
  const fresh = env.sandbox.addUser({ id: shop.id, username: shop.username });
  return env.call<{ data: { id: string; status: string } }>("POST", "/accounts", { oauthToken: fresh.accessToken, oauthTokenSecret: fresh.accessSecret });
}

describe("a revoked account", () => {
  it.each(["aaa", "xaa"] as const)("%s revocation event: account revoked, its running campaign paused with the reason (live), reconnect resumes it", async (via) => {
    // one DM per 15 minutes: the campaign stays running with recipients left
    e = await startE2E({ windows: { accountPer15m: 1, accountPer24h: 100, appPer24h: 1000, accountCampaignPer24h: 100 } });
    const { user: shop, accountId } = await e.connect();
    const { campaignId } = await campaignOf(e, accountId, 3);
    // the merchant's only account: its active flow stops with it
    const tpl = await e.call<{ data: { id: string } }>("POST", "/templates", { name: "welcome", type: "text", content: "Welcome!", variables: [] });
    const flow = await e.call<{ data: { id: string } }>("POST", "/automation/flows", {
      name: "welcome",
      trigger: { type: "new_follower", config: {} },
      nodes: [{ id: "welcome", type: "send_message", config: { templateId: tpl.body.data.id, delay: 0 } }],
      connections: [],
    });
    const flowId = flow.body.data.id;
    expect((await e.call("POST", `/automation/flows/${flowId}/activate`)).status).toBe(200);
    await e.startWorker();
    expect((await e.call("POST", `/campaigns/${campaignId}/start`)).status).toBe(200);
    await e.sandbox.waitForDm((dm) => dm.senderId === shop.id);

    s = await openSse(`${e.base}/events/stream`, { token: e.token });
    await s.comment((c) => c === "connected");
    const delivery = await e.sandbox.revoke({ userId: shop.id, via });
    expect(delivery.delivered).toBe(true);

    const paused = eventOf(await s.next((m) => m.event === "campaign.updated" && eventOf(m).data.status === "paused"));
    expect(paused.data).toMatchObject({ id: campaignId, status: "paused", pauseReason: "account_revoked" });
    expect(await get(e, `/accounts/${accountId}`)).toMatchObject({ status: "revoked" });
    expect((await e.call<{ data: { id: string }[] }>("GET", "/accounts?status=revoked")).body.data.map((a) => a.id)).toEqual([accountId]);
    expect(await get(e, `/automation/flows/${flowId}`)).toMatchObject({ status: "inactive" });

    const again = await reconnect(e, shop);
    expect(again.status).toBe(200);
    expect(again.body.data).toMatchObject({ id: accountId, status: "active" });
    const resumed = eventOf(await s.next((m) => m.event === "campaign.updated" && eventOf(m).data.status === "running"));
    expect(resumed.data).toMatchObject({ id: campaignId, pauseReason: null });
    expect(await get(e, `/automation/flows/${flowId}`)).toMatchObject({ status: "active" });
  });

  it("X's 401 on a send: revoked, the campaign pauses and its DMs wait; reconnecting sends every one of them once", async () => {
    e = await startE2E();
    const { user: shop, accountId } = await e.connect();
    const { campaignId, customers } = await campaignOf(e, accountId, 2);
    e.sandbox.addFault({ method: "POST", path: "/2/dm_conversations", status: 401, sticky: true });
    await e.startWorker();
    expect((await e.call("POST", `/campaigns/${campaignId}/start`)).status).toBe(200);

    await soon(async () => expect(await get(e!, `/campaigns/${campaignId}`)).toMatchObject({ status: "paused", pauseReason: "account_revoked" }));
    expect(await get(e, `/accounts/${accountId}`)).toMatchObject({ status: "revoked" });
    // nothing failed: the refused DMs went back to their recipients
    await soon(async () => {
      const { rows } = await e!.database.pool.query<{ status: string }>(`SELECT status FROM campaign_recipients WHERE campaign_id = $1`, [campaignId]);
      expect(rows.map((r) => r.status).sort()).toEqual(["pending", "pending"]);
    });

    e.sandbox.clearFaults();
    const again = await reconnect(e, shop);
    expect(again.body.data).toMatchObject({ id: accountId, status: "active" });
    await soon(async () => expect(await get(e!, `/campaigns/${campaignId}`)).toMatchObject({ status: "completed", metrics: { delivered: 2, failed: 0 } }));
    const sent = e.sandbox.dms().filter((dm) => dm.senderId === shop.id);
    expect(sent.map((dm) => dm.recipientId).sort()).toEqual(customers.map((c) => c.id).sort());
  });

  it("a person's pause is not undone by a reconnect", async () => {
    e = await startE2E({ windows: { accountPer15m: 1, accountPer24h: 100, appPer24h: 1000, accountCampaignPer24h: 100 } });
    const { user: shop, accountId } = await e.connect();
    const { campaignId } = await campaignOf(e, accountId, 2);
    await e.startWorker();
    expect((await e.call("POST", `/campaigns/${campaignId}/start`)).status).toBe(200);
    expect((await e.call("POST", `/campaigns/${campaignId}/pause`)).status).toBe(200);
    await e.sandbox.revoke({ userId: shop.id });
    await soon(async () => expect(await get(e!, `/accounts/${accountId}`)).toMatchObject({ status: "revoked" }));
    expect((await reconnect(e, shop)).body.data).toMatchObject({ status: "active" });
    expect(await get(e, `/campaigns/${campaignId}`)).toMatchObject({ status: "paused", pauseReason: null });
  });
});
