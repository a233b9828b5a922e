// The automation flows slice as a REST client sees it: create validated (node types, graph, the
// merchant's templates), list with the status filter, get, update refused while active,
// activate/deactivate, delete, the executions list; roles and tenant isolation.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "./harness.ts";
import { insertAccount, insertContact, insertFlowExecution, newMerchant, type FlowBody, type FlowExecutionBody, type Success, type TemplateBody } from "./factories.ts";
import { detailFields, expectFailure, expectSuccess } from "./envelope-assertions.ts";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const pool = () => h.database.pool;
const FLOW_KEYS = ["activatedAt", "connections", "createdAt", "id", "merchantId", "name", "nodes", "status", "trigger", "updatedAt"];
const EXECUTION_KEYS = ["completedAt", "contactId", "currentNodeId", "error", "flowId", "id", "startedAt", "status"];

async function merchant() {
  const merchantId = newMerchant();
  return {
    merchantId,
    owner: await h.token({ merchantId, role: "owner" }),
    viewer: await h.token({ merchantId, role: "viewer" }),
  };
}

async function template(token: string): Promise<string> {
  const res = await h.call<Success<TemplateBody>>("POST", "/templates", { token, body: { name: `tpl ${randomUUID().slice(0, 6)}`, type: "text", content: "Welcome {{name|friend}}!", variables: ["name"] } });
  return expectSuccess(res).id;
}

const welcome = (tpl1: string, tpl2: string) => ({
  name: "Welcome Flow",
  trigger: { type: "new_follower", config: {} },
  nodes: [
    { id: "node-1", type: "send_message", config: { templateId: tpl1, delay: 0 } },
    { id: "node-2", type: "wait", config: { duration: 86400 } },
    { id: "node-3", type: "send_message", config: { templateId: tpl2, delay: 0 } },
  ],
  connections: [
    { fromNodeId: "node-1", toNodeId: "node-2" },
    { fromNodeId: "node-2", toNodeId: "node-3" },
  ],
});

const create = (token: string, body: unknown) => h.call<Success<FlowBody>>("POST", "/automation/flows", { token, body });
const list = (token: string, query = "") => h.call<Success<FlowBody[]>>("GET", `/automation/flows${query}`, { token });
const get = (token: string, id: string) => h.call<Success<FlowBody>>("GET", `/automation/flows/${id}`, { token });
const update = (token: string, id: string, body: unknown) => h.call<Success<FlowBody>>("PUT", `/automation/flows/${id}`, { token, body });
const activate = (token: string, id: string) => h.call<Success<FlowBody>>("POST", `/automation/flows/${id}/activate`, { token });
const deactivate = (token: string, id: string) => h.call<Success<FlowBody>>("POST", `/automation/flows/${id}/deactivate`, { token });
const remove = (token: string, id: string) => h.call<Success<null>>("DELETE", `/automation/flows/${id}`, { token });
const executions = (token: string, id: string, query = "") => h.call<Success<FlowExecutionBody[]>>("GET", `/automation/flows/${id}/executions${query}`, { token });

