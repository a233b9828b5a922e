import { afterAll, beforeAll, describe, expect, it, inject } from "vitest";
import pg from "pg";
import { createTestDatabase, type TestDatabase } from "@mkt-x/db/testing";
import { recordEvents, LIVE_EVENTS_CHANNEL } from "../src/server/events/record-event.ts";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase(inject("dbTemplate"));
});
afterAll(async () => {
  await database?.drop();
});

describe("live events outbox", () => {
  it("stores events with the change and notifies only at commit; a rollback leaves neither", async () => {
    const listener = new pg.Client({ connectionString: database.url });
    await listener.connect();
    const notes: string[] = [];
    listener.on("notification", (n) => notes.push(String(n.payload)));
    await listener.query(`LISTEN ${LIVE_EVENTS_CHANNEL}`);
    try {
      await expect(
        database.db.$transaction(async (tx) => {
          await recordEvents(tx, [{ merchantId: "m-1", type: "contact.created", data: { id: "gone" } }]);
          throw new Error("roll back");
        }),
      ).rejects.toThrow("roll back");
      await database.db.$transaction((tx) =>
        recordEvents(tx, [
          { merchantId: "m-1", type: "message.created", data: { id: "a", content: "hi" } },
          { merchantId: "m-2", type: "contact.updated", data: { id: "b" } },
        ]),
      );
      await expect.poll(() => notes.length).toBe(1);
      const { rows } = await database.pool.query("SELECT id::text, merchant_id, type, data FROM live_events ORDER BY id");
      expect(rows.map((r) => [r.merchant_id, r.type, r.data])).toEqual([
        ["m-1", "message.created", { id: "a", content: "hi" }],
        ["m-2", "contact.updated", { id: "b" }],
      ]);
      expect(notes[0]).toBe(rows[1].id);
    } finally {
      await listener.end();
    }
  });
});
