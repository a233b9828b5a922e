// The inbox through the built app: a customer's DM through the X sandbox appears live, the reply
// reaches the sandbox, assign / close / reopen, filters in the URL, a viewer's read-only view, axe,
// and screenshots at 1280 and 768 px.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { newPage, OWNER, screenshot, seriousViolations, signIn, startStack, type Stack } from "./stack.ts";

let stack: Stack;
let ownerToken: string;
let shop: { username: string; id: string };
const VIEWER = { email: "vera@shop.test", password: "viewer password long enough", name: "Vera Viewer" };

async function api<T>(method: string, path: string, body?: unknown, token = ownerToken): Promise<T> {
  const res = await fetch(`${stack.url}${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const json = (await res.json()) as { success: boolean; data: T };
  if (!res.ok || !json.success) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json.data;
}

beforeAll(async () => {
  stack = await startStack();
  ownerToken = (await api<{ accessToken: string }>("POST", "/api/v1/auth/login", { email: OWNER.email, password: OWNER.password }, "")).accessToken;
  const user = stack.sandbox.addUser({ username: "goodgo_shop", name: "GoodGo Shop" });
  shop = { username: user.username, id: user.id };
  await api("POST", "/api/v1/mkt-x/accounts", { oauthToken: user.accessToken, oauthTokenSecret: user.accessSecret });
  await api("POST", "/api/v1/mkt-x/team/users", { ...VIEWER, role: "viewer" });
});
afterAll(async () => {
  await stack?.stop();
});

const conversationButton = (page: Page, name: RegExp) => page.getByRole("list", { name: "Conversations" }).getByRole("button", { name });
const thread = (page: Page) => page.getByRole("log", { name: "Messages" });

describe("the inbox", () => {
  it("shows a customer's DM live, replies to the sandbox, assigns, closes and reopens", async () => {
    const page = await newPage(stack);
    await signIn(page, stack);
    await expect.poll(() => page.getByRole("heading", { level: 1 }).textContent()).toBe("Inbox");
    await page.getByText("No conversations yet").waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, "inbox-empty-1280");

    // the page is open: a customer writes through the sandbox, and the conversation appears without a reload
    await stack.sandbox.customerDm({ to: shop.username, from: "jane_doe", fromName: "Jane Doe", text: "Hi, where is my order #1042?" });
    await conversationButton(page, /Jane Doe.* 1 unread/).waitFor({ timeout: 20_000 });
    await conversationButton(page, /Jane Doe/).click();
    await page.waitForURL(/conversation=/);
    await thread(page).getByText("Hi, where is my order #1042?").waitFor();
    await expect.poll(() => thread(page).getByText("Customer", { exact: true }).count()).toBe(1);
    // the contact panel: consent from the first DM, subscribed
    const contact = page.getByRole("region", { name: "Contact" });
    await contact.getByText("Subscribed").waitFor();
    await contact.getByText(/Consent: wrote first on/).waitFor();

    // reply: it reaches the sandbox (X) and shows as sent by an agent
    const reply = "It ships today, Jane!";
    await page.getByLabel("Reply", { exact: true }).fill(reply);
    await page.getByText(`${reply.length} / 10,000`).waitFor();
    const delivered = stack.sandbox.waitForDm((dm) => dm.text === reply, 20_000);
    await page.getByRole("button", { name: "Send", exact: true }).click();
    const dm = await delivered;
    expect(dm.senderId).toBe(shop.id);
    await thread(page).getByText(reply).waitFor();
    await thread(page).getByText("Agent", { exact: true }).waitFor();
    await thread(page).getByText("Sent", { exact: true }).waitFor({ timeout: 20_000 });
    await expect.poll(() => page.getByLabel("Reply", { exact: true }).inputValue()).toBe("");
    // answered: no longer unread
    await expect.poll(() => conversationButton(page, /Jane Doe/).textContent(), { timeout: 20_000 }).not.toMatch(/unread/);

    // a second DM while the conversation is open shows in the thread live
    await stack.sandbox.customerDm({ to: shop.username, from: "jane_doe", text: "Great, thanks!" });
    await thread(page).getByText("Great, thanks!").waitFor({ timeout: 20_000 });
    await conversationButton(page, /Jane Doe.* 1 unread/).waitFor({ timeout: 20_000 });

    // quick replies in the composer
    await page.getByText("Quick replies", { exact: true }).click();
    await page.getByLabel("Option 1", { exact: true }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, "inbox-thread-1280");
    await page.getByText("Text", { exact: true }).click();

    // assign to me
    await page.getByRole("combobox", { name: "Assignee" }).selectOption({ label: `Me (${OWNER.name})` });
    await page.getByText("Assigned to you").waitFor();
    await conversationButton(page, /Jane Doe/).getByText("Mine").waitFor();

    // close: it leaves the open list; reopen brings it back
    await page.getByRole("button", { name: "Close", exact: true }).click();
    await page.getByRole("button", { name: "Reopen" }).waitFor();
    await thread(page).page().getByText(/· Closed /).waitFor();
    await expect.poll(() => conversationButton(page, /Jane Doe/).count()).toBe(0);
    await page.getByRole("button", { name: "Reopen" }).click();
    await page.getByRole("button", { name: "Close", exact: true }).waitFor();
    await conversationButton(page, /Jane Doe/).waitFor();
    await page.context().close();
  }, 180_000);

  it("keeps the filters in the URL across a reload", async () => {
    const page = await newPage(stack);
    await signIn(page, stack);
    await conversationButton(page, /Jane Doe/).waitFor();
    await page.getByLabel("Search conversations").fill("jane");
    await page.waitForURL(/q=jane/);
    await page.locator('label[for$="-all"]').click();
    await page.waitForURL(/status=all/);
    await page.locator('label[for$="-mine"]').click();
    await page.waitForURL(/assigned=mine/);
    await conversationButton(page, /Jane Doe/).waitFor();
    await page.getByLabel("Escalated").check();
    await page.waitForURL(/escalated=true/);
    await page.getByText("No conversation matches").waitFor();

    await page.reload();
    await page.getByText("No conversation matches").waitFor();
    expect(await page.getByLabel("Search conversations").inputValue()).toBe("jane");
    expect(await page.getByLabel("Escalated").isChecked()).toBe(true);
    expect(await page.getByRole("radio", { name: "All", exact: true }).isChecked()).toBe(true);
    expect(await page.getByRole("radio", { name: "Mine" }).isChecked()).toBe(true);
    await page.getByLabel("Escalated").uncheck();
    await conversationButton(page, /Jane Doe/).waitFor();
    await page.getByLabel("Search conversations").fill("nobody-by-this-name");
    await page.getByText("No conversation matches").waitFor();
    await page.context().close();
  });

  it("stacks the list and the conversation at 768 px", async () => {
    const page = await newPage(stack, { width: 768, height: 1000 });
    await signIn(page, stack);
    await conversationButton(page, /Jane Doe/).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, "inbox-list-768");
    await conversationButton(page, /Jane Doe/).click();
    await thread(page).getByText("Great, thanks!").waitFor();
    await page.getByLabel("Reply", { exact: true }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, "inbox-thread-768");
    await page.getByRole("button", { name: "← Conversations" }).click();
    await conversationButton(page, /Jane Doe/).waitFor();
    await page.context().close();
  });

  it("shows a viewer the conversation without a reply box or any write control", async () => {
    const page = await newPage(stack);
    await signIn(page, stack, VIEWER);
    await conversationButton(page, /Jane Doe/).click();
    await thread(page).getByText("Great, thanks!").waitFor();
    await page.getByRole("region", { name: "Contact" }).getByText("Subscribed").waitFor();
    expect(await page.getByLabel("Reply", { exact: true }).count()).toBe(0);
    expect(await page.getByRole("combobox", { name: "Assignee" }).count()).toBe(0);
    for (const name of ["Send", "Close", "Reopen"]) expect(await page.getByRole("button", { name, exact: true }).count()).toBe(0);
    expect(await page.getByRole("combobox", { name: "Tags" }).count()).toBe(0);
    expect(await seriousViolations(page)).toEqual([]);
    await page.context().close();
  });
});
