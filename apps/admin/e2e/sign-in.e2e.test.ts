// Signing in and out through the built app as `pnpm start` serves it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NAV_LABELS } from "./nav.ts";
import { newPage, OWNER, screenshot, seriousViolations, signIn, startStack, type Stack } from "./stack.ts";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

describe("signing in", () => {
  it("refuses a wrong password with an alert, then signs in and returns to the page asked for", async () => {
    const page = await newPage(stack);
    await page.goto(`${stack.url}/contacts`);
    await page.waitForURL(/\/sign-in\?redirect=/);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, "sign-in");

    await page.getByLabel("Email", { exact: true }).fill(OWNER.email);
    await page.getByLabel("Password", { exact: true }).fill("not the password at all");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => page.getByRole("alert").textContent()).toMatch(/email or password/i);

    await page.getByLabel("Password", { exact: true }).fill(OWNER.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL((u) => u.pathname === "/contacts");
    await expect.poll(() => page.getByRole("heading", { level: 1 }).textContent()).toBe("Contacts");
    const nav = page.getByRole("navigation", { name: "Main" });
    for (const label of NAV_LABELS) expect(await nav.getByRole("link", { name: label, exact: true }).count()).toBe(1);
    await page.context().close();
  });

  it("keeps the session across a reload, and signing out returns to sign-in", async () => {
    const page = await newPage(stack);
    await signIn(page, stack);
    await page.reload();
    await expect.poll(() => page.getByRole("heading", { level: 1 }).textContent()).toBe("Inbox");
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(/\/sign-in/);
    await page.goto(`${stack.url}/inbox`);
    await page.waitForURL(/\/sign-in/);
    await page.context().close();
  });

  it("serves the app's pages but never shadows the API", async () => {
    const page = await fetch(`${stack.url}/campaigns/some/deep/link`, { headers: { accept: "text/html" } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="root">');
    const api = await fetch(`${stack.url}/api/v1/mkt-x/nope`, { headers: { accept: "text/html" } });
    expect(api.status).toBe(404);
    expect(((await api.json()) as { success: boolean }).success).toBe(false);
    const trpc = await fetch(`${stack.url}/trpc/nope`, { headers: { accept: "text/html" } });
    expect(trpc.status).toBe(404);
  });
});

describe("accepting an invitation", () => {
  async function invite(email: string): Promise<string> {
    const login = await fetch(`${stack.url}/api/v1/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email: OWNER.email, password: OWNER.password }) });
    const { data: pair } = (await login.json()) as { data: { accessToken: string } };
    const res = await fetch(`${stack.url}/api/v1/mkt-x/team/users`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${pair.accessToken}` }, body: JSON.stringify({ email, name: "Aiden Agent", role: "agent" }) });
    expect(res.status).toBe(200);
    const { data } = (await res.json()) as { data: { inviteToken: string } };
    return data.inviteToken;
  }

  it("sets the invited teammate's password, signs them in with their role, and spends the link", async () => {
    const token = await invite("aiden@shop.test");
    const page = await newPage(stack);
    await page.goto(`${stack.url}/accept-invite?token=${encodeURIComponent(token)}`);
    await expect.poll(() => page.getByRole("heading", { level: 1 }).textContent()).toBe("Join your team");
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, "accept-invite");

    await page.getByLabel("Password", { exact: true }).fill("short");
    await page.getByLabel("Confirm password", { exact: true }).fill("short");
    await page.getByRole("button", { name: "Accept invitation" }).click();
    await expect.poll(() => page.getByRole("alert").textContent()).toMatch(/at least 12/);

    await page.getByLabel("Password", { exact: true }).fill("a long enough passphrase");
    await page.getByLabel("Confirm password", { exact: true }).fill("a long enough passphrase");
    await page.getByRole("button", { name: "Accept invitation" }).click();
    await page.waitForURL((u) => u.pathname === "/inbox");
    await expect.poll(() => page.getByRole("banner").textContent()).toContain("(agent)");
    await page.context().close();

    // the link works once; the password chosen signs in
    const again = await newPage(stack);
    await again.goto(`${stack.url}/accept-invite?token=${encodeURIComponent(token)}`);
    await again.getByLabel("Password", { exact: true }).fill("another long passphrase");
    await again.getByLabel("Confirm password", { exact: true }).fill("another long passphrase");
    await again.getByRole("button", { name: "Accept invitation" }).click();
    await expect.poll(() => again.getByRole("alert").textContent()).toMatch(/invit|token|expired|used/i);
    await signIn(again, stack, { email: "aiden@shop.test", password: "a long enough passphrase" });
    await expect.poll(() => again.getByRole("heading", { level: 1 }).textContent()).toBe("Inbox");
    await again.context().close();
  });
});
