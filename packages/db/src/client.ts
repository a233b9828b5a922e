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
    pools.set(db, connected.underlyingDriver());
    return connected;
  };
  const db = new PrismaClient({ adapter });
  return db;
}

/** The pg pool behind a client made by createDb (its connection counts, for metrics); undefined before its first query. */
export function dbPool(db: Db): pg.Pool | undefined {
  return pools.get(db);
}
