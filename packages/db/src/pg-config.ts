import type { PoolConfig } from "pg";

/**
 * pg settings from a connection URL: the URL whole, with node-postgres semantics, so every option
 * it carries reaches the pool (`sslmode`, `sslrootcert`, `uselibpqcompat`, a socket `host=/dir`,
 * `application_name`, `options`, …) exactly as pg-boss and plain `pg` read it.
 */
export function pgConfigFromUrl(url: string | undefined): PoolConfig {
  return { connectionString: url ?? "postgresql://localhost/unset", allowExitOnIdle: true };
}

/**
 * The same server's URL with another database name, every other part kept (a socket URL such as
 * `postgresql://user@/db?host=/run/postgresql` is not a WHATWG URL, so this is done on the text).
 */
export function withDatabase(url: string, database: string): string {
  const m = /^([a-z][a-z0-9+.-]*:\/\/[^/?#]*)(\/[^?#]*)?(.*)$/i.exec(url);
  if (!m) throw new Error("not a PostgreSQL connection URL");
  return `${m[1]}/${encodeURIComponent(database)}${m[3] ?? ""}`;
}
