// Mentions in the inbox through the built app: a post that mentions the account (the X sandbox
// signs and delivers it to the webhook, as X does) appears live with its text, author and link;
// the agent answers in public by keyboard alone and the reply reaches the sandbox as a reply to
// that post; the errors a person meets are shown where they look: a post over X's weighted 280,
// X refusing the post, X's post window full (POST_LIMIT_ACCOUNT_15M=2 here), a revoked account.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { newPage, OWNER, screenshot, seriousViolations, signIn, startStack, type Stack } from "./stack.ts";

let stack: Stack;
let ownerToken: string;
let shop: { username: string; id: string };

async function api<T>(method: string, path: string, body?: unknown, token = ownerToken): Promise<T> {
  const res = await fetch(`${stack.url}${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const json = (await res.json()) as { success: boolean; data: T };
  if (!res.ok || !json.success) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json.data;
}

beforeAll(async () => {
  // two public replies per account per 15 minutes: the third meets X's post window
  stack = await startStack({ POST_LIMIT_ACCOUNT_15M: "2" });
  ownerToken = (await api<{ accessToken: string }>("POST", "/api/v1/auth/login", { email: OWNER.email, password: OWNER.password }, "")).accessToken;
  const user = stack.sandbox.addUser({ username: "goodgo_shop", name: "GoodGo Shop" });
  shop = { username: user.username, id: user.id };
  await api("POST", "/api/v1/mkt-x/accounts", { oauthToken: user.accessToken, oauthTokenSecret: user.accessSecret });
});
afterAll(async () => {
  await stack?.stop();
});

const conversationButton = (page: Page, name: RegExp) => page.getByRole("list", { name: "Conversations" }).getByRole("button", { name });
const thread = (page: Page) => page.getByRole("log", { name: "Messages" });
const composer = (page: Page) => page.getByLabel("Public reply", { exact: true });
const postButton = (page: Page) => page.getByRole("button", { name: "Post reply", exact: true });

/** Tabs from the message log until the Public reply box has the focus (keyboard only). */
async function tabToComposer(page: Page) {
  await thread(page).focus();
  for (let i = 0; i < 10; i++) {
    if (await composer(page).evaluate((el) => el === document.activeElement)) return;
    await page.keyboard.press("Tab");
  }
  throw new Error("the Public reply box is not reachable with Tab from the messages");
}

describe("mentions in the inbox", () => {
  it("a mention arrives live; the public reply is typed and posted by keyboard as a reply to that post", async () => {
    const page = await newPage(stack);
    await signIn(page, stack);
    await page.getByText("No conversations yet").waitFor();

    // the page is open: someone mentions the account on X; the signed webhook brings it in
    const maya = stack.sandbox.addUser({ username: "maya_m", name: "Maya Mendes" });
    const question = `@${shop.username} is the red scarf back in stock?`;
    const mention = await stack.sandbox.mention({ fromUserId: maya.id, toUserId: shop.id, text: question });
    expect(mention.delivered).toBe(true);
    await conversationButton(page, /Maya Mendes.*Mention/).waitFor({ timeout: 20_000 });
    // the channel filter finds it among the mentions
    await page.locator('label[for$="-mention"]').click();
    await page.waitForURL(/channel=mention/);
    await conversationButton(page, /Maya Mendes/).click();
    await page.waitForURL(/conversation=/);

    // the post's text, its author and its link on X
    await thread(page).getByText(question).waitFor();
    await thread(page).getByText("@maya_m", { exact: true }).waitFor();
    expect(await thread(page).getByRole("link", { name: "View post on X" }).getAttribute("href")).toBe(`https://x.com/maya_m/status/${mention.postId}`);
    expect(await page.getByRole("link", { name: "Open the thread on X" }).getAttribute("href")).toBe(`https://x.com/maya_m/status/${mention.postId}`);
    await page.getByText("Posted on X under the thread's latest post, visible to everyone").waitFor();
    await page.getByRole("region", { name: "Contact" }).getByText("@maya_m").first().waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, "mention-thread-1280");

    // keyboard only: Tab to the box, type, focus visible, Ctrl+Enter posts
    await tabToComposer(page);
    const link = "https://goodgo.example/scarves/red-wool-scarf-limited-edition-2026";
    const answer = `@maya_m yes, back since this morning: ${link}`;
    await page.keyboard.type(answer);
    // X's weight: a link counts 23 whatever its length
    await page.getByText(`${answer.length - link.length + 23} / 280`).waitFor();
    const focusedBorder = await composer(page).evaluate((el) => getComputedStyle(el).borderColor);
    await page.keyboard.press("Tab");
    const buttonFocus = await postButton(page).evaluate((el) => ({ focused: el === document.activeElement, outline: getComputedStyle(el).outlineStyle, width: getComputedStyle(el).outlineWidth }));
    expect(buttonFocus).toMatchObject({ focused: true, outline: "solid" });
    expect(buttonFocus.width).not.toBe("0px");
    // the box showed its focus: its border changes back once focus has left (after its transition)
    await expect.poll(() => composer(page).evaluate((el) => getComputedStyle(el).borderColor)).not.toBe(focusedBorder);
    await page.keyboard.press("Shift+Tab");
    const posted = stack.sandbox.waitForPost((p) => p.text === answer, 20_000);
    await page.keyboard.press("Control+Enter");
    const post = await posted;
    expect(post).toMatchObject({ authorId: shop.id, inReplyToPostId: mention.postId, conversationId: mention.postId, byApi: true });
    expect(stack.sandbox.dms()).toEqual([]);
    await thread(page).getByText(answer).waitFor();
    await thread(page).getByText("Sent", { exact: true }).waitFor({ timeout: 20_000 });
    expect(await thread(page).getByRole("link", { name: "View post on X" }).nth(1).getAttribute("href")).toBe(`https://x.com/${shop.username}/status/${post.postId}`);
    await expect.poll(() => composer(page).inputValue()).toBe("");
    await screenshot(page, "mention-replied-1280");
    await page.setViewportSize({ width: 768, height: 1000 });
    await screenshot(page, "mention-replied-768");
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.context().close();
  }, 180_000);

  it("shows each error where the agent looks: too long, X refusing, X's post window full, a revoked account", async () => {
    const page = await newPage(stack);
    await signIn(page, stack, OWNER, "/inbox?channel=mention");
    await conversationButton(page, /Maya Mendes/).click();
    await thread(page).getByText("Sent", { exact: true }).waitFor();

    // over X's weighted 280: said at the box, nothing can be posted
    const sentence = "Thanks for asking! The red scarf is back in all sizes. ";
    const long = sentence.repeat(6).trim();
    expect(long.length).toBe(329);
    await composer(page).fill(long);
    await page.getByText("329 / 280").waitFor();
    await page.getByText("This reply counts 329 of X's 280 for a post (links count 23, CJK characters and emoji 2): shorten it by 49").waitFor();
    expect(await postButton(page).isDisabled()).toBe(true);
    await screenshot(page, "mention-too-long-1280");

    // X refuses the post (403): the reply shows as failed with X's reason
    stack.sandbox.addFault({ method: "POST", path: "/2/tweets", status: 403 });
    await composer(page).fill("@maya_m we ship worldwide");
    await postButton(page).click();
    await thread(page).getByText(/Failed: X refused the public reply: the thread does not take replies from this account \(403\)/).waitFor({ timeout: 20_000 });
    expect(stack.sandbox.posts().filter((p) => p.text === "@maya_m we ship worldwide")).toEqual([]);

    // the third public reply in 15 minutes: X's post window is full; the agent is told at once and nothing is queued
    const sent = stack.sandbox.posts().filter((p) => p.byApi).length;
    await composer(page).fill("@maya_m one more thing");
    await postButton(page).click();
    const alert = page.getByRole("alert").filter({ hasText: "X's limit on posts is reached" });
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/posts per account, 15 minutes\): public replies can be posted again in 1[4-6] minutes$/);
    expect(await composer(page).inputValue()).toBe("@maya_m one more thing"); // kept, to post later
    expect(await thread(page).getByText("@maya_m one more thing").count()).toBe(0);
    expect(stack.sandbox.posts().filter((p) => p.byApi)).toHaveLength(sent);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, "mention-window-full-1280");
    // at 768 px the thread is a screen of its own: the same refusal there
    await page.setViewportSize({ width: 768, height: 1000 });
    await composer(page).fill("@maya_m one more thing");
    await postButton(page).click();
    await alert.waitFor();
    await screenshot(page, "mention-window-full-768");
    await page.setViewportSize({ width: 1280, height: 800 });

    // the person removes the app at X: the account is revoked, and the box says why it cannot post
    await stack.sandbox.revoke({ userId: shop.id });
    await expect.poll(async () => (await api<{ status: string }[]>("GET", "/api/v1/mkt-x/accounts")).map((a) => a.status), { timeout: 20_000 }).toEqual(["revoked"]);
    await page.reload();
    await page.getByRole("status").filter({ hasText: `@${shop.username} is revoked: reconnect it in Accounts to reply` }).waitFor();
    expect(await postButton(page).isDisabled()).toBe(true);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, "mention-revoked-1280");
    await page.context().close();
  }, 180_000);
});
