// Priority lanes and the merchants' fair share of the app's window, counted in a real PostgreSQL:
// each lane fills a window only up to its ceiling, so the slots above stay free for agents' replies
// and STOP confirmations, and a merchant over its share of bulk sends waits while others send.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, inject } from "vitest";
import { createTestDatabase, type TestDatabase } from "@mkt-x/db/testing";
import { reserveSendSlot, X_PAUSED, type SendWindowLimits } from "../src/server/services/messages/send-windows.ts";
import { laneCeiling, laneOf, type SendLane } from "../src/domain/send-lanes.ts";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase(inject("dbTemplate"));
});
afterAll(async () => {
  await database?.drop();
});

const BIG = 1_000_000;
const now = new Date("2026-12-06T10:00:00Z");

/** Reserves until refused (or `max` granted); answers how many were granted and the refusal's window. */
async function fill(opts: { accountId: string; merchantId: string; lane: SendLane; limits: SendWindowLimits; max?: number }) {
  let granted = 0;
  for (;;) {
    if (opts.max !== undefined && granted === opts.max) return { granted, refusedBy: null };
    const r = await reserveSendSlot(database.db, { ...opts, now });
    if (!r.ok) return { granted, refusedBy: r.window };
    granted++;
  }
}

describe("lanes", () => {
  it("sends agents' replies, then STOP confirmations, then the bot, then flows, then campaigns", () => {
    expect(["inbox", "test", "system", "ai", "flow", "campaign"].map(laneOf)).toEqual(["agent", "agent", "optout", "bot", "flow", "campaign"]);
    expect((["agent", "optout", "bot", "flow", "campaign"] as const).map((l) => laneCeiling(l, 15))).toEqual([15, 14, 13, 12, 12]);
    // a window of one keeps nothing free: every lane may use its one slot
    expect(laneCeiling("campaign", 1)).toBe(1);
  });

  it("a campaign fills an account's 15-minute window only up to its ceiling; each lane above gets the slots kept for it", async () => {
    const limits: SendWindowLimits = { accountPer15m: 20, accountPer24h: BIG, appPer24h: BIG, accountCampaignPer24h: BIG };
    const at = { accountId: randomUUID(), merchantId: randomUUID(), limits };
    expect(await fill({ ...at, lane: "campaign" })).toEqual({ granted: 16, refusedBy: "account 15 minutes" });
    expect(await fill({ ...at, lane: "flow" })).toEqual({ granted: 1, refusedBy: "account 15 minutes" });
    expect(await fill({ ...at, lane: "bot" })).toEqual({ granted: 1, refusedBy: "account 15 minutes" });
    expect(await fill({ ...at, lane: "optout" })).toEqual({ granted: 1, refusedBy: "account 15 minutes" });
    expect(await fill({ ...at, lane: "agent" })).toEqual({ granted: 1, refusedBy: "account 15 minutes" });
    // the window is full for everyone now, and a campaign still cannot take more
    expect(await fill({ ...at, lane: "campaign" })).toEqual({ granted: 0, refusedBy: "account 15 minutes" });
  });

  it("one merchant's campaign filling the app's window leaves room for other merchants' replies and STOP confirmations", async () => {
    const limits: SendWindowLimits = { accountPer15m: BIG, accountPer24h: BIG, appPer24h: 50, accountCampaignPer24h: BIG };
    const big = { accountId: randomUUID(), merchantId: randomUUID(), limits };
    const other = { accountId: randomUUID(), merchantId: randomUUID(), limits };
    // a fresh app window: this test's counters only (the app key is shared, so count from zero)
    await database.pool.query("DELETE FROM rate_counters WHERE key LIKE 'dm:app:%'");
    expect(await fill({ ...big, lane: "campaign" })).toEqual({ granted: 40, refusedBy: "app 24 hours" });
    expect(await fill({ ...other, lane: "campaign" })).toEqual({ granted: 0, refusedBy: "app 24 hours" });
    expect(await fill({ ...other, lane: "agent", max: 5 })).toEqual({ granted: 5, refusedBy: null });
    expect(await fill({ ...other, lane: "optout", max: 2 })).toEqual({ granted: 2, refusedBy: null });
  });

  it("shares the app's window for bulk sends fairly: a merchant over its share waits while another sends", async () => {
    const limits: SendWindowLimits = { accountPer15m: BIG, accountPer24h: BIG, appPer24h: 100, accountCampaignPer24h: BIG };
    await database.pool.query("DELETE FROM rate_counters WHERE key LIKE 'dm:app:%'");
    const a = { accountId: randomUUID(), merchantId: randomUUID(), limits };
    const b = { accountId: randomUUID(), merchantId: randomUUID(), limits };
    // alone, a merchant may go past half of the bulk ceiling (80)
    expect(await fill({ ...a, lane: "campaign", max: 50 })).toEqual({ granted: 50, refusedBy: null });
    expect(await fill({ ...b, lane: "flow", max: 5 })).toEqual({ granted: 5, refusedBy: null });
    // two merchants send in bulk now: a holds more than its share (40) and waits, with the app's bulk room unspent
    expect(await fill({ ...a, lane: "campaign" })).toEqual({ granted: 0, refusedBy: "merchant's fair share of the app 24 hours" });
    // b takes the rest of the bulk room (80 - 55), staying inside its own share of 40
    expect(await fill({ ...b, lane: "campaign" })).toEqual({ granted: 25, refusedBy: "app 24 hours" });
    // a's own replies are not bulk: they still go
    expect(await fill({ ...a, lane: "agent", max: 3 })).toEqual({ granted: 3, refusedBy: null });
  });

  it("a send that reaches its reservation after X answered 429 for the account waits for X's reset, and nothing is counted", async () => {
    const limits: SendWindowLimits = { accountPer15m: BIG, accountPer24h: BIG, appPer24h: BIG, accountCampaignPer24h: BIG };
    const merchantId = randomUUID();
    const { rows } = await database.pool.query<{ id: string }>(
      "INSERT INTO x_accounts (merchant_id, twitter_user_id, username, display_name) VALUES ($1, $2, 'paused_shop', 'Paused shop') RETURNING id",
      [merchantId, String(Date.now())],
    );
    const accountId = rows[0]!.id;
    const reset = new Date(now.getTime() + 6000);
    // what the send pipeline writes on X's 429, while this send was past its precheck
    await database.pool.query("UPDATE x_accounts SET send_paused_until = $2 WHERE id = $1", [accountId, reset]);
    for (const lane of ["campaign", "agent"] as const) {
      expect(await reserveSendSlot(database.db, { accountId, merchantId, lane, limits, now })).toEqual({ ok: false, retryAt: reset, window: X_PAUSED });
    }
    const counted = await database.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM rate_counters WHERE key LIKE $1", [`dm:acct:${accountId}:%`]);
    expect(counted.rows[0]?.n).toBe(0);
    // after X's reset it may go
    expect(await reserveSendSlot(database.db, { accountId, merchantId, lane: "campaign", limits, now: new Date(reset.getTime() + 1) })).toEqual({ ok: true });
  });
});
