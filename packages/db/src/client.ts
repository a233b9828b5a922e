import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/prisma/client.ts";
import { pgConfigFromUrl } from "./pg-config.ts";

export type Db = PrismaClient;
/** A transaction client: what services receive when they must share one transaction. */
export type Tx = Omit<PrismaClient, "$connect" | "$disconnect" | "$on" | "$transaction" | "$extends">;

/** The one place a Prisma client is created; everything else receives it. */
export function createDb(url: string, opts: { poolSize?: number } = {}): Db {
  const adapter = new PrismaPg({ ...pgConfigFromUrl(url), max: opts.poolSize ?? 10, allowExitOnIdle: false });
  return new PrismaClient({ adapter });
}
