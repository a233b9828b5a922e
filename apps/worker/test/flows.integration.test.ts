// Automation flows end to end: the API creates and activates them, X events reach the webhook,
// the worker starts executions from domain events and runs their steps; DMs land in the sandbox.
import { afterEach, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import type { SandboxUser } from "@mkt-x/twitter/sandbox";
import { runFlowStep } from "@mkt-x/core/server";
import { startE2E, type E2E } from "./e2e-harness.ts";
import { eventually } from "./harness.ts";

let e: E2E | undefined;
afterEach(async () => {
  await e?.close();
  e = undefined;
});

type Json = Record<string, unknown>;
interface ExecutionBody {
  id: string;
  flowId: string;
  contactId: string;
  status: string;
  currentNodeId: string | null;
  error: string | null;
  startedAt: string;
  completedAt: string | null;
}

async function template(env: E2E, content: string): Promise<string> {
  const res = await env.call<{ data: { id: string } }>("POST", "/templates", { name: `tpl ${randomUUID().slice(0, 6)}`, type: "text", content, variables: [...new Set([...content.matchAll(/\{\{\s*([A-Za-z_][A-Za-z0-9_.]*)/g)].map((m) => m[1]))] });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.data.id;
}

async function activeFlow(env: E2E, body: Json): Promise<string> {
  const created = await env.call<{ data: { id: string } }>("POST", "/automation/flows", { name: `flow ${randomUUID().slice(0, 6)}`, ...body });
  expect(created.status, JSON.stringify(created.body)).toBe(200);
  const activated = await env.call<{ data: { status: string } }>("POST", `/automation/flows/${created.body.data.id}/activate`);
  expect(activated.status, JSON.stringify(activated.body)).toBe(200);
  return created.body.data.id;
}

const executions = async (env: E2E, flowId: string) => (await env.call<{ data: ExecutionBody[] }>("GET", `/automation/flows/${flowId}/executions`)).body.data;
const dmsTo = (env: E2E, user: SandboxUser) => env.sandbox.dms().filter((d) => d.recipientId === user.id);
const contactOf = async (env: E2E, user: SandboxUser): Promise<string> => {
  const { rows } = await env.database.pool.query<{ id: string }>("SELECT id FROM contacts WHERE twitter_user_id = $1", [user.id]);
  const id = rows[0]?.id;
  if (!id) throw new Error(`no contact for ${user.id}`);
  return id;
};
const completedDomainEvents = async (env: E2E) =>
  Number((await env.database.pool.query<{ n: string }>("SELECT count(*) AS n FROM pgboss.job WHERE name = 'domain.event' AND state = 'completed'")).rows[0]?.n ?? 0);

const sendThenEnd = (templateId: string) => ({
  nodes: [
    { id: "welcome", type: "send_message", config: { templateId, delay: 0 } },
    { id: "done", type: "end", config: {} },
  ],
  connections: [{ fromNodeId: "welcome", toNodeId: "done" }],
});

describe("automation flows", () => {
  it("welcomes a new follower once, however often the event is delivered", async () => {
    e = await startE2E();
    const { user: shop, accountId } = await e.connect();
    const off = await e.call("PUT", `/accounts/${accountId}`, { requireConsent: false });
    expect(off.status, JSON.stringify(off.body)).toBe(200);
    const tpl = await template(e, "Welcome {{name|friend}}, thanks for following!");
    const flowId = await activeFlow(e, { trigger: { type: "new_follower", config: {} }, ...sendThenEnd(tpl) });
    await e.startWorker();

    const fan = e.sandbox.addUser({ username: `fan_${randomUUID().slice(0, 6)}`, name: "Ann Lee" });
    await e.sandbox.follow({ fromUserId: fan.id, toUserId: shop.id });
    const dm = await e.sandbox.waitForDm((d) => d.recipientId === fan.id, 15_000);
    expect(dm.text).toBe("Welcome Ann Lee, thanks for following!");
    const [done] = await eventually(() => executions(e!, flowId), (xs) => xs.length === 1 && xs[0]?.status === "completed");
    const contactId = await contactOf(e, fan);
    expect(done).toMatchObject({ flowId, contactId, status: "completed", currentNodeId: null });
    expect(done?.completedAt).not.toBeNull();

    // the same event delivered again (twice): no second execution, no second DM
    const before = await completedDomainEvents(e);
    const event = { type: "new_follower" as const, merchantId: e.merchantId, accountId, contactId };
    await e.queue.send("domain.event", event);
    await e.queue.send("domain.event", event);
    await eventually(() => completedDomainEvents(e!), (n) => n >= before + 2);
    expect(await executions(e, flowId)).toHaveLength(1);
    const { rows } = await e.database.pool.query("SELECT count(*)::int AS n FROM messages WHERE contact_id = $1 AND origin = 'flow'", [contactId]);
    expect(rows[0]).toEqual({ n: 1 });
    expect(dmsTo(e, fan)).toHaveLength(1);
  });

  it("a follower's welcome DM fails for want of consent when the account requires it", async () => {
    e = await startE2E();
    const { user: shop } = await e.connect();
    const tpl = await template(e, "Welcome!");
    const flowId = await activeFlow(e, { trigger: { type: "new_follower", config: {} }, ...sendThenEnd(tpl) });
    await e.startWorker();
    const fan = e.sandbox.addUser({ username: `fan_${randomUUID().slice(0, 6)}` });
    await e.sandbox.follow({ fromUserId: fan.id, toUserId: shop.id });
    await eventually(() => executions(e!, flowId), (xs) => xs[0]?.status === "completed");
    const contactId = await contactOf(e, fan);
    const failed = await eventually(
      async () => (await e!.database.pool.query<{ status: string; error: string | null }>("SELECT status, error FROM messages WHERE contact_id = $1 AND origin = 'flow'", [contactId])).rows,
      (rows) => rows[0]?.status === "failed",
    );
    expect(failed[0]?.error).toMatch(/consent/);
    expect(dmsTo(e, fan)).toHaveLength(0);
  });

  it("answers a message containing a keyword, not one without", async () => {
    e = await startE2E();
    const { user: shop } = await e.connect();
    const tpl = await template(e, "Our prices start at $5");
    const flowId = await activeFlow(e, { trigger: { type: "message_received", config: { keywords: ["price"] } }, ...sendThenEnd(tpl) });
    await e.startWorker();
    const customer = e.sandbox.addUser({ username: `cust_${randomUUID().slice(0, 6)}` });
    await e.sandbox.inboundDm({ fromUserId: customer.id, toUserId: shop.id, text: "hello there" });
    await eventually(() => completedDomainEvents(e!), (n) => n >= 1);
    expect(await executions(e, flowId)).toEqual([]);

    await e.sandbox.inboundDm({ fromUserId: customer.id, toUserId: shop.id, text: "What is the PRICE of the red one?" });
    const dm = await e.sandbox.waitForDm((d) => d.recipientId === customer.id, 15_000);
    expect(dm.text).toBe("Our prices start at $5");
    const xs = await eventually(() => executions(e!, flowId), (list) => list[0]?.status === "completed");
    expect(xs).toHaveLength(1);
    expect(dmsTo(e, customer)).toHaveLength(1);
  });

  it("a quick-reply menu: answering with the option's number triggers the flow keyed on its label", async () => {
    e = await startE2E();
    const { user: shop } = await e.connect();
    const menu = await e.call<{ data: { id: string } }>("POST", "/templates", {
      name: "Menu",
      type: "quick_reply",
      content: "How can we help?",
      variables: [],
      quickReplies: [{ label: "Opening hours" }, { label: "Prices" }],
    });
    expect(menu.status, JSON.stringify(menu.body)).toBe(200);
    await activeFlow(e, { trigger: { type: "message_received", config: { keywords: ["menu"] } }, ...sendThenEnd(menu.body.data.id) });
    const pricesFlow = await activeFlow(e, { trigger: { type: "message_received", config: { keywords: ["prices"] } }, ...sendThenEnd(await template(e, "Our prices start at $5")) });
    await e.startWorker();
    const customer = e.sandbox.addUser({ username: `cust_${randomUUID().slice(0, 6)}` });
    await e.sandbox.inboundDm({ fromUserId: customer.id, toUserId: shop.id, text: "menu" });
    const offered = await e.sandbox.waitForDm((d) => d.recipientId === customer.id, 15_000);
    expect(offered.text).toBe("How can we help?\n\n1. Opening hours\n2. Prices");
    await eventually(() => e!.database.pool.query("SELECT status FROM messages WHERE direction = 'outbound' AND content LIKE 'How can we help?%'"), (r) => r.rows[0]?.status === "sent");

    await e.sandbox.inboundDm({ fromUserId: customer.id, toUserId: shop.id, text: "2" });
    await eventually(async () => dmsTo(e!, customer).length, (n) => n === 2, 15_000);
    expect(dmsTo(e, customer).map((d) => d.text)).toEqual(["How can we help?\n\n1. Opening hours\n2. Prices", "Our prices start at $5"]);
    expect(await eventually(() => executions(e!, pricesFlow), (xs) => xs[0]?.status === "completed")).toHaveLength(1);
  });

  it("runs a manual flow for the listed contacts, once each per call; refuses inactive flows and unknown contacts", async () => {
    e = await startE2E();
    const { user: shop } = await e.connect();
    const tpl = await template(e, "Hi {{name}}, your VIP code is VIP20");
    const created = await e.call<{ data: { id: string } }>("POST", "/automation/flows", { name: "VIP enrolment", trigger: { type: "manual", config: {} }, ...sendThenEnd(tpl) });
    const flowId = created.body.data.id;
    const draftRun = await e.call<{ code: string }>("POST", `/automation/flows/${flowId}/run`, { contactIds: [randomUUID()] });
    expect([draftRun.status, draftRun.body.code]).toEqual([400, "VALIDATION_ERROR"]);
    expect((await e.call("POST", `/automation/flows/${flowId}/activate`)).status).toBe(200);
    await e.startWorker();
    const ann = e.sandbox.addUser({ username: `ann_${randomUUID().slice(0, 6)}`, name: "Ann" });
    const bob = e.sandbox.addUser({ username: `bob_${randomUUID().slice(0, 6)}`, name: "Bob" });
    for (const u of [ann, bob]) await e.sandbox.inboundDm({ fromUserId: u.id, toUserId: shop.id, text: "hello" });
    const contacts = await eventually(async () => (await e!.database.pool.query<{ id: string }>("SELECT id FROM contacts WHERE twitter_user_id = ANY($1) ORDER BY id", [[ann.id, bob.id]])).rows.map((r) => r.id), (ids) => ids.length === 2);

    const unknown = await e.call<{ code: string }>("POST", `/automation/flows/${flowId}/run`, { contactIds: [contacts[0], randomUUID()] });
    expect([unknown.status, unknown.body.code]).toEqual([400, "VALIDATION_ERROR"]);
    expect(await executions(e, flowId)).toEqual([]);
    expect((await e.call("POST", `/automation/flows/${randomUUID()}/run`, { contactIds: contacts })).status).toBe(404);

    // with an Idempotency-Key: the retry of the same call starts nothing new and answers the same executions
    const runWithKey = async () => {
      const res = await fetch(`${e!.base}/automation/flows/${flowId}/run`, {
        method: "POST",
        headers: { authorization: `Bearer ${e!.token}`, "content-type": "application/json", "idempotency-key": "enrol-vips-1" },
        body: JSON.stringify({ contactIds: [...contacts, contacts[0]] }),
      });
      return { status: res.status, body: (await res.json()) as { data: { started: number; executions: ExecutionBody[] } } };
    };
    const [run, retry] = [await runWithKey(), await runWithKey()];
    expect(run.status, JSON.stringify(run.body)).toBe(200);
    expect(run.body.data.started).toBe(2);
    expect(run.body.data.executions.map((x) => [x.contactId, x.status])).toEqual(contacts.map((id) => [id, "running"]));
    expect(retry.body.data.started).toBe(0);
    expect(retry.body.data.executions.map((x) => x.id)).toEqual(run.body.data.executions.map((x) => x.id));
    await eventually(async () => [dmsTo(e!, ann).length, dmsTo(e!, bob).length], ([a, b]) => a === 1 && b === 1, 15_000);
    expect(dmsTo(e, ann)[0]?.text).toBe("Hi Ann, your VIP code is VIP20");
    const done = await eventually(() => executions(e!, flowId), (xs) => xs.length === 2 && xs.every((x) => x.status === "completed"));
    expect(done).toHaveLength(2);
    // without a key, every call is a new run
    const again = await e.call<{ data: { started: number } }>("POST", `/automation/flows/${flowId}/run`, { contactIds: [contacts[0]] });
    expect(again.body.data.started).toBe(1);
    await eventually(async () => dmsTo(e!, ann).length + dmsTo(e!, bob).length, (n) => n === 3, 15_000);
  });

  it("matches the DM that raised the event, even when the next one arrived before the worker looked; tags are stored normalized", async () => {
    e = await startE2E();
    const { user: shop } = await e.connect();
    const flowId = await activeFlow(e, {
      trigger: { type: "message_received", config: { keywords: ["price"] } },
      nodes: [
        { id: "tag", type: "add_tag", config: { tag: "  Price-Asker " } },
        { id: "untag", type: "remove_tag", config: { tag: "NEW" } },
        { id: "done", type: "end", config: {} },
      ],
      connections: [{ fromNodeId: "tag", toNodeId: "untag" }, { fromNodeId: "untag", toNodeId: "done" }],
    });
    const customer = e.sandbox.addUser({ username: `cust_${randomUUID().slice(0, 6)}` });
    // both DMs are stored before the worker runs: the first has the keyword, the second not
    await e.sandbox.inboundDm({ fromUserId: customer.id, toUserId: shop.id, text: "what is the price?" });
    await e.sandbox.inboundDm({ fromUserId: customer.id, toUserId: shop.id, text: "ok thanks" });
    await e.startWorker();
    const xs = await eventually(() => executions(e!, flowId), (list) => list[0]?.status === "completed");
    await eventually(() => completedDomainEvents(e!), (n) => n >= 2);
    expect(await executions(e, flowId)).toHaveLength(1);
    expect(xs).toHaveLength(1);
    const contact = await e.call<{ data: { tags: string[] } }>("GET", `/contacts/${await contactOf(e, customer)}`);
    expect(contact.body.data.tags).toEqual(["price-asker"]);
    // and so segments and filters find the contact the flow tagged
    const found = await e.call<{ data: { id: string }[] }>("GET", "/contacts?tags=Price-Asker");
    expect(found.body.data.map((c) => c.id)).toEqual([await contactOf(e, customer)]);
  });

  it("fails the execution, with the reason, when a template variable has no value", async () => {
    e = await startE2E();
    const { user: shop } = await e.connect();
    const tpl = await template(e, "Your code is {{discount_code}}");
    const flowId = await activeFlow(e, { trigger: { type: "message_received", config: {} }, ...sendThenEnd(tpl) });
    await e.startWorker();
    const customer = e.sandbox.addUser({ username: `cust_${randomUUID().slice(0, 6)}` });
    await e.sandbox.inboundDm({ fromUserId: customer.id, toUserId: shop.id, text: "code please" });
    const [failed] = await eventually(() => executions(e!, flowId), (list) => list[0]?.status === "failed");
    expect(failed).toMatchObject({ status: "failed", currentNodeId: "welcome", error: "missing variable: discount_code" });
    expect(failed?.completedAt).not.toBeNull();
    const filtered = await e.call<{ data: ExecutionBody[] }>("GET", `/automation/flows/${flowId}/executions?status=failed`);
    expect(filtered.body.data.map((x) => x.id)).toEqual([failed!.id]);
    expect(dmsTo(e, customer)).toHaveLength(0);
  });

  it("waits between two messages, then completes", async () => {
    e = await startE2E();
    const { user: shop } = await e.connect();
    const first = await template(e, "First, thanks for writing");
    const second = await template(e, "Second, a moment later");
    const flowId = await activeFlow(e, {
      trigger: { type: "message_received", config: {} },
      nodes: [
        { id: "a", type: "send_message", config: { templateId: first, delay: 0 } },
        { id: "pause", type: "wait", config: { duration: 1 } },
        { id: "tag", type: "add_tag", config: { tag: "nurtured" } },
        { id: "b", type: "send_message", config: { templateId: second, delay: 0 } },
      ],
      connections: [
        { fromNodeId: "a", toNodeId: "pause" },
        { fromNodeId: "pause", toNodeId: "tag" },
        { fromNodeId: "tag", toNodeId: "b" },
      ],
    });
    await e.startWorker();
    const customer = e.sandbox.addUser({ username: `cust_${randomUUID().slice(0, 6)}` });
    await e.sandbox.inboundDm({ fromUserId: customer.id, toUserId: shop.id, text: "hi" });
    await e.sandbox.waitForDm((d) => d.recipientId === customer.id && d.text.startsWith("Second"), 20_000);
    expect(dmsTo(e, customer).map((d) => d.text)).toEqual(["First, thanks for writing", "Second, a moment later"]);
    const [x] = await eventually(() => executions(e!, flowId), (list) => list[0]?.status === "completed");
    expect(x).toMatchObject({ status: "completed", currentNodeId: null });
    const contactId = await contactOf(e, customer);
    const { rows } = await e.database.pool.query<{ content: string; created_at: Date }>(
      "SELECT content, created_at FROM messages WHERE contact_id = $1 AND origin = 'flow' ORDER BY created_at",
      [contactId],
    );
    expect(rows.map((r) => r.content)).toEqual(["First, thanks for writing", "Second, a moment later"]);
    expect(rows[1]!.created_at.getTime() - rows[0]!.created_at.getTime()).toBeGreaterThanOrEqual(900);
    const tags = await e.database.pool.query<{ tags: string[] }>("SELECT tags FROM contacts WHERE id = $1", [contactId]);
    expect(tags.rows[0]?.tags).toContain("nurtured");
  });

  it("deactivating cancels a waiting execution; its pending step then does nothing", async () => {
    e = await startE2E();
    const { user: shop } = await e.connect();
    const first = await template(e, "Hello now");
    const later = await template(e, "Hello in an hour");
    const flowId = await activeFlow(e, {
      trigger: { type: "message_received", config: {} },
      nodes: [
        { id: "a", type: "send_message", config: { templateId: first, delay: 0 } },
        { id: "pause", type: "wait", config: { duration: 3600 } },
        { id: "b", type: "send_message", config: { templateId: later, delay: 0 } },
      ],
      connections: [
        { fromNodeId: "a", toNodeId: "pause" },
        { fromNodeId: "pause", toNodeId: "b" },
      ],
    });
    await e.startWorker();
    const customer = e.sandbox.addUser({ username: `cust_${randomUUID().slice(0, 6)}` });
    await e.sandbox.inboundDm({ fromUserId: customer.id, toUserId: shop.id, text: "hi" });
    await e.sandbox.waitForDm((d) => d.recipientId === customer.id, 15_000);
    const [waiting] = await eventually(() => executions(e!, flowId), (list) => list[0]?.currentNodeId === "b");
    expect(waiting?.status).toBe("running");

    const off = await e.call<{ data: { status: string } }>("POST", `/automation/flows/${flowId}/deactivate`);
    expect(off.body.data.status).toBe("inactive");
    const [cancelled] = await executions(e, flowId);
    expect(cancelled).toMatchObject({ status: "cancelled" });
    // the step scheduled an hour out, run now: the execution is no longer running
    expect(await runFlowStep({ db: e.database.db, queue: e.queue }, { executionId: waiting!.id, nodeId: "b" })).toBe("skipped");
    expect(dmsTo(e, customer).map((d) => d.text)).toEqual(["Hello now"]);
    const running = await e.call<{ data: ExecutionBody[] }>("GET", `/automation/flows/${flowId}/executions?status=running`);
    expect(running.body.data).toEqual([]);
  });
});
