// Where the database is: DATABASE_URL when set; otherwise (dev and tests only) an embedded cluster.
import { join } from "node:path";
import pg from "pg";
import { startEmbeddedPostgres, type EmbeddedPg } from "./embedded.ts";

export interface ResolvedDatabase {
  url: string;
  embedded: EmbeddedPg | null;
}

/** For `pnpm dev`: a persistent embedded cluster under `<root>/.data/pg`, database `mktx`. */
export async function resolveDevDatabase(rootDir: string, env = process.env): Promise<ResolvedDatabase> {
  if (env.DATABASE_URL) return { url: env.DATABASE_URL, embedded: null };
  const embedded = await startEmbeddedPostgres({ dir: join(rootDir, ".data", "pg"), port: Number(env.MKTX_EMBEDDED_PG_PORT ?? 54329), persistent: true });
  await ensureDatabase(embedded.url(), "mktx");
  return { url: embedded.url("mktx"), embedded };
}

/** Creates `name` on the server behind `adminUrl` unless it exists. */
export async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (!rowCount) await client.query(`CREATE DATABASE "${name.replaceAll('"', '""')}"`);
  } finally {
    await client.end();
  }
}

export { withDatabase } from "./pg-config.ts";
