import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, inject } from "vitest";
import { createTestDatabase, type TestDatabase } from "@mkt-x/db/testing";
import { createTokenCipher, secretPlace } from "../src/server/token-cipher.ts";
import { rotateEncryptionKey } from "../src/server/rotate-encryption-key.ts";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase(inject("dbTemplate"));
});
afterAll(async () => {
  await database?.drop();
});

describe("pnpm keys:rotate", () => {
  it("re-encrypts every stored secret under the new key bound to its row, leaves nothing for the old one, and a second run does nothing", async () => {
    const oldKey = randomBytes(32);
    const newKey = randomBytes(32);
    const before = createTokenCipher(oldKey);
    const merchantId = randomUUID();
    const accounts: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { rows } = await database.pool.query<{ id: string }>(
        "INSERT INTO x_accounts (id, merchant_id, twitter_user_id, username, display_name, access_token_enc, access_secret_enc, status, updated_at) VALUES (gen_random_uuid(), $1, $2, $3, 'Shop', $4, $5, 'active', now()) RETURNING id::text AS id",
        [merchantId, `10${i}`, `shop${i}`, before.encrypt(`token-${i}`), before.encrypt(`secret-${i}`)],
      );
      accounts.push(rows[0]!.id);
    }
    const tokenAt = (id: string) => secretPlace("x_accounts", "access_token_enc", id);
    const secretAt = (id: string) => secretPlace("x_accounts", "access_secret_enc", id);
    // one already written under the new key for its row (a process that restarted with it), one under neither key
    await database.pool.query("UPDATE x_accounts SET access_token_enc = $2 WHERE id = $1", [accounts[0], createTokenCipher(newKey).encrypt("token-0", tokenAt(accounts[0]!))]);
    await database.pool.query("UPDATE x_accounts SET access_secret_enc = $2 WHERE id = $1", [accounts[2], createTokenCipher(randomBytes(32)).encrypt("lost")]);
    // a table keyed by something else than id: the order endpoint's secret, keyed by merchant
    await database.pool.query("INSERT INTO ai_settings (merchant_id, order_lookup_url, order_lookup_secret_enc) VALUES ($1, 'https://shop.example/orders', $2)", [merchantId, before.encrypt("olsec")]);

    const rotating = createTokenCipher(newKey, [oldKey]);
    const report = await rotateEncryptionKey(database.pool, rotating);
    expect(report.columns["x_accounts.access_token_enc"]).toEqual({ rotated: 2, current: 1, failed: 0 });
    expect(report.columns["x_accounts.access_secret_enc"]).toEqual({ rotated: 2, current: 0, failed: 1 });
    expect(report.failures).toEqual({ "x_accounts.access_secret_enc": [accounts[2]] });
    // every table with secrets is covered, found from the schema
    expect(Object.keys(report.columns)).toEqual(expect.arrayContaining(["x_accounts.access_token_enc", "webhook_subscriptions.secret_enc", "x_oauth_requests.oauth_token_secret_enc", "ai_settings.order_lookup_secret_enc"]));
    expect(report.columns["ai_settings.order_lookup_secret_enc"]).toMatchObject({ rotated: 1 });
    const settings = await database.pool.query<{ value: string }>("SELECT order_lookup_secret_enc AS value FROM ai_settings WHERE merchant_id = $1", [merchantId]);
    expect(createTokenCipher(newKey).decrypt(settings.rows[0]!.value, secretPlace("ai_settings", "order_lookup_secret_enc", merchantId))).toBe("olsec");

    const onlyNew = createTokenCipher(newKey);
    const { rows } = await database.pool.query<{ id: string; access_token_enc: string; access_secret_enc: string }>("SELECT id, access_token_enc, access_secret_enc FROM x_accounts WHERE merchant_id = $1", [merchantId]);
    for (const row of rows) {
      const i = accounts.indexOf(row.id);
      // bound to their rows now: the new key alone reads them there, and nowhere else
      expect(row.access_token_enc.startsWith("v2:")).toBe(true);
      expect(onlyNew.decrypt(row.access_token_enc, tokenAt(row.id))).toBe(`token-${i}`);
      expect(() => onlyNew.decrypt(row.access_token_enc, tokenAt(accounts[(i + 1) % 3]!))).toThrow();
      if (i !== 2) expect(onlyNew.decrypt(row.access_secret_enc, secretAt(row.id))).toBe(`secret-${i}`);
    }

    const second = await rotateEncryptionKey(database.pool, rotating);
    expect(second.columns["x_accounts.access_token_enc"]).toEqual({ rotated: 0, current: 3, failed: 0 });
  });
});
