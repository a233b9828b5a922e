// A sandbox created with a stateDir (as `pnpm dev` does) keeps its users, their tokens, its DMs and
// webhooks across a restart; without one it stays in memory.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createTwitterXClient } from "../src/x-client.ts";
import { createXSandbox, type XSandbox } from "../src/sandbox/index.ts";
import { CONSUMER_KEY, CONSUMER_SECRET } from "./support/sandbox-fixture.ts";

const dirs: string[] = [];
const open: XSandbox[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "sandbox-state-"));
  dirs.push(dir);
  return dir;
}

async function start(stateDir?: string): Promise<{ sandbox: XSandbox; url: string }> {
  const sandbox = createXSandbox({ consumerKey: CONSUMER_KEY, consumerSecret: CONSUMER_SECRET, ...(stateDir ? { stateDir } : {}) });
  open.push(sandbox);
  return { sandbox, url: await sandbox.listen() };
}

describe("sandbox state on disk", () => {
  it("closed and recreated on the same stateDir, the sandbox still accepts the user's OAuth tokens and remembers its users and DMs", async () => {
    const stateDir = tempDir();
    const first = await start(stateDir);
    const shop = first.sandbox.addUser({ id: "1700000000000000001", username: "goodgo_shop", name: "GoodGo Official" });
    const customer = first.sandbox.addUser({ id: "1700000000000000101", username: "customer_john" });
    const creds = { accessToken: shop.accessToken, accessSecret: shop.accessSecret };
    const client1 = createTwitterXClient({ baseUrl: first.url, consumerKey: CONSUMER_KEY, consumerSecret: CONSUMER_SECRET, timeoutMs: 3000 });
    const sent = await client1.sendDm(creds, customer.id, "Hello before the restart");
    await first.sandbox.close();
    open.splice(open.indexOf(first.sandbox), 1);
    client1.close();
    expect(existsSync(join(stateDir, "state.json"))).toBe(true);

    const second = await start(stateDir);
    const client2 = createTwitterXClient({ baseUrl: second.url, consumerKey: CONSUMER_KEY, consumerSecret: CONSUMER_SECRET, timeoutMs: 3000 });
    try {
      // the same tokens sign valid requests after the restart
      await expect(client2.me(creds)).resolves.toMatchObject({ id: shop.id, username: "goodgo_shop" });
      await client2.sendDm(creds, customer.id, "Hello after the restart");
      expect(second.sandbox.users().map((u) => u.username).sort()).toEqual(["customer_john", "goodgo_shop"]);
      expect(second.sandbox.dms().map((d) => d.text)).toEqual(["Hello before the restart", "Hello after the restart"]);
      expect(second.sandbox.dms()[0]?.dmEventId).toBe(sent.dmEventId);
    } finally {
      client2.close();
    }
  });

  it("saves changes without waiting for close (debounced), through a file renamed into place", async () => {
    const stateDir = tempDir();
    const { sandbox } = await start(stateDir);
    sandbox.addUser({ username: "someone" });
    await expect.poll(() => existsSync(join(stateDir, "state.json")), { timeout: 3000 }).toBe(true);
    const saved = JSON.parse(readFileSync(join(stateDir, "state.json"), "utf8")) as { store: { users: { username: string }[] } };
    expect(saved.store.users.map((u) => u.username)).toEqual(["someone"]);
  });

  it("the options it is created with win over the saved configuration (pnpm dev on another port)", async () => {
    const stateDir = tempDir();
    const first = createXSandbox({ consumerKey: CONSUMER_KEY, consumerSecret: CONSUMER_SECRET, stateDir, webhookUrl: "http://127.0.0.1:5000/hook" });
    first.configure({ echoOutbound: true });
    await first.close();
    const second = createXSandbox({ consumerKey: CONSUMER_KEY, consumerSecret: CONSUMER_SECRET, stateDir, webhookUrl: "http://127.0.0.1:6000/hook" });
    open.push(second);
    expect(second.config()).toEqual({ webhookUrl: "http://127.0.0.1:6000/hook", echoOutbound: true });
  });

  it("refuses a state file that is not one, naming it", () => {
    const stateDir = tempDir();
    writeFileSync(join(stateDir, "state.json"), "{ not json");
    expect(() => createXSandbox({ consumerKey: CONSUMER_KEY, consumerSecret: CONSUMER_SECRET, stateDir })).toThrow(/state\.json is not valid JSON/);
  });

  it("without a stateDir a new sandbox starts empty", async () => {
    const a = await start();
    a.sandbox.addUser({ username: "only_here" });
    const b = await start();
    expect(b.sandbox.users()).toEqual([]);
  });
});

describe("simulated customer DMs", () => {
  it("POST /_sandbox/customer-dm delivers a DM from a customer named by username, created on first use", async () => {
    const { sandbox, url } = await start();
    sandbox.addUser({ id: "1700000000000000001", username: "goodgo_shop" });
    const res = await fetch(`${url}/_sandbox/customer-dm`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ to: "@goodgo_shop", from: "new_customer", fromName: "New Customer", text: "Is this in stock?" }) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { eventId: string; fromUserId: string; toUserId: string; delivered: boolean };
    expect(body.toUserId).toBe("1700000000000000001");
    expect(sandbox.users().find((u) => u.id === body.fromUserId)).toMatchObject({ username: "new_customer", name: "New Customer" });
    expect(sandbox.deliveries()).toEqual([expect.objectContaining({ kind: "direct_message", eventId: body.eventId, forUserId: "1700000000000000001" })]);
    const index = await fetch(`${url}/_sandbox`);
    expect(index.status).toBe(200);
    expect(((await index.json()) as { routes: { path: string }[] }).routes.map((r) => r.path)).toContain("/_sandbox/customer-dm");
    const unknown = await fetch(`${url}/_sandbox/customer-dm`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ to: "nobody_here", text: "hi" }) });
    expect(unknown.status).toBe(404);
  });
});
