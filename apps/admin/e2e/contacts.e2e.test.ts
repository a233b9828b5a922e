// The contacts screen through the built app: search, tag filter, editing tags and attributes in the
// drawer, CSV import with a bad row reported, export, GDPR delete, a viewer's read-only view, axe,
// and screenshots at 1280 and 768 px.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFile } from "node:fs/promises";
import { newPage, OWNER, screenshot, seriousViolations, signIn, startStack, type Stack } from "./stack.ts";

let stack: Stack;
let ownerToken: string;
let accountId: string;
const VIEWER = { email: "vic@shop.test", password: "viewer password long enough", name: "Vic Viewer" };

async function call(method: string, path: string, body?: string, contentType = "application/json", token = ownerToken) {
  const res = await fetch(`${stack.url}${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": contentType }) }, ...(body === undefined ? {} : { body }) });
  return { status: res.status, json: (await res.json()) as { success: boolean; data: unknown } };
}
async function api<T>(method: string, path: string, body?: unknown, token = ownerToken): Promise<T> {
  const { status, json } = await call(method, path, body === undefined ? undefined : JSON.stringify(body), "application/json", token);
  if (status >= 300 || !json.success) throw new Error(`${method} ${path}: ${status} ${JSON.stringify(json)}`);
  return json.data as T;
}

beforeAll(async () => {
  stack = await startStack();
  ownerToken = (await api<{ accessToken: string }>("POST", "/api/v1/auth/login", { email: OWNER.email, password: OWNER.password }, "")).accessToken;
  const user = stack.sandbox.addUser({ username: "goodgo_store", name: "GoodGo Store" });
  accountId = (await api<{ id: string }>("POST", "/api/v1/mkt-x/accounts", { oauthToken: user.accessToken, oauthTokenSecret: user.accessSecret })).id;
  await api("POST", "/api/v1/mkt-x/team/users", { ...VIEWER, role: "viewer" });
  // 30 contacts (two pages): alice is vip, bob is vip and wholesale
  const rows = ["twitterUserId,username,displayName,tags,attr.tier", "1001,alice_a,Alice Archer,vip,gold", "1002,bob_b,Bob Baker,vip|wholesale,silver"];
  for (let i = 3; i <= 30; i++) rows.push(`${1000 + i},shopper_${i},Shopper ${i},,`);
  const { status } = await call("POST", `/api/v1/mkt-x/contacts/import?accountId=${accountId}`, rows.join("\n") + "\n", "text/csv");
  expect(status).toBe(200);
});
afterAll(async () => {
  await stack?.stop();
});

describe("contacts", () => {
  it("searches, filters by tag, edits tags and attributes, imports, exports and deletes", async () => {
    const page = await newPage(stack);
    await signIn(page, stack, OWNER, "/contacts");
    await expect.poll(() => page.getByRole("heading", { level: 1 }).textContent()).toBe("Contacts");
    const table = page.getByRole("table", { name: "Contacts" });
    await table.getByRole("button", { name: /^Alice Archer/ }).waitFor();
    await page.getByText("30 contacts").waitFor();
    await page.getByRole("button", { name: "Page 2" }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, "contacts-1280");

    // search, then a tag filter, both in the URL
    await page.getByLabel("Search contacts").fill("alice");
    await page.waitForURL(/q=alice/);
    await expect.poll(() => table.getByRole("row").count()).toBe(2);
    await page.getByLabel("Search contacts").fill("");
    await page.waitForURL((u) => !u.search.includes("q="));
    await page.getByRole("combobox", { name: "Tags" }).fill("wholesale");
    await page.getByRole("combobox", { name: "Tags" }).press("Enter");
    await page.waitForURL(/tags=wholesale/);
    await expect.poll(() => table.getByRole("row").count()).toBe(2);
    await table.getByRole("button", { name: /^Bob Baker/ }).waitFor();
    await page.reload();
    await table.getByRole("button", { name: /^Bob Baker/ }).waitFor();
    expect(await table.getByRole("row").count()).toBe(2);

    // the drawer: add a tag and an attribute
    await table.getByRole("button", { name: /^Bob Baker/ }).click();
    const drawer = page.getByRole("dialog", { name: "Bob Baker" });
    await drawer.getByText("silver").waitFor();
    await drawer.getByRole("combobox", { name: "Tags" }).fill("Returning");
    await drawer.getByRole("combobox", { name: "Tags" }).press("Enter");
    await drawer.getByLabel("Attribute", { exact: true }).fill("city");
    await drawer.getByLabel("Value", { exact: true }).fill("Lisbon");
    await drawer.getByRole("button", { name: "Set" }).click();
    await drawer.getByText("Lisbon").waitFor();
    await expect.poll(async () => (await api<{ tags: string[]; attributes: Record<string, unknown> }[]>("GET", "/api/v1/mkt-x/contacts?search=bob_b"))[0]).toMatchObject({ tags: expect.arrayContaining(["returning", "vip", "wholesale"]), attributes: { tier: "silver", city: "Lisbon" } });
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, "contacts-drawer-1280");

    // GDPR delete, confirmed by typing DELETE
    await drawer.getByRole("button", { name: "Delete contact (GDPR)" }).click();
    const confirm = page.getByRole("dialog", { name: "Delete Bob Baker and all their data?" });
    await confirm.getByRole("button", { name: "Delete permanently" }).waitFor();
    expect(await confirm.getByRole("button", { name: "Delete permanently" }).isDisabled()).toBe(true);
    expect(await seriousViolations(page)).toEqual([]);
    await confirm.getByLabel("Type DELETE to confirm").fill("DELETE");
    await confirm.getByRole("button", { name: "Delete permanently" }).click();
    await page.getByText("No contact matches").waitFor();
    await expect.poll(async () => (await api<unknown[]>("GET", "/api/v1/mkt-x/contacts?search=bob_b")).length).toBe(0);

    // CSV import with one bad row: the progress, the counts and the row's error
    await page.goto(`${stack.url}/contacts`);
    await page.getByRole("button", { name: "Import CSV" }).click();
    const dialog = page.getByRole("dialog", { name: "Import contacts from CSV" });
    await dialog.locator('input[type="file"]').setInputFiles({ name: "new.csv", mimeType: "text/csv", buffer: Buffer.from("twitterUserId,username,displayName,tags\n2001,carol_c,Carol Clark,vip\nnot-a-number,dave_d,Dave,\n") });
    expect(await seriousViolations(page)).toEqual([]);
    await dialog.getByRole("button", { name: "Import" }).click();
    await dialog.getByText("2 rows read: 1 added, 0 updated, 1 failed.").waitFor();
    await dialog.getByRole("progressbar", { name: "Upload progress" }).waitFor();
    const errors = dialog.getByRole("table", { name: "Rows not imported" });
    await expect.poll(() => errors.getByRole("row").nth(1).textContent()).toMatch(/^3twitterUserId/);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, "contacts-import-1280");
    await dialog.getByRole("button", { name: "Done" }).click();
    await table.getByRole("button", { name: /^Carol Clark/ }).waitFor();

    // export: the account's contacts as CSV
    const download = page.waitForEvent("download");
    await page.getByRole("button", { name: "Export CSV" }).click();
    const csv = await readFile((await (await download).path()) ?? "", "utf8");
    expect(csv.split("\n")[0]).toMatch(/^twitterUserId,username,displayName,tags/);
    expect(csv).toContain("carol_c");
    expect(csv).not.toContain("bob_b");
    await page.context().close();
  }, 180_000);

  it("is usable at 768 px", async () => {
    const page = await newPage(stack, { width: 768, height: 1000 });
    await signIn(page, stack, OWNER, "/contacts");
    await page.getByRole("table", { name: "Contacts" }).getByRole("button", { name: /^Alice Archer/ }).click();
    await page.getByRole("dialog", { name: "Alice Archer" }).getByText("gold").waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, "contacts-768");
    await page.context().close();
  });

  it("shows a viewer the contacts without import, tag editing or delete", async () => {
    const page = await newPage(stack);
    await signIn(page, stack, VIEWER, "/contacts");
    await page.getByRole("table", { name: "Contacts" }).getByRole("button", { name: /^Alice Archer/ }).click();
    const drawer = page.getByRole("dialog", { name: "Alice Archer" });
    await drawer.getByText("gold").waitFor();
    expect(await page.getByRole("button", { name: "Import CSV" }).count()).toBe(0);
    expect(await drawer.getByRole("combobox", { name: "Tags" }).count()).toBe(0);
    expect(await drawer.getByRole("button", { name: "Delete contact (GDPR)" }).count()).toBe(0);
    expect(await drawer.getByRole("button", { name: "Set" }).count()).toBe(0);
    expect(await seriousViolations(page)).toEqual([]);
    await page.context().close();
  });
});
