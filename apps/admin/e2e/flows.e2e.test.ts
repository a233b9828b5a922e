// Flows, AI and Analytics through the built app: build a keyword flow on the canvas, activate it,
// trigger it with a customer's DM through the X sandbox and see the execution; save AI settings and
// try the AI; read the dashboard's figures; a viewer sees no write control.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import type { SandboxUser } from "@mkt-x/twitter/sandbox";
import { newPage, OWNER, screenshot, seriousViolations, signIn, startStack, type Stack } from "./stack.ts";

const VIEWER = { email: "viewer@shop.test", password: "viewer horse battery staple", name: "Vic Viewer" };
const TEMPLATE_NAME = "Promo reply";

let stack: Stack;
let shop: SandboxUser;

async function api<T>(method: string, path: string, token: string, body?: unknown): Promise<T> {
  const res = await fetch(`${stack.url}/api/v1/mkt-x${path}`, { method, headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
  const json = (await res.json()) as { success: boolean; data: T };
  if (!res.ok || !json.success) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json.data;
}

beforeAll(async () => {
  stack = await startStack();
  const login = await fetch(`${stack.url}/api/v1/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email: OWNER.email, password: OWNER.password }) });
  const token = ((await login.json()) as { data: { accessToken: string } }).data.accessToken;
  // as a client would: an account connected with the sandbox user's tokens, a template, a viewer
  shop = stack.sandbox.addUser({ username: "goodgo_shop", name: "GoodGo" });
  await api("POST", "/accounts", token, { oauthToken: shop.accessToken, oauthTokenSecret: shop.accessSecret });
  await api("POST", "/templates", token, { name: TEMPLATE_NAME, type: "text", content: "Here is your promo code: SAVE10" });
  await api("POST", "/team/users", token, { ...VIEWER, role: "viewer" });
});
afterAll(async () => {
  await stack?.stop();
});

// the app's lazy screens and the worker take their time on a shared, busy machine
const poll = <T>(fn: () => Promise<T>) => expect.poll(fn, { timeout: 20_000 });
const SLOW = 150_000;
const h1 = (page: Page) => page.getByRole("heading", { level: 1 });

describe("flows", () => {
  it("builds a keyword → send message flow on the canvas, activates it, and a customer's DM shows up as an execution", async () => {
    const page = await newPage(stack);
    await signIn(page, stack, OWNER, "/flows");
    await poll(() => h1(page).textContent()).toBe("Flows");
    await page.getByText("No flows yet").waitFor();
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByRole("button", { name: "New flow" }).click();
    const dialog = page.getByRole("dialog", { name: "New flow" });
    await dialog.getByLabel("Name").fill("Promo keyword");
    await dialog.getByLabel("Keywords").fill("promo");
    await dialog.getByLabel("Keywords").press("Enter");
    expect(await seriousViolations(page)).toEqual([]);
    await dialog.getByRole("button", { name: "Create and open the builder" }).click();
    await page.waitForURL(/\/flows\/[0-9a-f-]{36}/);
    await poll(() => h1(page).textContent()).toBe("Promo keyword");

    // a step from the palette: on the canvas, with the contract's problem shown on it
    await page.getByRole("button", { name: "Add Send message" }).click();
    const node = page.locator('.react-flow__node[data-id="send_message_1"]');
    await poll(() => node.textContent()).toContain("Template: choose a template");
    await screenshot(page, "flow-builder-problem");
    await page.getByRole("region", { name: "Step settings" }).getByRole("combobox", { name: "Template" }).click();
    await page.getByRole("option", { name: TEMPLATE_NAME }).click();
    await poll(() => node.textContent()).toContain(TEMPLATE_NAME);
    expect(await node.textContent()).not.toContain("problem");
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByRole("button", { name: "Save", exact: true }).click();
    await page.getByText("Flow saved").waitFor();
    await page.getByRole("button", { name: "Activate Promo keyword" }).click();
    await page.getByRole("button", { name: "Deactivate Promo keyword" }).waitFor();
    await screenshot(page, "flow-builder-1280");
    await page.setViewportSize({ width: 768, height: 1000 });
    await node.waitFor();
    await screenshot(page, "flow-builder-768");
    await page.setViewportSize({ width: 1280, height: 800 });

    // a customer writes the keyword: the flow runs and DMs the template
    await stack.sandbox.customerDm({ to: shop.username, from: "promo_fan", fromName: "Pat Promo", text: "Hi! Is there a PROMO this week?" });
    const dm = await stack.sandbox.waitForDm((d) => d.text.includes("SAVE10"), 30_000);
    expect(dm.senderId).toBe(shop.id);

    await page.getByRole("tab", { name: "Executions" }).click();
    const log = page.getByRole("table", { name: "Executions" });
    await poll(() => log.textContent()).toContain("Pat Promo");
    await poll(() => log.textContent()).toContain("Completed");
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, "flow-executions");

    await page.getByRole("link", { name: "← Flows" }).click();
    const row = page.getByRole("row", { name: /Promo keyword/ });
    await poll(() => row.textContent()).toMatch(/Active.*Message received.*promo.*1/);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, "flows-1280");
    await page.setViewportSize({ width: 768, height: 900 });
    await screenshot(page, "flows-768");
    await page.context().close();
  }, SLOW);
});

describe("AI", () => {
  it("saves the settings, and offers the try-it chat on the customer's conversation", async () => {
    const page = await newPage(stack);
    await signIn(page, stack, OWNER, "/ai");
    await poll(() => h1(page).textContent()).toBe("AI");
    const prompt = page.getByLabel("System prompt");
    await prompt.fill("You are GoodGo's friendly assistant. Keep answers short.");
    await page.getByLabel("Escalation threshold").fill("0.35");
    await page.getByRole("button", { name: "Save settings" }).click();
    await page.getByText("AI settings saved").waitFor();
    await page.reload();
    await poll(() => page.getByLabel("System prompt").inputValue()).toBe("You are GoodGo's friendly assistant. Keep answers short.");
    expect(await page.getByLabel("Escalation threshold").inputValue()).toBe("0.35");

    // the conversation the flow test's customer started
    await poll(() => page.getByRole("combobox", { name: "Conversation" }).inputValue()).toContain("Pat Promo");
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => (m.type() === "error" ? errors.push(m.text()) : undefined));
    await page.getByLabel("Message as the customer").fill("Where is my order #12345?");
    await page.getByRole("button", { name: "Ask the AI" }).click();
    const understood = page.getByRole("group", { name: "What the AI understood" });
    await poll(() => understood.textContent()).toMatch(/Intent: order/);
    expect(errors).toEqual([]);
    expect(await page.getByRole("log", { name: "AI conversation" }).textContent()).toContain("Where is my order #12345?");
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, "ai-1280");
    await page.setViewportSize({ width: 768, height: 1000 });
    await screenshot(page, "ai-768");
    await page.context().close();
  }, SLOW);
});

describe("analytics", () => {
  it("shows the period's figures and charts with their tables, the period in the URL", async () => {
    const page = await newPage(stack);
    await signIn(page, stack, OWNER, "/analytics");
    await poll(() => h1(page).textContent()).toBe("Analytics");
    const overview = page.getByRole("region", { name: "Overview" });
    await poll(() => overview.textContent()).toMatch(/Contacts1/);
    expect(await overview.textContent()).toMatch(/Conversations1/);
    expect(await overview.textContent()).toMatch(/Active flows1/);
    expect(await overview.textContent()).toMatch(/Flow executions1/);
    await page.getByRole("img", { name: /^Contacts by day: chart/ }).waitFor();
    await page.getByRole("img", { name: /^Conversations by day: chart/ }).waitFor();
    await page.getByRole("img", { name: /^Automation: chart/ }).waitFor();
    const automationTable = page.getByRole("table", { name: "Automation" });
    expect(await automationTable.textContent()).toMatch(/Promo keyword.*active.*1.*1/);
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByText("Week", { exact: true }).click();
    await page.waitForURL(/groupBy=week/);
    await page.getByRole("img", { name: /^Contacts by week: chart/ }).waitFor();
    await page.getByText("7 days", { exact: true }).click();
    await page.waitForURL(/preset=7d/);
    await page.reload();
    await page.getByRole("img", { name: /^Contacts by week: chart/ }).waitFor();
    await screenshot(page, "analytics-1280");
    await page.setViewportSize({ width: 768, height: 1000 });
    await screenshot(page, "analytics-768");
    await page.context().close();
  }, SLOW);
});

describe("a viewer", () => {
  it("sees flows, the AI settings and analytics without any write control", async () => {
    const page = await newPage(stack);
    await signIn(page, stack, VIEWER, "/flows");
    await poll(() => h1(page).textContent()).toBe("Flows");
    await page.getByRole("link", { name: "Promo keyword" }).waitFor();
    expect(await page.getByRole("button", { name: "New flow" }).count()).toBe(0);
    expect(await page.getByRole("button", { name: /Activate|Deactivate/ }).count()).toBe(0);
    await page.getByRole("link", { name: "Promo keyword" }).click();
    await page.locator('.react-flow__node[data-id="send_message_1"]').waitFor();
    expect(await page.getByRole("button", { name: /^(Save|Delete|Run for contacts|Add .*)$/ }).count()).toBe(0);
    expect(await page.getByRole("textbox").count()).toBe(0);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, "flow-builder-viewer");

    await page.getByRole("link", { name: "AI", exact: true }).click();
    // the pointer off the navigation: a hovered active link is the shell's look, not this screen's
    await page.mouse.move(700, 400);
    await poll(() => h1(page).textContent()).toBe("AI");
    await page.getByText("You are GoodGo's friendly assistant").waitFor();
    expect(await page.getByRole("button", { name: /Save settings|Ask the AI/ }).count()).toBe(0);
    expect(await page.getByRole("textbox").count()).toBe(0);
    expect(await seriousViolations(page)).toEqual([]);
    await page.context().close();
  }, SLOW);
});
