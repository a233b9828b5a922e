// Which thrown values mean "PostgreSQL cannot be reached right now" (the API answers 503 for them).
import { describe, expect, it } from "vitest";
import { freePort } from "../src/embedded.ts";
import { createDb } from "../src/client.ts";
import { isDatabaseUnavailable } from "../src/database-unavailable.ts";

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe("isDatabaseUnavailable", () => {
  it("is true for a server that is down, going down, starting up or cut off", () => {
    expect(isDatabaseUnavailable(withCode("connect ECONNREFUSED 127.0.0.1:5432", "ECONNREFUSED"))).toBe(true);
    expect(isDatabaseUnavailable(withCode("terminating connection due to administrator command", "57P01"))).toBe(true);
    expect(isDatabaseUnavailable(withCode("the database system is starting up", "57P03"))).toBe(true);
    expect(isDatabaseUnavailable(withCode("sorry, too many clients already", "53300"))).toBe(true);
    expect(isDatabaseUnavailable(new Error("Connection terminated unexpectedly"))).toBe(true);
    expect(isDatabaseUnavailable(new Error("Client has encountered a connection error and is not queryable"))).toBe(true);
    // Prisma's wrapping: a code of its own, or the adapter's classification in meta, or a cause
    expect(isDatabaseUnavailable(withCode("Can't reach database server", "P1001"))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(withCode("Raw query failed", "P2010"), { meta: { driverAdapterError: { cause: { kind: "ConnectionClosed" } } } }))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(withCode("Raw query failed", "P2010"), { meta: { driverAdapterError: { cause: { kind: "postgres", originalCode: "57P01" } } } }))).toBe(true);
    expect(isDatabaseUnavailable(new Error("wrapped", { cause: withCode("connect ECONNREFUSED", "ECONNREFUSED") }))).toBe(true);
  });

  it("is false for the caller's or our own errors", () => {
    expect(isDatabaseUnavailable(withCode("duplicate key value violates unique constraint", "23505"))).toBe(false);
    expect(isDatabaseUnavailable(withCode("Unique constraint failed", "P2002"))).toBe(false);
    expect(isDatabaseUnavailable(Object.assign(withCode("Raw query failed", "P2010"), { meta: { driverAdapterError: { cause: { kind: "postgres", originalCode: "42P01" } } } }))).toBe(false);
    expect(isDatabaseUnavailable(new TypeError("Cannot read properties of undefined"))).toBe(false);
    expect(isDatabaseUnavailable("ECONNREFUSED")).toBe(false);
    expect(isDatabaseUnavailable(null)).toBe(false);
  });

  it("is true for what a real Prisma client throws when nothing listens", async () => {
    const db = createDb(`postgresql://postgres:x@127.0.0.1:${await freePort()}/postgres`, { poolSize: 1 });
    try {
      const thrown = await db.$queryRaw`SELECT 1`.then(
        () => null,
        (e: unknown) => e,
      );
      expect(thrown).not.toBeNull();
      expect(isDatabaseUnavailable(thrown)).toBe(true);
    } finally {
      await db.$disconnect();
    }
  });
});
