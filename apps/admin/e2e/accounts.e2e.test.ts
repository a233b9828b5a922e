// Accounts, Team and Settings through the built app: connecting an X account on the sandbox's
// authorize page, its settings and business hours, disconnecting and reconnecting; inviting a user
// and changing roles; an API key shown once; an outgoing webhook with its signing secret, a real
// delivery in its log and a redelivery; and what a viewer sees.
import { createHmac } from "node:crypto";
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { newPage, OWNER, screenshot, seriousViolations, signIn, startStack, type Stack } from "./stack.ts";

let stack: Stack;
let page: Page;
const HANDLE = "goodgo_shop";

interface Envelope<T> {
  success: boolean;
  data: T;
  error?: { code: string; message: string };
}

async function api<T>(method: string, path: string, token: string, body?: unknown): Promise<{ status: number; json: Envelope<T> }> {
  const res = await fetch(`${stack.url}${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Envelope<T> };
}

async function login(email: string, password: string): Promise<string> {
  const res = await fetch(`${stack.url}/api/v1/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email, password }) });
  const json = (await res.json()) as Envelope<{ accessToken: string }>;
  expect(json.success).toBe(true);
  return json.data.accessToken;
}

const heading = () => page.getByRole("heading", { level: 1 }).textContent();

/** axe on the page once its transitions (a dialog fading in) have finished: none serious or critical. */
async function expectAxeClean() {
  await page.evaluate(() => Promise.all(document.getAnimations().map((a) => a.finished.catch(() => undefined))));
  expect(await seriousViolations(page)).toEqual([]);
}

/** axe (no serious or critical violation) and a screenshot, at 1280 and at 768 px wide. */
async function checkAndShoot(name: string) {
  await expectAxeClean();
  await screenshot(page, `${name}-1280`);
  await page.setViewportSize({ width: 768, height: 1000 });
  await expectAxeClean();
  await screenshot(page, `${name}-768`);
  await page.setViewportSize({ width: 1280, height: 800 });
}

/** Goes through the sandbox's authorize page as the person connecting the account does. */
async function authorizeOnX(username: string) {
  await page.waitForURL((u) => u.pathname === "/oauth/authorize");
  expect(await page.getByRole("heading", { level: 1 }).textContent()).toMatch(/Authorize the app/);
  await page.getByLabel(/username/).fill(username);
  await page.getByRole("button", { name: "Authorize" }).click();
  await page.waitForURL((u) => u.origin === stack.url && u.pathname === "/accounts");
}

const card = () => page.getByRole("article", { name: new RegExp(`\\(@${HANDLE}\\)$`) });

beforeAll(async () => {
  stack = await startStack();
  page = await newPage(stack);
  await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: stack.url });
  await signIn(page, stack, OWNER, "/accounts");
});
afterAll(async () => {
  await page?.context().close();
  await stack?.stop();
});

