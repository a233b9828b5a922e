// POST /campaigns/{id}/estimate: what a start would fan out to now (the start's own selection),
// when it would finish at the send windows, and what X would charge; then the run does just that.
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

interface Estimate {
  recipients: number;
  skipped: Record<string, number>;
  finishesAt: string;
  costUsd: number;
}

describe("campaign estimate", () => {
  it("counts recipients and the left-out by reason as the start then fans out, with the finish at the windows and the cost at X_DM_PRICE_USD", async () => {
    e = await startE2E();
    const { accountId } = await e.connect();
    const tag = `est${randomUUID().slice(0, 6)}`;
    const contact = async (i: number, opts: { consent: boolean; optedOut: boolean }) => {
      const customer = e!.sandbox.addUser({ username: `${tag}_${i}` });
      await e!.database.pool.query(`INSERT INTO contacts (merchant_id, account_id, twitter_user_id, username, tags, consent_at, opted_out) VALUES ($1, $2, $3, $4, $5, $6, $7)`, [
        e!.merchantId, accountId, customer.id, customer.username, [tag], opts.consent ? new Date() : null, opts.optedOut,
      ]);
    };
    for (let i = 0; i < 3; i++) await contact(i, { consent: true, optedOut: false });
    await contact(3, { consent: true, optedOut: true });
    await contact(4, { consent: false, optedOut: false });
    const seg = await e.call<{ data: { id: string } }>("POST", "/segments", { name: tag, conditions: [{ field: "tags", operator: "contains", value: tag }] });
    const tpl = await e.call<{ data: { id: string } }>("POST", "/templates", { name: tag, type: "text", content: "Hi", variables: [] });
    const created = await e.call<{ data: { id: string } }>("POST", "/campaigns", { name: tag, type: "promotional", templateId: tpl.body.data.id, segmentIds: [seg.body.data.id], accountId });
    const id = created.body.data.id;

    const before = Date.now();
    const res = await e.call<{ success: boolean; data: Estimate }>("POST", `/campaigns/${id}/estimate`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.data).toMatchObject({ recipients: 3, skipped: { opted_out: 1, no_consent: 1 }, costUsd: 0.045 });
    // pay-per-use windows: the seed's 500 a day per account binds, of which campaigns may fill 400
    // (their lane's ceiling, about 16.7 an hour): 3 DMs ≈ 648 s
    const seconds = (Date.parse(res.body.data.finishesAt) - before) / 1000;
    expect(seconds).toBeGreaterThan(640);
    expect(seconds).toBeLessThan(660);

    await e.startWorker();
    expect((await e.call("POST", `/campaigns/${id}/start`)).status).toBe(200);
    await soon(async () => {
      const c = (await e!.call<{ data: { status: string; metrics: { delivered: number }; skippedByReason: Record<string, number> } }>("GET", `/campaigns/${id}`)).body.data;
      expect(c).toMatchObject({ status: "completed", metrics: { delivered: 3 } });
      expect(c.skippedByReason).toEqual(res.body.data.skipped);
    });
    // not draft or scheduled any more: 400 per the conventions
    const late = await e.call<{ success: boolean; code: string }>("POST", `/campaigns/${id}/estimate`);
    expect(late.status).toBe(400);
    expect(late.body).toMatchObject({ success: false, code: "VALIDATION_ERROR" });
    expect((await e.call("POST", `/campaigns/${randomUUID()}/estimate`)).status).toBe(404);
    // a path id that is not a UUID matches nothing (the API's convention)
    expect((await e.call("POST", `/campaigns/not-an-id/estimate`)).status).toBe(404);
  });
});
