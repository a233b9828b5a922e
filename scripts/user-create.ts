// `pnpm run user:create --email … --password … [--name …] [--merchant-name …]`
// Creates a merchant and its first owner in DATABASE_URL (from the environment or .env; without
// one, the development database under .data/ while `pnpm dev` is not running). Prints the ids.
import { parseArgs } from "node:util";
import { existsSync } from "node:fs";
import { SignupInput } from "@mkt-x/core";
import { ENV_FILE, ROOT } from "./lib/dev-secrets.ts";

function fail(message: string): never {
  console.error(`user:create: ${message}`);
  process.exit(1);
}

let values;
try {
  values = parseArgs({ options: { email: { type: "string" }, password: { type: "string" }, name: { type: "string" }, "merchant-name": { type: "string" } } }).values;
} catch (e) {
  fail(e instanceof Error ? e.message : String(e));
}
// the same rules as signup: the email lowercased, a password of 12 to 1,024 bytes
const parsed = SignupInput.safeParse({ email: values.email, password: values.password, name: values.name ?? "Owner", merchantName: values["merchant-name"] ?? "My shop" });
if (!parsed.success) {
  const issue = parsed.error.issues[0];
  const flag = { merchantName: "merchant-name" }[String(issue?.path[0])] ?? String(issue?.path[0] ?? "?");
  fail(`--${flag} ${issue?.message ?? "is invalid"} (usage: --email … --password … [--name …] [--merchant-name …])`);
}
const args = parsed.data;

const { loadDevEnvFile, createMerchantWithOwner } = await import("@mkt-x/core/server");
const { createDb } = await import("@mkt-x/db");
if (existsSync(ENV_FILE)) loadDevEnvFile(ENV_FILE);

let url = process.env.DATABASE_URL;
let stop: (() => Promise<void>) | null = null;
if (!url) {
  const { resolveDevDatabase, migrateDatabase } = await import("@mkt-x/db/ops");
  try {
    const dev = await resolveDevDatabase(ROOT);
    url = dev.url;
    stop = dev.embedded ? () => dev.embedded?.stop() ?? Promise.resolve() : null;
    await migrateDatabase(url);
  } catch (e) {
    fail(`no DATABASE_URL and the development database could not be started (is pnpm dev running? then add users through POST /api/v1/mkt-x/team/users): ${e instanceof Error ? e.message : String(e)}`);
  }
}

const db = createDb(url, { poolSize: 1 });
let code = 0;
try {
  const { merchantId, userId } = await createMerchantWithOwner(db, { email: args.email, password: args.password, name: args.name, merchantName: args.merchantName });
  console.log(JSON.stringify({ merchantId, userId, email: args.email, role: "owner" }));
} catch (e) {
  console.error(`user:create: ${e instanceof Error ? e.message : String(e)}`);
  code = 1;
} finally {
  await db.$disconnect();
  await stop?.();
}
process.exit(code);
