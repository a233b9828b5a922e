// Templates, segments and campaigns through the built app: write a template and see it rendered for
// a contact, build a segment and watch its count, create a campaign, read its estimate, start it,
// watch it finish live while the DMs reach the X sandbox, see its metrics; a viewer writes nothing.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Page } from "playwright-core";
import { newPage, OWNER, screenshot, seriousViolations, signIn, startStack, type Stack } from "./stack.ts";

let stack: Stack;
let token: string;
const VIEWER = { email: "viewer@shop.test", password: "viewer password long enough", name: "Vera Viewer" };
const SHOP = "goodgo_shop";
const CUSTOMERS = [
  { username: "alice_buyer", name: "Alice Smith", vip: true },
  { username: "bob_buyer", name: "Bob Jones", vip: true },
  { username: "carol_buyer", name: "Carol White", vip: false },
];

async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${stack.url}/api/v1/mkt-x${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? null : JSON.stringify(body),
  });
  const json = (await res.json()) as { success: boolean; data: T };
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json.data;
}

beforeAll(async () => {
  stack = await startStack();
  const login = await fetch(`${stack.url}/api/v1/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email: OWNER.email, password: OWNER.password }) });
  token = ((await login.json()) as { data: { accessToken: string } }).data.accessToken;
  // a connected account that asks for consent, and customers who wrote to it first
  const shop = stack.sandbox.addUser({ username: SHOP, name: "GoodGo Shop" });
  const account = await api<{ id: string }>("POST", "/accounts", { oauthToken: shop.accessToken, oauthTokenSecret: shop.accessSecret });
  await api("PUT", `/accounts/${account.id}`, { requireConsent: true });
  for (const c of CUSTOMERS) await stack.sandbox.customerDm({ to: SHOP, from: c.username, fromName: c.name, text: "Hello, is the spring collection in?" });
  let contacts: Array<{ id: string; username: string | null }> = [];
  // the DMs go through the webhook and the worker: wait until the three contacts exist
  await vi.waitFor(
    async () => {
      contacts = (await api<Array<{ id: string; username: string | null }>>("GET", "/contacts?take=100")).filter((c) => CUSTOMERS.some((x) => x.username === c.username));
      if (contacts.length < 3) throw new Error(`the customers' DMs made ${contacts.length} of 3 contacts`);
    },
    { timeout: 20_000, interval: 200 },
  );
  for (const c of CUSTOMERS.filter((x) => x.vip)) {
    const id = contacts.find((x) => x.username === c.username)?.id;
    await api("POST", `/contacts/${id}/tags`, { tags: ["vip"] });
  }
  await api("POST", "/team/users", { ...VIEWER, role: "viewer" });
});
afterAll(async () => {
  await stack?.stop();
});

/** Picks an option of a Mantine Select / MultiSelect by its label. */
async function pick(page: Page, label: string, option: string | RegExp) {
  await page.getByRole("combobox", { name: label, exact: true }).or(page.getByRole("textbox", { name: label, exact: true })).first().click();
  await page.getByRole("option", { name: option }).click();
}

const dmsTo = (username: string) => {
  const user = stack.sandbox.users().find((u) => u.username === username);
  return stack.sandbox.dms().filter((dm) => dm.recipientId === user?.id);
};

