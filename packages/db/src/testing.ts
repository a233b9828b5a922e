// Test databases: a migrated template is prepared once per test run (global setup), and every test
// file clones it (CREATE DATABASE … TEMPLATE), which takes milliseconds.
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { rmSync } from "node:fs";
import pg from "pg";
import { startEmbeddedPostgres } from "./embedded.ts";
import { migrateDatabase } from "./migrate.ts";
import { withDatabase } from "./database-url.ts";
import { createDb, type Db } from "./client.ts";

export interface TestTemplate {
  /** a URL to the server's maintenance database */
  adminUrl: string;
  template: string;
}

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

async function admin<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/**
 * Global setup: a server (DATABASE_URL's, else an embedded one in a throwaway folder) and a
 * migrated template database. `prepare` may add more to the template (the pg-boss schema).
 */
export async function setupTestTemplate(opts: { rootDir: string; prepare?: (url: string) => Promise<void> }): Promise<TestTemplate & { teardown: () => Promise<void> }> {
  const suffix = `${process.pid}_${randomBytes(3).toString("hex")}`;
  let adminUrl: string;
  let stopEmbedded = async () => {};
  if (process.env.DATABASE_URL) {
    adminUrl = process.env.DATABASE_URL;
  } else {
    const dir = join(opts.rootDir, ".data", `pg-test-${suffix}`);
    const embedded = await startEmbeddedPostgres({ dir, persistent: false });
    adminUrl = embedded.url();
    stopEmbedded = async () => {
      await embedded.stop();
      rmSync(dir, { recursive: true, force: true });
    };
  }
  const template = `mktx_tpl_${suffix}`;
  await admin(adminUrl, (c) => c.query(`CREATE DATABASE ${quote(template)}`));
  const templateUrl = withDatabase(adminUrl, template);
  await migrateDatabase(templateUrl);
  if (opts.prepare) await opts.prepare(templateUrl);
  return {
    adminUrl,
    template,
    teardown: async () => {
      await admin(adminUrl, async (c) => {
        const { rows } = await c.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE $1", [`mktx_t%_${suffix}%`]);
        for (const { datname } of rows) await c.query(`DROP DATABASE IF EXISTS ${quote(datname)} WITH (FORCE)`);
      });
      await stopEmbedded();
    },
  };
}

export interface TestDatabase {
  url: string;
  db: Db;
  /** a raw pg pool for assertions on the stored bytes */
  pool: pg.Pool;
  drop: () => Promise<void>;
}

/** A fresh database for one test file, cloned from the template. */
export async function createTestDatabase(tpl: TestTemplate): Promise<TestDatabase> {
  const name = `${tpl.template.replace("mktx_tpl_", "mktx_tdb_")}_${randomBytes(4).toString("hex")}`;
  // The clone shares the template's suffix so the global teardown finds what a crashed file left.
  await admin(tpl.adminUrl, (c) => c.query(`CREATE DATABASE ${quote(name)} TEMPLATE ${quote(tpl.template)}`));
  const url = withDatabase(tpl.adminUrl, name);
  const db = createDb(url, { poolSize: 5 });
  const pool = new pg.Pool({ connectionString: url, max: 3 });
  // the drop below ends every session with FORCE: that must not surface as an unhandled error
  pool.on("error", () => {});
  return {
    url,
    db,
    pool,
    drop: async () => {
      await db.$disconnect();
      await pool.end();
      await admin(tpl.adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${quote(name)} WITH (FORCE)`));
    },
  };
}