describe("accounts", { timeout: 240_000 }, () => {
  it("connects an account through the sandbox's authorize page and lists it active", async () => {
    await expect.poll(heading).toBe("Accounts");
    await expect.poll(() => page.getByText("No X account connected yet").isVisible()).toBe(true);
    await checkAndShoot("accounts-empty");

    await page.getByRole("button", { name: "Connect with X" }).first().click();
    await authorizeOnX(HANDLE);
    expect(new URL(page.url()).searchParams.get("username")).toBe(HANDLE);
    await expect.poll(() => page.getByRole("status").filter({ hasText: "Account connected" }).textContent()).toContain(`@${HANDLE} is connected`);
    await expect.poll(() => card().getByLabel("Status: Active").isVisible(), { timeout: 30_000 }).toBe(true);
    await checkAndShoot("accounts");

    // the outcome alert goes away and does not come back on reload
    await page.getByRole("button", { name: "Dismiss" }).click();
    await page.waitForURL((u) => u.pathname === "/accounts" && !u.search.includes("connected"));
  });

  it("shows a cancelled connection as an error from the URL", async () => {
    await page.getByRole("button", { name: "Connect with X" }).click();
    await page.waitForURL((u) => u.pathname === "/oauth/authorize");
    await page.getByRole("button", { name: "Cancel" }).click();
    await page.waitForURL((u) => u.origin === stack.url && u.pathname === "/accounts");
    expect(new URL(page.url()).searchParams.get("error")).toBe("denied");
    await expect.poll(() => page.getByRole("alert").filter({ hasText: "Could not connect the X account" }).textContent()).toContain("You cancelled on X's page");
    await expectAxeClean();
    await page.getByRole("button", { name: "Dismiss" }).click();
    await page.waitForURL((u) => !u.search.includes("error"));
  });

  it("edits business hours, refuses a day that closes before it opens, and keeps them after a reload", async () => {
    await card().getByRole("button", { name: `Settings of @${HANDLE}` }).click();
    const dialog = page.getByRole("dialog", { name: `Settings of @${HANDLE}` });
    await dialog.waitFor();
    await dialog.getByRole("switch", { name: /Use business hours/ }).check();
    await dialog.getByRole("switch", { name: /Auto-reply/ }).check();
    await dialog.getByRole("button", { name: "Remove hours on Friday" }).click();
    await dialog.getByRole("button", { name: "Add hours on Saturday" }).click();
    await dialog.getByLabel("Saturday opens at").fill("10:00");
    await dialog.getByLabel("Saturday closes at").fill("14:00");
    await dialog.getByLabel("Monday closes at").fill("08:00");
    await dialog.getByRole("button", { name: "Save settings" }).click();
    await expect.poll(() => dialog.getByRole("alert").textContent()).toContain("Check the business hours");
    expect(await dialog.getByText("Must be after the opening time").isVisible()).toBe(true);
    await checkAndShoot("accounts-settings-invalid");

    await dialog.getByLabel("Monday closes at").fill("12:00");
    await dialog.getByRole("button", { name: "Save settings" }).click();
    await dialog.waitFor({ state: "hidden" });

    await page.reload();
    await expect.poll(() => card().textContent(), { timeout: 30_000 }).toMatch(/Mon 09:00–12:00, Tue 09:00–17:00, Wed 09:00–17:00, Thu 09:00–17:00, Sat 10:00–14:00/);
    expect(await card().textContent()).toContain("Auto-reply: On");
    await card().getByRole("button", { name: `Settings of @${HANDLE}` }).click();
    await dialog.waitFor();
    expect(await dialog.getByLabel("Monday closes at").inputValue()).toBe("12:00");
    expect(await dialog.getByLabel("Friday opens at").count()).toBe(0);
    await checkAndShoot("accounts-settings");
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await dialog.waitFor({ state: "hidden" });
  });

  it("disconnects after a confirmation, then reconnects the same account", async () => {
    await card().getByRole("button", { name: `Disconnect @${HANDLE}` }).click();
    const confirm = page.getByRole("dialog", { name: `Disconnect @${HANDLE}?` });
    await confirm.waitFor();
    await expectAxeClean();
    await confirm.getByRole("button", { name: "Disconnect" }).click();
    await expect.poll(() => card().getByLabel("Status: Disconnected").isVisible(), { timeout: 30_000 }).toBe(true);
    expect(await card().getByRole("button", { name: `Settings of @${HANDLE}` }).count()).toBe(0);

    await card().getByRole("button", { name: `Reconnect @${HANDLE}` }).click();
    await authorizeOnX(HANDLE);
    await expect.poll(() => card().getByLabel("Status: Active").isVisible(), { timeout: 30_000 }).toBe(true);
    // its settings came back with it
    expect(await card().textContent()).toContain("Mon 09:00–12:00");
  });

  it("shows a revoked account with what to do, and Reconnect makes it active again", async () => {
    const [user] = stack.sandbox.users().filter((u) => u.username === HANDLE);
    expect(user).toBeDefined();
    await stack.sandbox.revoke({ userId: user?.id ?? "" });
    await expect
      .poll(async () => {
        await page.reload();
        await card().waitFor();
        return card().getByLabel("Status: Revoked").isVisible();
      })
      .toBe(true);
    expect(await card().textContent()).toContain("reconnect to resume");
    await checkAndShoot("accounts-revoked");
    await card().getByRole("button", { name: `Reconnect @${HANDLE}` }).click();
    await authorizeOnX(HANDLE);
    await expect.poll(() => card().getByLabel("Status: Active").isVisible(), { timeout: 30_000 }).toBe(true);
  });
});

