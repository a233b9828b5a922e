import { afterAll, beforeAll, describe, expect, it, inject } from "vitest";
import { createTestDatabase, type TestDatabase } from "@mkt-x/db/testing";
import { scopeToMerchant } from "../src/server/scoped-db.ts";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase(inject("dbTemplate"));
});
afterAll(async () => {
  await database?.drop();
});

describe("merchant-scoped database", () => {
  it("writes the caller's merchant and never reads, updates or deletes another's rows", async () => {
    const a = scopeToMerchant(database.db, "merchant-a");
    const b = scopeToMerchant(database.db, "merchant-b");
    const mine = await a.xAccount.create({ data: { merchantId: "forged", twitterUserId: "1", username: "a", displayName: "A" } });
    expect(mine.merchantId).toBe("merchant-a");

    expect(await b.xAccount.findFirst({ where: { id: mine.id } })).toBeNull();
    expect(await b.xAccount.findMany()).toEqual([]);
    expect(await b.xAccount.count()).toBe(0);
    expect((await b.xAccount.updateMany({ where: { id: mine.id }, data: { username: "stolen" } })).count).toBe(0);
    expect((await b.xAccount.deleteMany({ where: { id: mine.id } })).count).toBe(0);
    await expect(b.xAccount.update({ where: { id: mine.id }, data: { username: "stolen" } })).rejects.toThrow();

    const row = await database.pool.query("SELECT merchant_id, username FROM x_accounts WHERE id = $1", [mine.id]);
    expect(row.rows[0]).toEqual({ merchant_id: "merchant-a", username: "a" });
    expect(await a.xAccount.count()).toBe(1);
  });

  it("scopes its transactions too: what a procedure writes with the job queue stays the caller's", async () => {
    const a = scopeToMerchant(database.db, "merchant-tx-a");
    const b = scopeToMerchant(database.db, "merchant-tx-b");
    const theirs = await b.xAccount.create({ data: { merchantId: "merchant-tx-b", twitterUserId: "tx-b", username: "b", displayName: "B" } });
    const seen = await a.$transaction(async (tx) => {
      const created = await tx.xAccount.create({ data: { merchantId: "forged", twitterUserId: "tx-a", username: "a", displayName: "A" } });
      const updated = await tx.xAccount.updateMany({ where: { id: theirs.id }, data: { username: "stolen" } });
      return { created, updated: updated.count, visible: (await tx.xAccount.findMany()).map((x) => x.twitterUserId), theirs: await tx.xAccount.findFirst({ where: { id: theirs.id } }) };
    });
    expect(seen).toMatchObject({ created: { merchantId: "merchant-tx-a" }, updated: 0, visible: ["tx-a"], theirs: null });
    expect((await database.pool.query("SELECT username FROM x_accounts WHERE id = $1", [theirs.id])).rows[0]).toEqual({ username: "b" });
  });

  it("holds the team's people and API keys to the merchant as well", async () => {
    const a = scopeToMerchant(database.db, "merchant-team-a");
    const b = scopeToMerchant(database.db, "merchant-team-b");
    const user = await a.user.create({ data: { merchantId: "forged", email: "owner@a.example", name: "Owner", role: "owner" } });
    expect(user.merchantId).toBe("merchant-team-a");
    expect(await b.user.findMany()).toEqual([]);
    expect((await b.user.updateMany({ where: { id: user.id }, data: { role: "viewer" } })).count).toBe(0);
    await b.apiKey.create({ data: { merchantId: "forged", name: "ci", role: "viewer", keyHash: "h-b", prefix: "mk_b" } });
    expect(await a.apiKey.count()).toBe(0);
    expect((await database.pool.query("SELECT merchant_id FROM api_keys WHERE key_hash = 'h-b'")).rows[0]).toEqual({ merchant_id: "merchant-team-b" });
  });

  it("refuses to exist without a merchant", () => {
    expect(() => scopeToMerchant(database.db, "")).toThrow();
  });
});
