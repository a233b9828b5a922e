// A connection PostgreSQL drops in the middle of a transaction (a restart, a failover, a terminated
// backend) must not stay checked out of the client's pool: with Prisma's pg adapter it did, and once
// every connection had gone that way each later query waited forever.
import { afterAll, beforeAll, describe, expect, it, inject } from "vitest";
import { createDb, type Db } from "../src/client.ts";
import { createTestDatabase, type TestDatabase } from "../src/testing.ts";

let database: TestDatabase;
let db: Db;
beforeAll(async () => {
  database = await createTestDatabase(inject("dbTemplate"));
  // one connection: a single leaked client is enough to stop every query
  db = createDb(database.url, { poolSize: 1 });
});
afterAll(async () => {
  // (a pool that leaked its client never finishes disconnecting: do not wait for it)
  if (db) await within(5000, db.$disconnect()).catch(() => {});
  await database?.drop();
});

function within<T>(ms: number, p: Promise<T>): Promise<T> {
  return Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms))]);
}

describe("a connection dropped mid-transaction", () => {
  it("leaves the pool usable: the next queries answer", async () => {
    for (let round = 0; round < 3; round++) {
      const failed = await db
        .$transaction(async (tx) => {
          const [backend] = await tx.$queryRaw<{ pid: number }[]>`SELECT pg_backend_pid() AS pid`;
          // another session ends this transaction's backend, as a PostgreSQL shutdown does
          await database.pool.query("SELECT pg_terminate_backend($1)", [backend?.pid]);
          await new Promise((r) => setTimeout(r, 50));
          await tx.$queryRaw`SELECT 1 AS one`;
        })
        .then(
          () => false,
          () => true,
        );
      expect(failed).toBe(true);
      const rows = await within(5000, db.$queryRaw<{ one: number }[]>`SELECT 1 AS one`);
      expect(rows).toEqual([{ one: 1 }]);
    }
  });
});