describe("automation flows", () => {
  it("creates a draft with the seed's shape, gets, lists with the status filter", async () => {
    const m = await merchant();
    const [t1, t2] = [await template(m.owner), await template(m.owner)];
    const flow = expectSuccess(await create(m.owner, welcome(t1, t2)));
    expect(Object.keys(flow).sort()).toEqual(FLOW_KEYS);
    expect(flow).toMatchObject({ merchantId: m.merchantId, name: "Welcome Flow", status: "draft", trigger: { type: "new_follower", config: {} }, activatedAt: null });
    expect(flow.nodes).toEqual(welcome(t1, t2).nodes);
    expect(flow.connections).toEqual(welcome(t1, t2).connections);
    expect(expectSuccess(await get(m.viewer, flow.id))).toEqual(flow);

    const keyword = expectSuccess(
      await create(m.owner, {
        name: "Keyword",
        trigger: { type: "message_received", config: { keywords: ["price"] } },
        nodes: [
          { id: "c", type: "condition", config: { field: "tags", operator: "contains", value: "vip" } },
          { id: "yes", type: "add_tag", config: { tag: "asked" } },
          { id: "no", type: "end", config: {} },
        ],
        connections: [
          { fromNodeId: "c", toNodeId: "yes", condition: "true" },
          { fromNodeId: "c", toNodeId: "no", condition: "false" },
        ],
      }),
    );
    expect(keyword.trigger).toEqual({ type: "message_received", config: { keywords: ["price"] } });
    expectSuccess(await activate(m.owner, keyword.id));

    const all = await list(m.viewer);
    expect(expectSuccess(all).map((f) => f.id).sort()).toEqual([flow.id, keyword.id].sort());
    expect(all.body.pagination).toEqual({ page: 1, limit: 20, total: 2, totalPages: 1 });
    expect(expectSuccess(await list(m.viewer, "?status=active")).map((f) => f.id)).toEqual([keyword.id]);
    expect(expectSuccess(await list(m.viewer, "?status=draft")).map((f) => f.id)).toEqual([flow.id]);
    expect(expectSuccess(await list(m.viewer, "?status=inactive"))).toEqual([]);
    const paged = await list(m.viewer, "?take=1&skip=1");
    expect(expectSuccess(paged)).toHaveLength(1);
    expect(paged.body.pagination).toEqual({ page: 2, limit: 1, total: 2, totalPages: 2 });
    expectFailure(await list(m.viewer, "?status=paused"), 400, "VALIDATION_ERROR");
  });

  it("rejects unsound flows with 400 and field paths", async () => {
    const m = await merchant();
    const tpl = await template(m.owner);
    const base = { name: "Bad", trigger: { type: "new_follower", config: {} } };
    const unknownType = expectFailure(await create(m.owner, { ...base, nodes: [{ id: "a", type: "teleport", config: {} }], connections: [] }), 400, "VALIDATION_ERROR");
    expect(detailFields(unknownType).some((f) => f.startsWith("nodes.0"))).toBe(true);

    const dangling = expectFailure(
      await create(m.owner, { ...base, nodes: [{ id: "a", type: "end", config: {} }], connections: [{ fromNodeId: "a", toNodeId: "ghost" }] }),
      400,
      "VALIDATION_ERROR",
    );
    expect(detailFields(dangling)).toContain("connections.0.toNodeId");

    const cycle = expectFailure(
      await create(m.owner, {
        ...base,
        nodes: [
          { id: "start", type: "add_tag", config: { tag: "x" } },
          { id: "a", type: "wait", config: { duration: 5 } },
          { id: "b", type: "wait", config: { duration: 5 } },
        ],
        connections: [
          { fromNodeId: "start", toNodeId: "a" },
          { fromNodeId: "a", toNodeId: "b" },
          { fromNodeId: "b", toNodeId: "a" },
        ],
      }),
      400,
      "VALIDATION_ERROR",
    );
    expect(cycle.error.length).toBeGreaterThan(0);
    expect(JSON.stringify(cycle.details)).toMatch(/cycle|entry/);

    const foreignTemplate = await template(await h.token({ merchantId: newMerchant(), role: "owner" }));
    const foreign = expectFailure(
      await create(m.owner, { ...base, nodes: [{ id: "s", type: "send_message", config: { templateId: foreignTemplate, delay: 0 } }], connections: [] }),
      400,
      "VALIDATION_ERROR",
    );
    expect(detailFields(foreign)).toContain("nodes.0.config.templateId");

    const checks: Array<[unknown, string]> = [
      [{ ...base, nodes: [{ id: "a", type: "end", config: {} }, { id: "a", type: "end", config: {} }], connections: [] }, "nodes.1.id"],
      [{ ...base, nodes: [{ id: "w", type: "wait", config: { duration: 0 } }] }, "nodes.0.config.duration"],
      [{ ...base, nodes: [{ id: "w", type: "wait", config: { duration: 31 * 86400 } }] }, "nodes.0.config.duration"],
      [{ ...base, nodes: [{ id: "s", type: "send_message", config: { templateId: tpl, delay: -1 } }] }, "nodes.0.config.delay"],
      [{ ...base, nodes: [{ id: "s", type: "send_message", config: { templateId: "nope" } }] }, "nodes.0.config.templateId"],
      [{ ...base, trigger: { type: "on_sunday", config: {} } }, "trigger.type"],
      [
        {
          ...base,
          nodes: [
            { id: "c", type: "condition", config: { field: "tags", operator: "contains", value: "vip" } },
            { id: "e", type: "end", config: {} },
          ],
          connections: [{ fromNodeId: "c", toNodeId: "e" }],
        },
        "connections.0.condition",
      ],
      [{ ...base, nodes: [{ id: "c", type: "condition", config: { field: "email", operator: "equals", value: "x" } }] }, "nodes.0.config.field"],
      [{ ...base, nodes: [{ id: "a", type: "end", config: {} }, { id: "b", type: "end", config: {} }] }, "connections"],
    ];
    for (const [body, field] of checks) {
      const failure = expectFailure(await create(m.owner, body), 400, "VALIDATION_ERROR");
      expect(detailFields(failure), JSON.stringify(body)).toContain(field);
    }
    expect(expectSuccess(await list(m.owner))).toEqual([]);
  });

  it("updates drafts and inactive flows, refuses active ones, activates, deactivates and deletes", async () => {
    const m = await merchant();
    const [t1, t2] = [await template(m.owner), await template(m.owner)];
    const empty = expectSuccess(await create(m.owner, { name: "Empty", trigger: { type: "manual", config: {} } }));
    expect(empty.nodes).toEqual([]);
    const noNodes = expectFailure(await activate(m.owner, empty.id), 400, "VALIDATION_ERROR");
    expect(detailFields(noNodes)).toContain("nodes");

    const flow = expectSuccess(await create(m.owner, welcome(t1, t2)));
    const renamed = expectSuccess(await update(m.owner, flow.id, { name: "Updated Welcome Flow", nodes: [{ id: "only", type: "send_message", config: { templateId: t2, delay: 5 } }], connections: [] }));
    expect(renamed).toMatchObject({ name: "Updated Welcome Flow", nodes: [{ id: "only", type: "send_message", config: { templateId: t2, delay: 5 } }], connections: [] });
    // new nodes against the old connections: the merged graph is checked
    const merged = expectFailure(await update(m.owner, flow.id, { connections: [{ fromNodeId: "only", toNodeId: "gone" }] }), 400, "VALIDATION_ERROR");
    expect(detailFields(merged)).toContain("connections.0.toNodeId");

    const active = expectSuccess(await activate(m.owner, flow.id));
    expect(active.status).toBe("active");
    expect(active.activatedAt).not.toBeNull();
    expect(expectSuccess(await activate(m.owner, flow.id)).status).toBe("active");
    const refused = expectFailure(await update(m.owner, flow.id, { name: "Nope" }), 400, "VALIDATION_ERROR");
    expect(refused.error).toBe("Cannot update active flows (deactivate first)");

    const inactive = expectSuccess(await deactivate(m.owner, flow.id));
    expect(inactive.status).toBe("inactive");
    expect(expectSuccess(await update(m.owner, flow.id, { name: "Again" })).name).toBe("Again");
    expect(expectSuccess(await list(m.owner, "?status=inactive")).map((f) => f.id)).toEqual([flow.id]);

    const accountId = await insertAccount(pool(), { merchantId: m.merchantId });
    const contactId = await insertContact(pool(), { merchantId: m.merchantId, accountId });
    await insertFlowExecution(pool(), { merchantId: m.merchantId, flowId: flow.id, contactId, status: "completed" });
    expect(expectSuccess(await remove(m.owner, flow.id))).toBeNull();
    expectFailure(await get(m.owner, flow.id), 404, "RESOURCE_NOT_FOUND");
    const { rows } = await pool().query(`SELECT count(*)::int AS n FROM flow_executions WHERE flow_id = $1`, [flow.id]);
    expect(rows[0]).toEqual({ n: 0 });
  });

  it("deactivating cancels the running executions", async () => {
    const m = await merchant();
    const tpl = await template(m.owner);
    const flow = expectSuccess(await create(m.owner, { ...welcome(tpl, tpl) }));
    expectSuccess(await activate(m.owner, flow.id));
    const accountId = await insertAccount(pool(), { merchantId: m.merchantId });
    const contactId = await insertContact(pool(), { merchantId: m.merchantId, accountId });
    const running = await insertFlowExecution(pool(), { merchantId: m.merchantId, flowId: flow.id, contactId, status: "running", currentNodeId: "node-2" });
    expectSuccess(await deactivate(m.owner, flow.id));
    const [execution] = expectSuccess(await executions(m.owner, flow.id));
    expect(execution).toMatchObject({ id: running, status: "cancelled" });
    expect(execution?.completedAt).not.toBeNull();
  });

  it("lists executions with the status filter and pagination", async () => {
    const m = await merchant();
    const tpl = await template(m.owner);
    const flow = expectSuccess(await create(m.owner, welcome(tpl, tpl)));
    const accountId = await insertAccount(pool(), { merchantId: m.merchantId });
    const contactId = await insertContact(pool(), { merchantId: m.merchantId, accountId });
    const t0 = Date.now() - 60_000;
    const ids: string[] = [];
    for (const [i, status] of ["completed", "running", "failed", "completed"].entries()) {
      ids.push(
        await insertFlowExecution(pool(), {
          merchantId: m.merchantId,
          flowId: flow.id,
          contactId,
          status,
          currentNodeId: status === "running" ? "node-2" : null,
          startedAt: new Date(t0 + i * 1000),
          completedAt: status === "running" ? null : new Date(t0 + i * 1000 + 500),
        }),
      );
    }
    const all = await executions(m.viewer, flow.id);
    const data = expectSuccess(all);
    expect(data.map((e) => e.id)).toEqual([...ids].reverse());
    expect(all.body.pagination).toEqual({ page: 1, limit: 20, total: 4, totalPages: 1 });
    for (const e of data) expect(Object.keys(e).sort()).toEqual(EXECUTION_KEYS);
    expect(data.find((e) => e.status === "running")).toMatchObject({ flowId: flow.id, contactId, currentNodeId: "node-2", completedAt: null });

    const completed = await executions(m.viewer, flow.id, "?status=completed&take=1");
    expect(expectSuccess(completed).map((e) => e.id)).toEqual([ids[3]]);
    expect(completed.body.pagination).toEqual({ page: 1, limit: 1, total: 2, totalPages: 2 });
    expect(expectSuccess(await executions(m.viewer, flow.id, "?status=completed&take=1&skip=1")).map((e) => e.id)).toEqual([ids[0]]);
    expect(expectSuccess(await executions(m.viewer, flow.id, "?status=failed")).map((e) => e.id)).toEqual([ids[2]]);
    expectFailure(await executions(m.viewer, flow.id, "?status=sleeping"), 400, "VALIDATION_ERROR");
    expectFailure(await executions(m.viewer, flow.id, "?take=101"), 400, "VALIDATION_ERROR");
  });

  it("404s unknown, malformed and other merchants' flows; viewers cannot write", async () => {
    const m = await merchant();
    const other = await merchant();
    const tpl = await template(m.owner);
    const flow = expectSuccess(await create(m.owner, welcome(tpl, tpl)));
    for (const id of [randomUUID(), "not-a-uuid", flow.id]) {
      const token = id === flow.id ? other.owner : m.owner;
      expectFailure(await get(token, id), 404, "RESOURCE_NOT_FOUND");
      expectFailure(await update(token, id, { name: "x" }), 404, "RESOURCE_NOT_FOUND");
      expectFailure(await activate(token, id), 404, "RESOURCE_NOT_FOUND");
      expectFailure(await deactivate(token, id), 404, "RESOURCE_NOT_FOUND");
      expectFailure(await remove(token, id), 404, "RESOURCE_NOT_FOUND");
      expectFailure(await executions(token, id), 404, "RESOURCE_NOT_FOUND");
    }
    expect(expectSuccess(await list(other.owner))).toEqual([]);

    expectFailure(await create(m.viewer, welcome(tpl, tpl)), 403, "FORBIDDEN");
    expectFailure(await update(m.viewer, flow.id, { name: "x" }), 403, "FORBIDDEN");
    expectFailure(await activate(m.viewer, flow.id), 403, "FORBIDDEN");
    expectFailure(await deactivate(m.viewer, flow.id), 403, "FORBIDDEN");
    expectFailure(await remove(m.viewer, flow.id), 403, "FORBIDDEN");
    expectFailure(await h.call("GET", "/automation/flows", { token: null }), 401, "UNAUTHORIZED");
    expect(expectSuccess(await get(m.owner, flow.id)).status).toBe("draft");
  });
});
