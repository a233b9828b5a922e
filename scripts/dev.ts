// `pnpm dev`: the whole demo on one machine with nothing configured. Embedded PostgreSQL under
// .data/ (unless DATABASE_URL), migrations, the X sandbox, API, worker and admin, a demo merchant
// with a connected sandbox account, and how to log in.
import { join } from "node:path";
import { loadDevEnvFile } from "@mkt-x/core/server";
import { resolveDevDatabase, migrateDatabase } from "@mkt-x/db/ops";
import { createXSandbox } from "@mkt-x/twitter/sandbox";
import { devSecrets, ROOT, ENV_FILE, DEMO_MERCHANT_ID, DEMO_USER_ID, SANDBOX_CONSUMER_KEY, SANDBOX_CONSUMER_SECRET } from "./lib/dev-secrets.ts";
import { mintToken } from "./lib/mint-token.ts";
import { run, stopAll, waitForHttp, type Managed } from "./lib/processes.ts";
import { seedDemoOwner } from "./lib/demo-owner.ts";

// the repository's .env before anything reads the environment (the shell's variables win); the API
// and the worker inherit the result
try {
  if (loadDevEnvFile(ENV_FILE)) console.log(`mkt-x dev: read ${ENV_FILE}`);
} catch (e) {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
}

const port = Number(process.env.PORT ?? 5000);
const sandboxPort = Number(process.env.SANDBOX_PORT ?? 5100);
const adminPort = Number(process.env.ADMIN_PORT ?? 5173);
const apiUrl = `http://localhost:${port}`;
const base = `${apiUrl}/api/v1/mkt-x`;

console.log("mkt-x dev: starting database…");
const database = await resolveDevDatabase(ROOT);
await migrateDatabase(database.url);
console.log(`mkt-x dev: database ready (${database.embedded ? "embedded PostgreSQL under .data/pg" : "DATABASE_URL"})`);
const demoOwner = await seedDemoOwner(database.url);

const secrets = devSecrets();
// a blank key is unset, as for the API and the worker
const useSandbox = !process.env.X_CONSUMER_KEY || process.env.X_SANDBOX === "1";
const sandbox = useSandbox ? createXSandbox({ consumerKey: SANDBOX_CONSUMER_KEY, consumerSecret: SANDBOX_CONSUMER_SECRET, webhookUrl: `${base}/webhooks/twitter`, echoOutbound: true }) : null;
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
  run("api", tsx, ["watch", "--clear-screen=false", "src/main.ts"], { cwd: join(ROOT, "apps/api"), env }),
  run("worker", tsx, ["watch", "--clear-screen=false", "src/main.ts"], { cwd: join(ROOT, "apps/worker"), env }),
  run("admin", join(ROOT, "apps/admin/node_modules/.bin/vite"), ["--port", String(adminPort), "--strictPort", "--host", "127.0.0.1"], { cwd: join(ROOT, "apps/admin"), env: { ...env, MKTX_API_URL: apiUrl } }),
];

let stopping = false;
async function shutdown(code: number) {
  if (stopping) return;
  stopping = true;
  console.log("mkt-x dev: stopping…");
  await stopAll(children);
  await sandbox?.close();
  await database.embedded?.stop();
  process.exit(code);
}
process.on("SIGINT", () => void shutdown(0));
process.on("SIGTERM", () => void shutdown(0));
for (const c of children) void c.exited.then((code) => { if (!stopping && c.name !== "admin") { console.error(`mkt-x dev: ${c.name} exited (${code})`); void shutdown(1); } });

await waitForHttp(`${apiUrl}/health`);
const token = await mintToken({ secret: env.JWT_SECRET ?? "", merchantId: DEMO_MERCHANT_ID, role: "owner", sub: DEMO_USER_ID, expiresIn: "30d" });
if (sandbox) await seedDemo(sandbox, token);

console.log(`
mkt-x is running
  admin      http://localhost:${adminPort}   (paste the token below to log in)
  API        ${base}
  API docs   ${base}/docs
  X sandbox  ${sandboxUrl ?? "off (real X)"}
  merchant   ${DEMO_MERCHANT_ID} (owner token, valid 30 days):
${token}

  curl -H "Authorization: Bearer ${token.slice(0, 16)}…" ${base}/accounts
  more tokens: pnpm -s run token --merchant ${DEMO_MERCHANT_ID} --role agent
  sign in    ${demoOwner.email} / ${demoOwner.password}
    curl -s -X POST ${apiUrl}/api/v1/auth/login -H 'content-type: application/json' -d '{"email":"${demoOwner.email}","password":"${demoOwner.password}"}'
`);

/** The demo merchant's X account, connected through the real connect flow against the sandbox. */
async function seedDemo(sb: NonNullable<typeof sandbox>, bearer: string) {
  const headers = { authorization: `Bearer ${bearer}`, "content-type": "application/json" };
  const list = (await (await fetch(`${base}/accounts`, { headers })).json()) as { data: { id: string; twitterUserId: string; status: string }[] };
  // the sandbox forgets its users on restart: recreate the demo user with the same X id, then
  // disconnect and reconnect so the stored tokens are the sandbox's new ones
  const existing = list.data.find((a) => a.twitterUserId === "1700000000000000001");
  const user = sb.addUser({ id: "1700000000000000001", username: "goodgo_shop", name: "GoodGo Official" });
  if (existing?.status === "active") await fetch(`${base}/accounts/${existing.id}`, { method: "DELETE", headers: { authorization: headers.authorization } });
  const res = await fetch(`${base}/accounts`, { method: "POST", headers, body: JSON.stringify({ oauthToken: user.accessToken, oauthTokenSecret: user.accessSecret }) });
  if (!res.ok) console.error("mkt-x dev: demo account not connected:", await res.text());
  for (const [id, username, name] of [["1700000000000000101", "customer_john", "John Doe"], ["1700000000000000102", "customer_mai", "Mai Tran"]] as const) {
    sb.addUser({ id, username, name });
  }
}