describe("team", { timeout: 240_000 }, () => {
  it("invites a user (the token shown once), changes their role, refuses a taken email, removes them", async () => {
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Team" }).click();
    await expect.poll(heading).toBe("Team");
    const users = page.getByRole("table", { name: "Users" });
    await users.getByRole("cell", { name: OWNER.email }).waitFor();
    // nobody changes or removes themselves here
    expect(await users.getByRole("button", { name: `Remove ${OWNER.name}` }).count()).toBe(0);
    expect(await users.getByLabel(`Role of ${OWNER.name}`).count()).toBe(0);
    await checkAndShoot("team");

    await page.getByRole("button", { name: "Invite user" }).click();
    const dialog = page.getByRole("dialog", { name: "Invite a team member" });
    await dialog.waitFor();
    await dialog.getByLabel("Name").fill("Ada Agent");
    await dialog.getByLabel("Email").fill(OWNER.email);
    await dialog.getByRole("button", { name: "Send invite" }).click();
    await expect.poll(() => dialog.getByRole("alert").textContent()).toMatch(/Could not invite.*already exists/);
    await expectAxeClean();

    await dialog.getByLabel("Email").fill("ada@shop.test");
    await dialog.getByRole("button", { name: "Send invite" }).click();
    const invited = page.getByRole("dialog", { name: "Ada Agent is invited" });
    await invited.waitFor();
    const link = (await invited.getByTestId("one-time-secret").textContent()) ?? "";
    expect(link.startsWith(`${stack.url}/accept-invite?token=`)).toBe(true);
    const token = new URL(link).searchParams.get("token") ?? "";
    expect(token.length).toBeGreaterThan(20);
    expect(await invited.getByText("shown only once").isVisible()).toBe(true);
    await checkAndShoot("team-invited");
    await invited.getByRole("button", { name: "Done" }).click();
    await expect.poll(() => users.getByRole("row", { name: /Ada Agent/ }).textContent()).toContain("Invited");

    // the token is real: Ada sets her password with it
    const accepted = await fetch(`${stack.url}/api/v1/auth/accept-invite`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ inviteToken: token, password: "ada's long enough password" }) });
    expect(accepted.status).toBe(200);

    await users.getByLabel("Role of Ada Agent").click();
    await page.getByRole("option", { name: "Viewer" }).click();
    await expect.poll(() => page.getByRole("alert").filter({ hasText: "Role changed" }).count()).toBe(1);
    await page.reload();
    await expect.poll(() => users.getByLabel("Role of Ada Agent").inputValue()).toBe("Viewer");

    await users.getByRole("button", { name: "Remove Ada Agent" }).click();
    const confirm = page.getByRole("dialog", { name: "Remove Ada Agent?" });
    await confirm.waitFor();
    await expectAxeClean();
    await confirm.getByRole("button", { name: "Remove" }).click();
    await expect.poll(() => users.getByRole("row", { name: /Ada Agent/ }).count()).toBe(0);
  });

  it("creates an API key shown once with a copy button, then lists only its prefix; revoking it stops it", async () => {
    await page.getByRole("button", { name: "Create API key" }).click();
    const dialog = page.getByRole("dialog", { name: "Create an API key" });
    await dialog.waitFor();
    await expectAxeClean();
    await dialog.getByLabel("Name").fill("Shop sync");
    await dialog.getByRole("button", { name: "Create key" }).click();
    const created = page.getByRole("dialog", { name: "API key “Shop sync” created" });
    await created.waitFor();
    const key = (await created.getByTestId("one-time-secret").textContent()) ?? "";
    expect(key).toMatch(/^mktx_/);
    await created.getByRole("button", { name: "Copy" }).click();
    await expect.poll(() => created.getByRole("button", { name: "Copied" }).count()).toBe(1);
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(key);
    await checkAndShoot("team-api-key-created");
    await created.getByRole("button", { name: "Done" }).click();

    const keys = page.getByRole("table", { name: "API keys" });
    const row = keys.getByRole("row", { name: /Shop sync/ });
    await row.waitFor();
    const shown = (await row.getByRole("code").or(row.locator("code")).first().textContent()) ?? "";
    expect(shown.endsWith("…")).toBe(true);
    expect(key.startsWith(shown.slice(0, -1))).toBe(true);
    expect(await page.locator("body").textContent()).not.toContain(key);
    expect((await api("GET", "/api/v1/mkt-x/accounts", key)).status).toBe(200);

    await row.getByRole("button", { name: "Revoke Shop sync" }).click();
    const confirm = page.getByRole("dialog", { name: "Revoke “Shop sync”?" });
    await confirm.getByRole("button", { name: "Revoke" }).click();
    await expect.poll(() => keys.getByRole("row", { name: /Shop sync/ }).count()).toBe(0);
    expect((await api("GET", "/api/v1/mkt-x/accounts", key)).status).toBe(401);
  });
});

