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
