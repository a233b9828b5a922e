// Operations: migrations and the embedded PostgreSQL of dev and tests.
export { migrateDatabase } from "./migrate.ts";
export { resolveDevDatabase, ensureDatabase, withDatabase } from "./database-url.ts";
export { startEmbeddedPostgres, freePort, type EmbeddedPg } from "./embedded.ts";
