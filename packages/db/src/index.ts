export { createDb, type Db, type Tx } from "./client.ts";
export { Prisma } from "./generated/prisma/client.ts";
export type * from "./generated/prisma/models.ts";
export { migrateDatabase } from "./migrate.ts";
export { resolveDevDatabase, ensureDatabase, withDatabase } from "./database-url.ts";
export { startEmbeddedPostgres, freePort, type EmbeddedPg } from "./embedded.ts";
export { pgConfigFromUrl } from "./pg-config.ts";
