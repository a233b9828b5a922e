import type { PoolConfig } from "pg";

/** pg settings from a connection URL (the adapter's shadow database needs discrete fields). */
export function pgConfigFromUrl(url: string | undefined): PoolConfig & { database: string } {
  const u = new URL(url ?? "postgresql://localhost/unset");
  return {
    host: u.hostname,
    port: Number(u.port || 5432),
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database: decodeURIComponent(u.pathname.slice(1)),
    allowExitOnIdle: true,
  };
}
