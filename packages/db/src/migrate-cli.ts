// `pnpm db:migrate`: applies pending migrations to DATABASE_URL (or the dev embedded database).
import { join } from "node:path";
import { migrateDatabase } from "./migrate.ts";
import { resolveDevDatabase } from "./database-url.ts";

const root = join(import.meta.dirname, "..", "..", "..");
const { url, embedded } = await resolveDevDatabase(root);
try {
  await migrateDatabase(url);
  console.log("migrations applied");
} finally {
  await embedded?.stop();
}
