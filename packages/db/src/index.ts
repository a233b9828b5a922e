// Runtime entry: the client factory and the generated types. Operations (migrations, embedded
// PostgreSQL) live in "@mkt-x/db/ops" so the built apps do not carry them.
export { createDb, dbPool, type Db, type Tx } from "./client.ts";
export { Prisma } from "./generated/prisma/client.ts";
export type * from "./generated/prisma/models.ts";
export { pgConfigFromUrl } from "./pg-config.ts";
export { isDatabaseUnavailable } from "./database-unavailable.ts";