describe("settings", { timeout: 240_000 }, () => {
  let receiver: Server;
  const received: { headers: Record<string, string | string[] | undefined>; body: string }[] = [];
  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString("utf8")));
      req.on("end", () => {
        received.push({ headers: req.headers, body });
        res.writeHead(200, { "content-type": "text/plain" }).end("ok");
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  });
  afterAll(() => new Promise<void>((resolve) => receiver.close(() => resolve())));

  it("creates a webhook (secret shown once), logs a real delivery and redelivers it", async () => {
    const address = receiver.address();
    const hookUrl = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/hooks/mktx`;
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Settings" }).click();
    await expect.poll(heading).toBe("Settings");
    await expect.poll(() => page.getByText("No webhooks yet").isVisible()).toBe(true);
    await checkAndShoot("settings-empty");

    await page.getByRole("button", { name: "Add webhook" }).first().click();
    const dialog = page.getByRole("dialog", { name: "Add a webhook" });
    await dialog.waitFor();
    await dialog.getByRole("checkbox", { name: "message.created" }).uncheck();
    await dialog.getByLabel("URL").fill(hookUrl);
    await dialog.getByRole("button", { name: "Add webhook" }).click();
    await expect.poll(() => dialog.getByText("at least one event type").isVisible()).toBe(true);
    await dialog.getByRole("checkbox", { name: "message.created" }).check();
    await dialog.getByLabel("Description").fill("Shop CRM");
    await checkAndShoot("settings-webhook-form");
    await dialog.getByRole("button", { name: "Add webhook" }).click();

    const created = page.getByRole("dialog", { name: "Webhook created" });
    await created.waitFor();
    const secret = (await created.getByTestId("one-time-secret").textContent()) ?? "";
    expect(secret.length).toBeGreaterThan(16);
    await checkAndShoot("settings-webhook-secret");
    await created.getByRole("button", { name: "Done" }).click();
    expect(await page.locator("body").textContent()).not.toContain(secret);

    await page.getByRole("link", { name: `Deliveries of ${hookUrl}` }).click();
    await page.waitForURL((u) => u.searchParams.has("webhook"));
    await expect.poll(() => page.getByText("No deliveries yet").isVisible()).toBe(true);

    // a customer writes: message.created goes to the webhook
    await stack.sandbox.customerDm({ to: HANDLE, from: "carla_customer", fromName: "Carla", text: "Is the blue jacket back in stock?" });
    await expect.poll(() => received.length, { timeout: 30_000 }).toBeGreaterThan(0);
    const first = received[0];
    const timestamp = String(first?.headers["mktx-webhook-timestamp"]);
    expect(first?.headers["mktx-webhook-signature"]).toBe(`v1=${createHmac("sha256", secret).update(`${timestamp}.${first?.body ?? ""}`).digest("hex")}`);
    expect(JSON.parse(first?.body ?? "{}")).toMatchObject({ type: "message.created" });

    const log = page.getByRole("table", { name: "Delivery log" });
    await expect
      .poll(
        async () => {
          await page.getByRole("button", { name: "Refresh" }).click();
          return log.getByRole("row").filter({ hasText: "Succeeded" }).count();
        },
        { timeout: 30_000 },
      )
      .toBeGreaterThan(0);
    const row = log.getByRole("row").filter({ hasText: "Succeeded" }).first();
    expect(await row.textContent()).toMatch(/message\.created.*Succeeded.*1.*200/);
    await page.reload();
    await log.waitFor();
    await checkAndShoot("settings-delivery-log");

    const before = received.length;
    await log.getByRole("button", { name: /^Redeliver message\.created/ }).first().click();
    await expect.poll(() => received.length, { timeout: 30_000 }).toBeGreaterThan(before);
    const again = received[received.length - 1];
    expect(received.filter((r) => r.headers["mktx-webhook-id"] === again?.headers["mktx-webhook-id"]).length).toBeGreaterThan(1);
    await expect.poll(() => page.getByRole("alert").filter({ hasText: "Sent again" }).count()).toBeGreaterThan(0);
  });

  it("pauses and resumes a webhook", async () => {
    const pause = page.getByRole("button", { name: /^Pause http/ });
    await pause.click();
    await expect.poll(() => page.getByRole("table", { name: "Outgoing webhooks" }).getByText("Paused").count()).toBe(1);
    await page.getByRole("button", { name: /^(Resume|Re-enable) http/ }).click();
    await expect.poll(() => page.getByRole("table", { name: "Outgoing webhooks" }).getByText("Active").count()).toBe(1);
  });
});

describe("a viewer", { timeout: 240_000 }, () => {
  it("sees the accounts read-only and no team or webhook controls", async () => {
    const ownerToken = await login(OWNER.email, OWNER.password);
    const viewer = { email: "val@shop.test", password: "a viewer's long password", name: "Val Viewer" };
    const created = await api("POST", "/api/v1/mkt-x/team/users", ownerToken, { ...viewer, role: "viewer" });
    expect(created.status).toBe(200);

    const viewerPage = await newPage(stack);
    const previous = page;
    page = viewerPage;
    try {
      await signIn(page, stack, viewer, "/accounts");
      await expect.poll(heading).toBe("Accounts");
      await card().waitFor();
      expect(await page.getByText("Only admins and owners can connect, change or disconnect accounts.").isVisible()).toBe(true);
      for (const name of ["Connect with X", `Settings of @${HANDLE}`, `Disconnect @${HANDLE}`, `Reconnect @${HANDLE}`]) expect(await page.getByRole("button", { name }).count()).toBe(0);
      await checkAndShoot("accounts-viewer");

      await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Team" }).click();
      await expect.poll(heading).toBe("Team");
      expect(await page.getByText("Only admins and owners can see and manage the team and API keys.").isVisible()).toBe(true);
      expect(await page.getByRole("button", { name: /Invite user|Create API key/ }).count()).toBe(0);
      await checkAndShoot("team-viewer");

      await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Settings" }).click();
      await expect.poll(heading).toBe("Settings");
      expect(await page.getByText("Only admins and owners can see and manage outgoing webhooks.").isVisible()).toBe(true);
      expect(await page.getByRole("button", { name: "Add webhook" }).count()).toBe(0);
      await checkAndShoot("settings-viewer");
    } finally {
      page = previous;
      await viewerPage.context().close();
    }
  });
});
