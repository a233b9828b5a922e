// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- vitest's provided context type, as the global setup declares it
/// <reference path="../../../tooling/vitest/provided-context.d.ts" />
// The whole product as `pnpm start` runs it, for browser tests: the built API (serving the built
// admin at `/`) and the built worker as real processes on a fresh PostgreSQL database, the X
// sandbox in this process (so tests can write as customers), and Debian's Chromium.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { inject } from "vitest";
import { chromium, type Browser, type Page } from "playwright-core";
import AxeBuilder from "@axe-core/playwright";
import { createTestDatabase, type TestDatabase } from "@mkt-x/db/testing";
import { createMerchantWithOwner } from "@mkt-x/core/server";
import { createXSandbox, type XSandbox } from "@mkt-x/twitter/sandbox";

const ROOT = join(import.meta.dirname, "..", "..", "..");
export const SCREENSHOTS = join(ROOT, "apps", "admin", "e2e", "screenshots");
const CONSUMER_KEY = "e2e-admin-consumer-key";
const CONSUMER_SECRET = "e2e-admin-consumer-secret";
export const OWNER = { email: "owner@shop.test", password: "correct horse battery staple", name: "Olivia Owner" };

export interface Stack {
  url: string;
  database: TestDatabase;
  sandbox: XSandbox;
  merchantId: string;
  browser: Browser;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, "127.0.0.1", () => {
      const address = srv.address();
      srv.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

function startProcess(name: string, entry: string, env: NodeJS.ProcessEnv): { child: ChildProcess; output: () => string } {
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`pnpm build\` first`);
  const child = spawn(process.execPath, ["--enable-source-maps", entry], { cwd: join(entry, "..", ".."), env, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  const keep = (chunk: Buffer) => (out = (out + chunk.toString("utf8")).slice(-20_000));
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  child.on("exit", (code, signal) => {
    if (code !== 0 && signal !== "SIGTERM") console.error(`${name} exited (${code ?? signal}):\n${out}`);
  });
  return { child, output: () => out };
}

async function waitFor(url: string, timeoutMs = 30_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) throw new Error(`${url} did not answer within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function stopProcess(child: ChildProcess) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await exited;
}

/** `env`: settings of this stack's API and worker beyond the defaults (a small post window, say). */
export async function startStack(env: Record<string, string> = {}): Promise<Stack> {
  if (!existsSync(join(ROOT, "apps/admin/dist/index.html"))) throw new Error("apps/admin/dist is missing: run `pnpm build` first");
  const database = await createTestDatabase(inject("dbTemplate"));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const sandbox = createXSandbox({ consumerKey: CONSUMER_KEY, consumerSecret: CONSUMER_SECRET, webhookUrl: `${url}/api/v1/mkt-x/webhooks/twitter` });
  const sandboxUrl = await sandbox.listen(0, "127.0.0.1");
  const { merchantId } = await createMerchantWithOwner(database.db, { ...OWNER, merchantName: "GoodGo" });
  const { X_SANDBOX: _sb, DATABASE_URL: _db, ...inherited } = process.env;
  const processEnv: NodeJS.ProcessEnv = {
    ...inherited,
    NODE_ENV: "production",
    DATABASE_URL: database.url,
    PORT: String(port),
    HOST: "127.0.0.1",
    PUBLIC_BASE_URL: url,
    ADMIN_BASE_URL: url,
    JWT_SECRET: randomBytes(24).toString("hex"),
    TOKEN_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    X_API_BASE_URL: sandboxUrl,
    X_WEB_BASE_URL: sandboxUrl,
    X_CONSUMER_KEY: CONSUMER_KEY,
    X_CONSUMER_SECRET: CONSUMER_SECRET,
    WEBHOOK_ALLOW_PRIVATE_TARGETS: "1",
    RATE_LIMIT_PER_MINUTE: "100000",
    LOG_LEVEL: "warn",
    ...env,
  };
  const api = startProcess("api", join(ROOT, "apps/api/dist/main.js"), processEnv);
  const worker = startProcess("worker", join(ROOT, "apps/worker/dist/main.js"), processEnv);
  await waitFor(`${url}/ready`);
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"] });
  mkdirSync(SCREENSHOTS, { recursive: true });
  return {
    url,
    database,
    sandbox,
    merchantId,
    browser,
    stop: async () => {
      await browser.close();
      await Promise.all([stopProcess(api.child), stopProcess(worker.child)]);
      await sandbox.close();
      await database.drop();
    },
  };
}

/** A page in its own browser context (its own storage), as axe-core needs. */
export async function newPage(stack: Stack, viewport = { width: 1280, height: 800 }): Promise<Page> {
  const context = await stack.browser.newContext({ viewport });
  return context.newPage();
}

/** Signs in through the form, as a person does, and lands on `path` (default: the inbox). */
export async function signIn(page: Page, stack: Stack, who: { email: string; password: string } = OWNER, path = "/inbox") {
  await page.goto(`${stack.url}${path}`);
  await page.waitForURL(/\/sign-in/);
  await page.getByLabel("Email", { exact: true }).fill(who.email);
  await page.getByLabel("Password", { exact: true }).fill(who.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((u) => !u.pathname.startsWith("/sign-in"));
}

/**
 * axe-core's serious and critical violations on the page as it settles (none expected). A dialog
 * fading in is half transparent for a moment, and axe would measure its colours mid-fade: the page's
 * running transitions and animations finish first.
 */
export async function seriousViolations(page: Page): Promise<string[]> {
  await page.evaluate(async () => {
    await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    await Promise.all(document.getAnimations().map((a) => a.finished.catch(() => undefined)));
  });
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => `${n.target.join(" ")} ${n.html.slice(0, 120)} — ${n.failureSummary ?? ""}`).slice(0, 3).join(", ")})`);
}

/** Saves what the page shows into e2e/screenshots/<name>.png for people to look at. */
export async function screenshot(page: Page, name: string) {
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}
