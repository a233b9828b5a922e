// `pnpm start`: production start. Applies pending migrations to DATABASE_URL, then runs the built
// API and worker together; SIGTERM stops both cleanly. Each can also run alone:
// `pnpm --filter @mkt-x/api start`, `pnpm --filter @mkt-x/worker start`.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { migrateDatabase } from "@mkt-x/db/ops";
import { ROOT } from "./lib/dev-secrets.ts";
import { run, stopAll, type Managed } from "./lib/processes.ts";

if (!process.env.DATABASE_URL) {
  console.error("invalid configuration: DATABASE_URL is required for pnpm start (pnpm dev runs an embedded database)");
  process.exit(1);
}

const entries = { api: join(ROOT, "apps/api/dist/main.js"), worker: join(ROOT, "apps/worker/dist/main.js") };
if (!existsSync(entries.api) || !existsSync(entries.worker)) {
  console.log("mkt-x: building…");
  execFileSync("pnpm", ["build"], { cwd: ROOT, stdio: "inherit" });
}

await migrateDatabase(process.env.DATABASE_URL);
console.log("mkt-x: migrations applied");

const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: "production" };
let sandbox: { close: () => Promise<void> } | null = null;
if (process.env.X_SANDBOX === "1") {
  const { createXSandbox } = await import("@mkt-x/twitter/sandbox");
  // blank counts as unset, as in the API and worker configuration
  const key = process.env.X_CONSUMER_KEY || "sandbox-consumer-key";
  const secret = process.env.X_CONSUMER_SECRET || "sandbox-consumer-secret";
  const publicUrl = process.env.PUBLIC_BASE_URL ?? `http://localhost:${process.env.PORT ?? 5000}`;
  const sb = createXSandbox({ consumerKey: key, consumerSecret: secret, webhookUrl: `${publicUrl}/api/v1/mkt-x/webhooks/twitter` });
  const url = await sb.listen(Number(process.env.SANDBOX_PORT ?? 5100), "127.0.0.1");
  Object.assign(env, { X_API_BASE_URL: url, X_WEB_BASE_URL: url, X_CONSUMER_KEY: key, X_CONSUMER_SECRET: secret });
  sandbox = sb;
  console.log(`mkt-x: X sandbox at ${url}`);
}

const children: Managed[] = [
  run("api", process.execPath, ["--enable-source-maps", entries.api], { cwd: join(ROOT, "apps/api"), env }),
  run("worker", process.execPath, ["--enable-source-maps", entries.worker], { cwd: join(ROOT, "apps/worker"), env }),
];

let stopping = false;
async function shutdown(code: number) {
  if (stopping) return;
  stopping = true;
  await stopAll(children);
  await sandbox?.close();
  process.exit(code);
}
process.on("SIGTERM", () => void shutdown(0));
process.on("SIGINT", () => void shutdown(0));
// one process dying takes the pair down: a supervisor restarts the whole unit
for (const c of children) void c.exited.then((code) => { if (!stopping) { console.error(`mkt-x: ${c.name} exited (${code})`); void shutdown(code || 1); } });
