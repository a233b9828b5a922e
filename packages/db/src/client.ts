import { PrismaPg } from "@prisma/adapter-pg";
import type pg from "pg";
import { PrismaClient } from "./generated/prisma/client.ts";
import { pgConfigFromUrl } from "./pg-config.ts";

export type Db = PrismaClient;
/** A transaction client: what services receive when they must share one transaction. */
export type Tx = Omit<PrismaClient, "$connect" | "$disconnect" | "$on" | "$transaction" | "$extends">;

/** Each client's current pg pool: the adapter creates it on (re)connect, so it is noted there. */
const pools = new WeakMap<Db, pg.Pool>();

/** The one place a Prisma client is created; everything else receives it. */
export function createDb(url: string, opts: { poolSize?: number } = {}): Db {
  const adapter = new PrismaPg({ ...pgConfigFromUrl(url), max: opts.poolSize ?? 10, allowExitOnIdle: false });
  const connect = adapter.connect.bind(adapter);
  adapter.connect = async () => {
    const connected = await connect();
    const pool = connected.underlyingDriver();
    releaseDeadClients(pool);
    pools.set(db, pool);
    return connected;
  };
  const db = new PrismaClient({ adapter });
  return db;
}

/**
 * Prisma's pg adapter (6.19) never releases a transaction's connection when PostgreSQL drops it
 * mid-transaction (a restart, a failover, a terminated backend): its ROLLBACK fails and the adapter's
 * release is not called. Each such client stays checked out, dead, until the pool is full of them
 * and every later query waits forever: a worker stopped for good after a PostgreSQL restart. So a
 * checked-out client whose connection fails goes back to the pool at once as broken (the pool drops
 * it), and the adapter's own release of it later does nothing.
 */
function releaseDeadClients(pool: pg.Pool): void {
  if (watched.has(pool)) return;
  watched.add(pool);
  const checkedOut = new WeakSet<pg.PoolClient>();
  pool.on("acquire", (client) => checkedOut.add(client));
  pool.on("release", (_err, client) => checkedOut.delete(client));
  pool.on("connect", (client) => {
    const dead = (err: Error) => {
      if (!checkedOut.has(client)) return;
      checkedOut.delete(client);
      const release = client.release.bind(client);
      client.release = () => {};
      release(err);
    };
    client.on("error", dead);
    client.on("end", () => dead(new Error("Connection terminated")));
  });
}
const watched = new WeakSet<pg.Pool>();

/** The pg pool behind a client made by createDb (its connection counts, for metrics); undefined before its first query. */
export function dbPool(db: Db): pg.Pool | undefined {
  return pools.get(db);
}
