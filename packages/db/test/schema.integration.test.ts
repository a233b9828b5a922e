import { afterAll, beforeAll, describe, expect, it, inject } from "vitest";
import { createTestDatabase, type TestDatabase } from "../src/testing.ts";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase(inject("dbTemplate"));
});
afterAll(async () => {
  await database?.drop();
});

const q = (sql: string, params: unknown[] = []) => database.pool.query(sql, params);

describe("schema", () => {
  it("indexes tags and attributes with GIN and leads tenant indexes with merchant_id", async () => {
    const { rows } = await q("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'contacts'");
    const defs = rows.map((r) => r.indexdef as string);
    expect(defs.some((d) => /USING gin \(tags\)/.test(d))).toBe(true);
    expect(defs.some((d) => /USING gin \(attributes\)/.test(d))).toBe(true);
    const tenantTables = ["x_accounts", "contacts", "conversations", "messages", "templates", "segments", "campaigns", "campaign_recipients", "flows", "flow_executions", "ai_sessions"];
    for (const table of tenantTables) {
      const { rows: cols } = await q("SELECT 1 FROM information_schema.columns WHERE table_name = $1 AND column_name = 'merchant_id'", [table]);
      expect(cols, table).toHaveLength(1);
      const { rows: idx } = await q("SELECT indexdef FROM pg_indexes WHERE tablename = $1 AND indexdef LIKE '%(merchant_id%'", [table]);
      expect(idx.length, `${table} has an index leading with merchant_id`).toBeGreaterThan(0);
    }
  });

  it("makes duplicate X events, X message ids and idempotency keys impossible", async () => {
    await q("INSERT INTO webhook_events (event_key, kind, payload) VALUES ('dm:1', 'direct_message', '{}')");
    await expect(q("INSERT INTO webhook_events (event_key, kind, payload) VALUES ('dm:1', 'direct_message', '{}')")).rejects.toThrow(/duplicate key/);

    const acc = await q("INSERT INTO x_accounts (merchant_id, twitter_user_id, username, display_name) VALUES ('m', '1', 'a', 'A') RETURNING id");
    const accountId = acc.rows[0].id;
    const contact = await q("INSERT INTO contacts (merchant_id, account_id, twitter_user_id) VALUES ('m', $1, '2') RETURNING id", [accountId]);
    await expect(q("INSERT INTO contacts (merchant_id, account_id, twitter_user_id) VALUES ('m', $1, '2')", [accountId])).rejects.toThrow(/duplicate key/);
    const contactId = contact.rows[0].id;
    const conv = await q("INSERT INTO conversations (merchant_id, account_id, contact_id) VALUES ('m', $1, $2) RETURNING id", [accountId, contactId]);
    // one open conversation per contact
    await expect(q("INSERT INTO conversations (merchant_id, account_id, contact_id) VALUES ('m', $1, $2)", [accountId, contactId])).rejects.toThrow(/duplicate key/);
    const insertMessage = (twitterId: string | null, key: string | null) =>
      q("INSERT INTO messages (merchant_id, account_id, conversation_id, contact_id, direction, content, status, twitter_message_id, idempotency_key) VALUES ('m', $1, $2, $3, 'outbound', 'x', 'queued', $4, $5)", [accountId, conv.rows[0].id, contactId, twitterId, key]);
    await insertMessage("900", "k1");
    await expect(insertMessage("900", "k2")).rejects.toThrow(/duplicate key/);
    await expect(insertMessage(null, "k1")).rejects.toThrow(/duplicate key/);
  });

  it("allows one connected row per X user but keeps disconnected ones", async () => {
    await q("INSERT INTO x_accounts (merchant_id, twitter_user_id, username, display_name, status) VALUES ('m1', '77', 'a', 'A', 'inactive')");
    await q("INSERT INTO x_accounts (merchant_id, twitter_user_id, username, display_name, status) VALUES ('m2', '77', 'a', 'A', 'active')");
    await expect(q("INSERT INTO x_accounts (merchant_id, twitter_user_id, username, display_name, status) VALUES ('m3', '77', 'a', 'A', 'active')")).rejects.toThrow(/duplicate key/);
  });

  it("keeps API rate-limit counters out of the WAL", async () => {
    const { rows } = await q("SELECT relpersistence FROM pg_class WHERE relname = 'api_rate_limits'");
    expect(rows[0].relpersistence).toBe("u");
  });

  it("indexes the X user ids each stored webhook event names, for erasure by index", async () => {
    // raw JSON: a numeric id beyond double precision stays exact
    const payload = '{"for_user_id":"100","direct_message_events":[{"id":"555","message_create":{"sender_id":"200","target":{"recipient_id":"100"},"message_data":{"text":"id 999"}}}],"follow_events":[{"source":{"id":12345678901234567890},"target":{"id_str":"100"}}]}';
    await q("INSERT INTO webhook_events (event_key, kind, payload) VALUES ('dm:ids', 'direct_message', $1)", [payload]);
    const { rows } = await q("SELECT user_ids FROM webhook_events WHERE event_key = 'dm:ids'");
    expect([...(rows[0].user_ids as string[])].sort()).toEqual(["100", "12345678901234567890", "200", "555"]);
    // the erasure's lookup is answered by the GIN index, not by reading every event
    const client = await database.pool.connect();
    try {
      await client.query("BEGIN");
      await client.query("SET LOCAL enable_seqscan = off");
      const plan = await client.query("EXPLAIN SELECT 1 FROM webhook_events WHERE user_ids @> ARRAY['200']");
      expect(plan.rows.map((r) => r["QUERY PLAN"]).join("\n")).toContain("webhook_events_user_ids_idx");
      await client.query("ROLLBACK");
    } finally {
      client.release();
    }
  });
});
