// X's x-rate-limit-* headers on each accepted DM: when X says a window has nothing left (its limit
// lower than our windows), the account waits for X's reset instead of spending a 429.
import { afterEach, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { startE2E, type E2E } from "./e2e-harness.ts";

let e: E2E | undefined;
afterEach(async () => {
  await e?.close();
  e = undefined;
});

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

describe("X's rate-limit headers", () => {
  it("X allows 2 DMs per 15 minutes (our windows are off): after the second, the account pauses until X's reset and X never answers 429", async () => {
    e = await startE2E({ windows: null });
    e.sandbox.configure({ dmLimitPer15m: 2 });
    const { user: shop, accountId } = await e.connect();
    const campaign = async (n: number) => {
      const tag = `rl${randomUUID().slice(0, 6)}`;
      for (let k = 0; k < n; k++) {
        const customer = e!.sandbox.addUser({ username: `${tag}_${k}` });
        await e!.database.pool.query(`INSERT INTO contacts (merchant_id, account_id, twitter_user_id, username, tags, consent_at) VALUES ($1, $2, $3, $4, $5, now())`, [e!.merchantId, accountId, customer.id, customer.username, [tag]]);
      }
      const seg = await e!.call<{ data: { id: string } }>("POST", "/segments", { name: tag, conditions: [{ field: "tags", operator: "contains", value: tag }] });
      const tpl = await e!.call<{ data: { id: string } }>("POST", "/templates", { name: tag, type: "text", content: "Hi", variables: [] });
      const created = await e!.call<{ data: { id: string } }>("POST", "/campaigns", { name: tag, type: "promotional", templateId: tpl.body.data.id, segmentIds: [seg.body.data.id], accountId });
      return created.body.data.id;
    };
    const first = await campaign(2);
    const second = await campaign(1);
    await e.startWorker();
    const started = Date.now();
    expect((await e.call("POST", `/campaigns/${first}/start`)).status).toBe(200);

    await soon(async () => {
      const { rows } = await e!.database.pool.query<{ send_paused_until: Date | null }>(`SELECT send_paused_until FROM x_accounts WHERE id = $1`, [accountId]);
      const until = rows[0]?.send_paused_until?.getTime() ?? 0;
      // X's reset: 15 minutes after the first DM of its window
      expect(until).toBeGreaterThan(started + 14 * 60_000);
      expect(until).toBeLessThan(Date.now() + 15 * 60_000 + 2000);
    });
    // the next campaign DM waits for X's reset: it never reaches X
    expect((await e.call("POST", `/campaigns/${second}/start`)).status).toBe(200);
    await soon(async () => {
      const { rows } = await e!.database.pool.query<{ status: string }>(`SELECT m.status FROM messages m WHERE m.campaign_id = $1`, [second]);
      expect(rows.map((r) => r.status)).toEqual(["queued"]);
    });
    await new Promise((r) => setTimeout(r, 500));
    expect(e.sandbox.dms().filter((d) => d.senderId === shop.id)).toHaveLength(2);
    const answers = e.sandbox.requests().filter((r) => r.method === "POST" && r.path.startsWith("/2/dm_conversations"));
    expect(answers.map((r) => r.status)).toEqual([201, 201]);
  });
});
