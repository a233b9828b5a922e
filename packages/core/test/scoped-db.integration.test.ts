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

  it("refuses to exist without a merchant", () => {
    expect(() => scopeToMerchant(database.db, "")).toThrow();
  });
});