describe("templates, segments and campaigns", () => {
  it("writes a template, builds a segment, runs a campaign to the end and shows its metrics", { timeout: 300_000 }, async () => {
    const page = await newPage(stack);
    await signIn(page, stack, OWNER, "/templates");
    await expect.poll(() => page.getByRole("heading", { level: 1 }).textContent()).toBe("Templates");
    await page.getByText("No templates yet").waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, "templates-empty");

    // the template: a variable inserted from the list, then the preview for a chosen contact
    await page.getByRole("link", { name: "New template" }).first().click();
    await expect.poll(() => page.getByRole("heading", { level: 1 }).textContent()).toBe("New template");
    await page.getByRole("textbox", { name: "Name", exact: true }).fill("Spring sale");
    const message = page.getByRole("textbox", { name: "Message" });
    await message.fill("Hi ");
    await page.getByRole("button", { name: "Insert {{first_name}}" }).click();
    await message.press("End");
    await message.pressSequentially("! Our spring collection is in.");
    await expect.poll(() => message.inputValue()).toBe("Hi {{first_name}}! Our spring collection is in.");
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole("button", { name: "Create template" }).click();
    await page.waitForURL(/\/templates\/[0-9a-f-]{36}$/);
    await expect.poll(() => page.getByRole("heading", { level: 1 }).textContent()).toBe("Spring sale");
    await pick(page, "Preview for", /Alice Smith/);
    const preview = page.getByTestId("template-preview-message");
    await expect.poll(() => preview.textContent(), { timeout: 15_000 }).toBe("Hi Alice! Our spring collection is in.");
    await pick(page, "Preview for", /Bob Jones/);
    await expect.poll(() => preview.textContent(), { timeout: 15_000 }).toBe("Hi Bob! Our spring collection is in.");
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, "template-editor");

    // the segment: every contact with no rule, then the VIP tag narrows the count as it is typed
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Segments", exact: true }).click();
    await expect.poll(() => page.getByRole("heading", { level: 1 }).textContent()).toBe("Segments");
    await page.getByRole("button", { name: "New segment" }).first().click();
    const dialog = page.getByRole("dialog", { name: "New segment" });
    await dialog.getByRole("textbox", { name: "Name", exact: true }).fill("VIP customers");
    expect(await seriousViolations(page)).toEqual([]);
    await dialog.getByRole("button", { name: "Create segment" }).click();
    await page.waitForURL(/\/segments\/[0-9a-f-]{36}$/);
    const count = page.getByTestId("segment-count");
    await expect.poll(() => count.textContent(), { timeout: 15_000 }).toBe("3 contacts match");
    await page.getByRole("button", { name: "Add rule" }).click();
    await page.getByLabel("Rule 1 field").selectOption("tags");
    await page.getByLabel("Rule 1 operator").selectOption({ label: "has any of" });
    const tagInput = page.getByRole("combobox", { name: "Rule 1 value" });
    await tagInput.fill("vip");
    await tagInput.press("Enter");
    await expect.poll(() => count.textContent(), { timeout: 15_000 }).toBe("2 contacts match");
    await expect.poll(() => page.getByRole("status").filter({ hasText: "All changes saved" }).count()).toBe(1);
    expect(await page.getByRole("table", { name: "Preview of matching contacts" }).getByRole("row").count()).toBe(3);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, "segment-editor");
    await page.setViewportSize({ width: 768, height: 1000 });
    await screenshot(page, "segment-editor-768");
    await page.setViewportSize({ width: 1280, height: 800 });

    // the campaign: create, test send, estimate, start, watch it finish live
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Campaigns", exact: true }).click();
    await expect.poll(() => page.getByRole("heading", { level: 1 }).textContent()).toBe("Campaigns");
    await page.getByText("No campaigns yet").waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole("link", { name: "New campaign" }).first().click();
    await expect.poll(() => page.getByRole("heading", { level: 1 }).textContent()).toBe("New campaign");
    await page.getByRole("textbox", { name: "Name", exact: true }).fill("Spring launch");
    await pick(page, "Template", "Spring sale");
    await pick(page, "Segments", /VIP customers/);
    await page.keyboard.press("Escape");
    await page.getByLabel("Send from").selectOption({ label: `@${SHOP}` });
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, "campaign-new");
    await page.getByRole("button", { name: "Create campaign" }).click();
    await page.waitForURL(/\/campaigns\/[0-9a-f-]{36}$/);
    await expect.poll(() => page.getByRole("heading", { level: 1 }).textContent()).toBe("Spring launch");

    await page.getByRole("button", { name: "Send test" }).click();
    const testDialog = page.getByRole("dialog", { name: "Send a test" });
    await pick(page, "Send to", /Carol White/);
    await page.keyboard.press("Escape");
    expect(await seriousViolations(page)).toEqual([]);
    await testDialog.getByRole("button", { name: "Send test" }).click();
    await expect.poll(() => testDialog.getByRole("status").textContent(), { timeout: 15_000 }).toContain("Test sent to 1 contact");
    await expect.poll(() => dmsTo("carol_buyer").map((d) => d.text), { timeout: 20_000 }).toContain("Hi Carol! Our spring collection is in.");
    await testDialog.getByRole("button", { name: "Close" }).click();

    await page.getByRole("button", { name: "Review and start" }).click();
    const estimate = page.getByRole("dialog", { name: "Before you start" });
    await expect.poll(() => estimate.getByTestId("estimate-recipients").textContent(), { timeout: 15_000 }).toBe("2");
    await estimate.getByText("X charges about").waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, "campaign-estimate");
    await estimate.getByRole("button", { name: "Start sending" }).click();
    await expect.poll(() => page.getByTestId("campaign-progress-label").textContent(), { timeout: 60_000 }).toBe("Done: 2 sent");
    await page.getByText("Completed", { exact: true }).first().waitFor();
    for (const c of CUSTOMERS.filter((x) => x.vip)) expect(dmsTo(c.username).map((d) => d.text)).toContain(`Hi ${c.name.split(" ")[0]}! Our spring collection is in.`);
    expect(dmsTo("carol_buyer")).toHaveLength(1);
    await expect.poll(() => page.getByTestId("metric-delivered").textContent(), { timeout: 15_000 }).toMatch(/^2 /);
    await page.getByRole("heading", { name: "Funnel" }).waitFor();
    await page.locator("label").filter({ hasText: /^Table$/ }).first().click();
    await expect.poll(() => page.getByRole("table", { name: "Funnel" }).getByRole("row", { name: /Delivered 2/ }).count()).toBe(1);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, "campaign-detail");
    await page.setViewportSize({ width: 768, height: 1000 });
    await screenshot(page, "campaign-detail-768");

    await page.getByRole("link", { name: "All campaigns" }).click();
    await page.getByRole("row", { name: /Spring launch/ }).getByText("Completed").waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, "campaigns-768");
    await page.setViewportSize({ width: 1280, height: 800 });
    await screenshot(page, "campaigns");
    await page.context().close();
  });

  it("shows a viewer the campaigns, templates and segments with no control to change them", { timeout: 120_000 }, async () => {
    const page = await newPage(stack);
    await signIn(page, stack, VIEWER, "/campaigns");
    await page.getByRole("row", { name: /Spring launch/ }).waitFor();
    expect(await page.getByRole("link", { name: "New campaign" }).count()).toBe(0);
    await page.getByRole("link", { name: "Spring launch" }).click();
    await expect.poll(() => page.getByRole("heading", { level: 1 }).textContent()).toBe("Spring launch");
    await page.getByRole("heading", { name: "Funnel" }).waitFor();
    for (const name of ["Send test", "Review and start", "Pause", "Resume", "Cancel campaign", "Edit"]) expect(await page.getByRole("button", { name }).count()).toBe(0);
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Templates", exact: true }).click();
    await page.getByRole("link", { name: "Spring sale" }).click();
    await expect.poll(() => page.getByRole("heading", { level: 1 }).textContent()).toBe("Spring sale");
    await expect.poll(() => page.getByTestId("template-preview-message").count(), { timeout: 15_000 }).toBe(1);
    for (const name of ["Create template", "Save changes", "Delete template", "Insert {{first_name}}"]) expect(await page.getByRole("button", { name }).count()).toBe(0);
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Segments", exact: true }).click();
    await page.getByRole("link", { name: "VIP customers" }).click();
    await expect.poll(() => page.getByTestId("segment-count").textContent(), { timeout: 15_000 }).toBe("2 contacts match");
    for (const name of ["New segment", "Add rule", "Remove rule 1", "Save now"]) expect(await page.getByRole("button", { name }).count()).toBe(0);
    expect(await page.getByLabel("Rule 1 operator").isDisabled()).toBe(true);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, "segment-viewer");
    await page.context().close();
  });
});
