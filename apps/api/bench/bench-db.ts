// A throwaway database for a benchmark run: DATABASE_URL's server, else an embedded one.
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { rmSync } from "node:fs";
import pg from "pg";
import { migrateDatabase, startEmbeddedPostgres, withDatabase } from "@mkt-x/db/ops";

export interface BenchDb {
  url: string;
  drop: () => Promise<void>;
}

export async function createBenchDatabase(rootDir: string): Promise<BenchDb> {
  let adminUrl = process.env.DATABASE_URL;
  let stop = async () => {};
  if (!adminUrl) {
    const dir = join(rootDir, ".data", `pg-bench-${process.pid}`);
    const embedded = await startEmbeddedPostgres({ dir, persistent: false });
    adminUrl = embedded.url();
    stop = async () => {
      await embedded.stop();
      rmSync(dir, { recursive: true, force: true });
    };
  }
  const name = `mktx_bench_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = withDatabase(adminUrl, name);
  await migrateDatabase(url);
  return {
    url,
    drop: async () => {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
      await stop();
    },
  };
}
