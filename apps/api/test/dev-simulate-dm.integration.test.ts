// POST /dev/simulate-dm (X_SANDBOX=1 only): an owner or admin has the sandbox deliver a customer's
// DM to one of the merchant's accounts; it reaches the API's webhook as X's own deliveries do.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "./harness.ts";
import { connectAccount, type AccountBody, type Success, type Failure } from "./factories.ts";

let h: Harness;
let off: Harness;
let owner: string;
let account: AccountBody;
const merchantId = randomUUID();

beforeAll(async () => {
  h = await startHarness({ selfWebhook: true, devSandbox: true });
  off = await startHarness();
  owner = await h.token({ merchantId, role: "owner" });
  ({ account } = await connectAccount(h, { token: owner }));
});
afterAll(async () => {
  await h?.close();
  await off?.close();
});

interface Simulated {
  eventId: string;
  delivered: boolean;
  status: number | null;
  fromUserId: string;
  toUserId: string;
}

describe("POST /dev/simulate-dm", () => {
  it("delivers a DM from the named customer (created in the sandbox on first use) to the account's webhook", async () => {
    const res = await h.call<Success<Simulated>>("POST", "/dev/simulate-dm", { token: owner, body: { accountId: account.id, fromUsername: "@curious_cat", text: "Hi! Is the blue backpack in stock?" } });
    expect(res.status, res.text).toBe(200);
    expect(res.body.data).toMatchObject({ delivered: true, status: 200, toUserId: account.twitterUserId });
    expect(h.sandbox.users().find((u) => u.id === res.body.data.fromUserId)?.username).toBe("curious_cat");
    const { rows } = await h.database.pool.query<{ kind: string; for_user_id: string; payload: { direct_message_events?: { message_create: { message_data: { text: string } } }[] } }>(
      "SELECT kind, for_user_id, payload FROM webhook_events WHERE event_key LIKE '%' || $1",
      [res.body.data.eventId],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]?.for_user_id).toBe(account.twitterUserId);
    expect(JSON.stringify(rows[0]?.payload)).toContain("Is the blue backpack in stock?");

    // the same customer again: the same sandbox user
    const again = await h.call<Success<Simulated>>("POST", "/dev/simulate-dm", { token: owner, body: { accountId: account.id, fromUsername: "curious_cat", text: "Hello?" } });
    expect(again.body.data.fromUserId).toBe(res.body.data.fromUserId);
  });

  it("without fromUsername the customer is sandbox_customer", async () => {
    const res = await h.call<Success<Simulated>>("POST", "/dev/simulate-dm", { token: owner, body: { accountId: account.id, text: "hi" } });
    expect(res.status, res.text).toBe(200);
    expect(h.sandbox.users().find((u) => u.id === res.body.data.fromUserId)?.username).toBe("sandbox_customer");
  });

  it("is for owners and admins, on their own accounts, with a valid body", async () => {
    const admin = await h.token({ merchantId, role: "admin" });
    expect((await h.call("POST", "/dev/simulate-dm", { token: admin, body: { accountId: account.id, text: "from an admin" } })).status).toBe(200);
    for (const role of ["agent", "viewer"] as const) {
      const res = await h.call<Failure>("POST", "/dev/simulate-dm", { token: await h.token({ merchantId, role }), body: { accountId: account.id, text: "x" } });
      expect(res.status, role).toBe(403);
      expect(res.body.code).toBe("FORBIDDEN");
    }
    expect((await h.call<Failure>("POST", "/dev/simulate-dm", { token: null, body: { accountId: account.id, text: "x" } })).status).toBe(401);
    const otherMerchant = await h.call<Failure>("POST", "/dev/simulate-dm", { token: await h.token({ merchantId: randomUUID() }), body: { accountId: account.id, text: "x" } });
    expect(otherMerchant.status).toBe(404);
    expect(otherMerchant.body.code).toBe("RESOURCE_NOT_FOUND");
    const bad = await h.call<Failure>("POST", "/dev/simulate-dm", { token: owner, body: { accountId: "nope", text: "" } });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ success: false, code: "VALIDATION_ERROR", details: { field: "accountId", issues: expect.arrayContaining([expect.objectContaining({ field: "accountId" }), expect.objectContaining({ field: "text" })]) } });
  });

  it("does not exist without X_SANDBOX=1", async () => {
    const res = await off.call<Failure>("POST", "/dev/simulate-dm", { body: { accountId: randomUUID(), text: "x" } });
    expect(res.status).toBe(404);
    expect(res.body.code).toBe("RESOURCE_NOT_FOUND");
  });
});
