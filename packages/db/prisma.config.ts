// Prisma CLI configuration: offline migrations through the pg driver adapter and the bundled wasm
// schema engine (Prisma 7's CLI downloads an engine binary, which cannot happen here; STACK.md).
import { defineConfig } from "prisma/config";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { pgConfigFromUrl, withDatabase } from "./src/pg-config.ts";

// prisma/orm#27403: adapter-pg 6.x cannot map the catalog types `name` (19) and "char" (18) the
// schema engine reads while introspecting: present them as text.
const REMAP: Record<number, number> = { 18: 25, 19: 25, 1002: 1009, 1003: 1009 };
type Field = { dataTypeID: number };
const fix = <T,>(res: T): T => {
  for (const r of Array.isArray(res) ? res : [res]) {
    const fields = (r as { fields?: Field[] } | null)?.fields;
    fields?.forEach((f) => {
      const to = REMAP[f.dataTypeID];
      if (to) f.dataTypeID = to;
    });
  }
  return res;
};
type QueryFn = (...args: unknown[]) => unknown;
const origQuery: QueryFn = Reflect.get(pg.Client.prototype, "query");
Reflect.set(pg.Client.prototype, "query", function (this: unknown, ...args: unknown[]) {
  const cb = args[args.length - 1];
  if (typeof cb === "function") {
    args[args.length - 1] = (err: unknown, res: unknown) => cb(err, err ? res : fix(res));
    return origQuery.apply(this, args);
  }
  const r = origQuery.apply(this, args);
  return r instanceof Promise ? r.then(fix) : r;
});

// adapter-pg 6.19.3's connectToShadowDb spreads a connection string over the database name and
// drops the shadow database before closing its pool: do it in the right order.
class PrismaPgMigrate extends PrismaPg {
  override async connectToShadowDb() {
    const admin = await this.connect();
    const database = `prisma_migrate_shadow_db_${globalThis.crypto.randomUUID()}`;
    await admin.executeScript(`CREATE DATABASE "${database}"`);
    const shadow = await new PrismaPg(pgConfigFromUrl(withDatabase(process.env.DATABASE_URL ?? "", database))).connect();
    const dispose = shadow.dispose.bind(shadow);
    shadow.dispose = async () => {
      await dispose();
      await admin.executeScript(`DROP DATABASE IF EXISTS "${database}"`);
      await admin.dispose();
    };
    return shadow;
  }
}

// The wasm schema engine leaves 10 s and 60 s timers pending, so the CLI would linger after it is
// done. This file is loaded only by the CLI: unref long timers there.
const origSetTimeout = globalThis.setTimeout;
const unrefLong = ((fn: (...args: unknown[]) => void, ms?: number, ...a: unknown[]) => {
  const t = origSetTimeout(() => fn(...a), ms);
  if ((ms ?? 0) >= 5000) t.unref();
  return t;
}) as typeof setTimeout;
globalThis.setTimeout = unrefLong;

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  adapter: async () => new PrismaPgMigrate(pgConfigFromUrl(process.env.DATABASE_URL)),
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
});
