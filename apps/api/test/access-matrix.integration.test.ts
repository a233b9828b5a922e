// The access matrices, generated from the router: every procedure × every role is allowed or 403 as
// CONTRACT.md says, and every procedure that names a resource, called by another merchant with the
// first one's ids, answers 404 exactly as for an id that does not exist; no list shows another
// merchant's rows; and nothing the other merchant tried changed the first one's data. A procedure
// added later is in both matrices without touching this file (an id field this file cannot fill,
// or a permission the contract's rule does not give, fails here until it is decided).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { Role } from "@mkt-x/core";
import { appRouter } from "../src/router.ts";
import { startHarness, type ApiResponse, type Harness } from "./harness.ts";
import { connectAccount, insertThread, newMerchant, type Success } from "./factories.ts";

interface ProcedureInfo {
  path: string;
  type: "query" | "mutation" | "subscription";
  rest?: { method: string; path: string };
  input: z.ZodType | undefined;
}

const procedures: ProcedureInfo[] = Object.entries((appRouter as unknown as { _def: { procedures: Record<string, { _def: { type: ProcedureInfo["type"]; meta?: { openapi?: { method: string; path: string } }; inputs: z.ZodType[] } }> } })._def.procedures).map(
  ([path, p]) => ({ path, type: p._def.type, ...(p._def.meta?.openapi ? { rest: { method: p._def.meta.openapi.method, path: p._def.meta.openapi.path } } : {}), input: p._def.inputs[0] }),
);
const callable = procedures.filter((p) => p.type !== "subscription");

const ROLES: Role[] = ["viewer", "agent", "admin", "owner"];
/** CONTRACT.md: team, API keys and outgoing webhooks are the merchant's administration, reads included */
const ADMIN_ONLY_ROUTERS = new Set(["team", "apiKeys", "webhooks"]);
/** CONTRACT.md: an agent works the inbox (contacts, conversations, messages, AI escalation) */
const INBOX_WRITES = new Set(["contacts", "conversations"]);
const INBOX_AI = new Set(["ai.message", "ai.escalate"]);
/** POSTs that only read: a template rendered for a contact, a segment's matches */
const READING_MUTATIONS = new Set(["templates.preview", "segments.preview"]);

/** The least role CONTRACT.md lets do this, from the procedure's router and kind alone. */
function leastRole(p: ProcedureInfo): Role {
  const router = p.path.split(".")[0] ?? "";
  if (ADMIN_ONLY_ROUTERS.has(router) || p.path === "accounts.oauthStart") return "admin";
  if (p.type === "query" || READING_MUTATIONS.has(p.path)) return "viewer";
  if (INBOX_WRITES.has(router) || INBOX_AI.has(p.path)) return "agent";
  return "admin";
}
const allowed = (role: Role, least: Role) => ROLES.indexOf(role) >= ROLES.indexOf(least);

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ webhookTargets: { allowPrivate: false, resolve: async () => [{ address: "93.184.216.34", family: 4 as const }] } });
}, 120_000);
afterAll(async () => {
  await h?.close();
});

/** A tRPC call over HTTP as a client makes it (non-batched). */
async function trpc(p: ProcedureInfo, input: unknown, token: string): Promise<{ status: number; body: { error?: { data?: { appCode?: string } } } & Record<string, unknown>; text: string }> {
  const url = `${h.url}/trpc/${p.path}`;
  const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
  const query = input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify(input))}`;
  const res = p.type === "query" ? await fetch(`${url}${query}`, { headers }) : await fetch(url, { method: "POST", headers, body: JSON.stringify(input) });
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text) as never, text };
}

describe("role matrix: every procedure × every role", () => {
  it.each(ROLES)("%s: allowed exactly where CONTRACT.md allows, 403 FORBIDDEN elsewhere (checked before the input)", async (role) => {
    const merchantId = newMerchant();
    const token = await h.token({ merchantId, role });
    const wrong: string[] = [];
    for (const p of callable) {
      // an empty input: the role is checked first, so a refused role is 403 whatever the input
      const res = await trpc(p, {}, token);
      const refused = res.status === 403;
      if (refused !== !allowed(role, leastRole(p))) wrong.push(`${p.path}: ${res.status} (least role ${leastRole(p)})`);
      if (refused) expect(res.body.error?.data?.appCode, p.path).toBe("FORBIDDEN");
      expect(res.status, `${p.path}: ${res.text.slice(0, 200)}`).toBeLessThan(500);
    }
    expect(wrong).toEqual([]);
  });
});

interface Fixtures {
  [field: string]: string;
}

/** Merchant A with one of everything, made as its owner would make them. */
async function merchantWithOneOfEverything(): Promise<{ merchantId: string; owner: string; ids: Fixtures }> {
  const merchantId = newMerchant();
  const owner = await h.token({ merchantId, role: "owner" });
  const post = async (path: string, body: unknown) => {
    const res = await h.call<Success<{ id: string }>>("POST", path, { token: owner, body });
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${res.text}`);
    return res.body.data.id;
  };
  const { account } = await connectAccount(h, { token: owner });
  const { contactId, conversationId } = await insertThread(h.database.pool, { merchantId, accountId: account.id, messagesAt: [new Date()] });
  await h.call("POST", `/contacts/${contactId}/tags`, { token: owner, body: { tags: ["matrix-vip"] } });
  const templateId = await post("/templates", { name: "Matrix welcome", type: "text", content: "Hi {{name}}", variables: ["name"] });
  const segmentId = await post("/segments", { name: "Matrix segment", conditions: [] });
  const campaignId = await post("/campaigns", { name: "Matrix campaign", templateId, segmentIds: [segmentId], accountId: account.id });
  const flowId = await post("/automation/flows", { name: "Matrix flow", trigger: { type: "manual", config: {} }, nodes: [{ id: "tag", type: "add_tag", config: { tag: "m" } }, { id: "done", type: "end", config: {} }], connections: [{ fromNodeId: "tag", toNodeId: "done" }] });
  const webhookId = await post("/integrations/webhooks", { url: "https://hooks.example.com/matrix", events: ["message.created"] });
  const userId = await post("/team/users", { email: `matrix.${merchantId.slice(0, 8)}@example.com`, name: "Matrix Agent", role: "agent", password: "correct horse battery staple" });
  const apiKeyId = await post("/api-keys", { name: "matrix key", role: "viewer" });
  const faqId = await post("/ai/knowledge/faqs", { question: "Do you ship abroad?", answer: "Yes, to 30 countries." });
  const productId = await post("/ai/knowledge/products", { sku: "MATRIX-1", name: "Matrix jacket", price: 59.9, currency: "USD" });
  // no delivery or suggestion yet: the webhook's and the conversation's ids are A's, which is what must not be found
  const ids: Fixtures = { accountId: account.id, contactId, conversationId, templateId, segmentId, campaignId, flowId, userId, tagName: "matrix-vip", deliveryId: randomUUID(), faqId, productId, suggestionId: randomUUID() };
  return { merchantId, owner, ids: { ...ids, webhookId, apiKeyId } };
}

/** The id a procedure's `id` field names, by its router. */
const ID_BY_ROUTER: Record<string, string> = { webhooks: "webhookId", apiKeys: "apiKeyId" };

type JsonSchema = { type?: string | string[]; properties?: Record<string, JsonSchema>; required?: string[]; enum?: unknown[]; const?: unknown; minLength?: number; minimum?: number; minItems?: number; items?: JsonSchema; anyOf?: JsonSchema[]; oneOf?: JsonSchema[]; format?: string; default?: unknown };

/** A plausible value for a schema: ids from the fixtures, the rest as small as the schema allows. */
function sample(schema: JsonSchema, name: string, ids: Fixtures, router: string): unknown {
  const id = name === "id" ? ids[ID_BY_ROUTER[router] ?? ""] : ids[name];
  if (id !== undefined) return id;
  if (schema.const !== undefined) return schema.const;
  if (schema.enum?.length) return schema.enum[0];
  const variant = schema.anyOf?.[0] ?? schema.oneOf?.[0];
  if (variant) return sample(variant, name, ids, router);
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== "null") : schema.type;
  switch (type) {
    case "object": {
      // required fields, and every id field (an optional filter by id is checked too)
      const keys = Object.keys(schema.properties ?? {}).filter((k) => schema.required?.includes(k) || isIdField(k));
      return Object.fromEntries(keys.map((k) => [k, sample(schema.properties?.[k] ?? {}, k, ids, router)]));
    }
    case "array":
      return Array.from({ length: schema.minItems ?? 0 }, () => sample(schema.items ?? {}, name, ids, router));
    case "integer":
    case "number":
      return schema.minimum ?? 1;
    case "boolean":
      return false;
    case "string":
      if (schema.format === "email") return "someone@example.com";
      if (schema.format === "uri") return "https://example.com/x";
      if (schema.format === "date-time") return new Date(Date.now() + 86_400_000).toISOString();
      if (schema.format === "uuid") return "00000000-0000-4000-8000-000000000000";
      return "x".repeat(Math.max(1, schema.minLength ?? 1));
    default:
      return "x";
  }
}

const isIdField = (k: string) => k === "id" || /Id$/.test(k) || k === "tagName";

/** The fields of a procedure's input that name one of the merchant's resources. */
function idFields(p: ProcedureInfo): string[] {
  if (!p.input) return [];
  const schema = z.toJSONSchema(p.input, { io: "input", unrepresentable: "any" }) as JsonSchema;
  return Object.keys(schema.properties ?? {}).filter(isIdField);
}

describe("tenant matrix: merchant B with merchant A's ids", () => {
  let a: Awaited<ReturnType<typeof merchantWithOneOfEverything>>;
  let b: { merchantId: string; owner: string };
  beforeAll(async () => {
    a = await merchantWithOneOfEverything();
    const merchantId = newMerchant();
    b = { merchantId, owner: await h.token({ merchantId, role: "owner" }) };
  }, 60_000);

  /** Paths whose id fields are the resource the call acts on (the path's), not references in a body. */
  const named = callable.filter((p) => (p.rest?.path ?? "").includes("{") || idFields(p).some((f) => f === "contactId" || f === "conversationId" || f === "flowId" || f === "campaignId"));

  it("covers every procedure that names a resource", () => {
    // a resource-naming procedure of each router is in the matrix (a new router's is too)
    for (const router of ["accounts", "contacts", "conversations", "templates", "segments", "campaigns", "flows", "ai", "team", "apiKeys", "webhooks"]) expect(named.some((p) => p.path.startsWith(`${router}.`)), router).toBe(true);
  });

  it.each(named.map((p) => [p.path, p] as const))("%s answers 404 RESOURCE_NOT_FOUND, as for an id that does not exist", async (_path, p) => {
    const router = p.path.split(".")[0] ?? "";
    const schema = p.input ? (z.toJSONSchema(p.input, { io: "input", unrepresentable: "any" }) as JsonSchema) : {};
    for (const field of idFields(p)) {
      if (field !== "id" && a.ids[field] === undefined) throw new Error(`${p.path}: no fixture for the id field '${field}': add one to merchantWithOneOfEverything`);
    }
    const input = sample(schema, "", a.ids, router);
    const res = await trpc(p, input, b.owner);
    if (!(p.rest?.path ?? "").includes("{")) {
      // a report filtered by another merchant's id: nothing of it (404, or an empty report)
      expect([200, 404], res.text.slice(0, 300)).toContain(res.status);
      for (const id of Object.values(a.ids)) expect(res.text.includes(id), `${p.path} shows ${id}`).toBe(false);
      return;
    }
    expect({ status: res.status, code: res.body.error?.data?.appCode }, `${p.path} with ${JSON.stringify(input)}: ${res.text.slice(0, 300)}`).toEqual({ status: 404, code: "RESOURCE_NOT_FOUND" });
    // a read with the same input, as merchant A itself, finds it: the 404 above is the tenant's
    if (p.type === "query") {
      const own = await trpc(p, input, a.owner);
      expect(own.status, `${p.path} as its own merchant: ${own.text.slice(0, 300)}`).toBe(200);
    }
  });

  it("no list or report shows merchant A's rows to merchant B", async () => {
    const lists = callable.filter((p) => p.type === "query" && idFields(p).length === 0 && p.path !== "contacts.exportCsv");
    const secrets = Object.values(a.ids).filter((v) => v.length > 20);
    for (const p of lists) {
      const res = await trpc(p, p.input ? sample(z.toJSONSchema(p.input, { io: "input", unrepresentable: "any" }) as JsonSchema, "", {}, "") : undefined, b.owner);
      expect(res.status, `${p.path}: ${res.text.slice(0, 200)}`).toBe(200);
      for (const id of secrets) expect(res.text.includes(id), `${p.path} shows ${id}`).toBe(false);
    }
    const exported = await trpc(callable.find((p) => p.path === "contacts.exportCsv")!, {}, b.owner);
    expect(exported.text.includes(a.ids.contactId!)).toBe(false);
  });

  it("left merchant A's data as it was", async () => {
    const get = (path: string): Promise<ApiResponse<Success<Record<string, unknown>>>> => h.call("GET", path, { token: a.owner });
    expect((await get(`/accounts/${a.ids.accountId}`)).body.data).toMatchObject({ status: "active" });
    expect((await get(`/contacts/${a.ids.contactId}`)).body.data).toMatchObject({ tags: ["matrix-vip"] });
    expect((await get(`/campaigns/${a.ids.campaignId}`)).body.data).toMatchObject({ status: "draft", name: "Matrix campaign" });
    expect((await get(`/automation/flows/${a.ids.flowId}`)).body.data).toMatchObject({ name: "Matrix flow" });
    expect((await get(`/templates/${a.ids.templateId}`)).status).toBe(200);
    expect((await get(`/segments/${a.ids.segmentId}`)).status).toBe(200);
    expect((await get(`/integrations/webhooks/${a.ids.webhookId}`)).status).toBe(200);
    const users = await h.call<Success<Array<{ id: string }>>>("GET", "/team/users", { token: a.owner });
    expect(users.body.data.map((u) => u.id)).toContain(a.ids.userId);
    const keys = await h.call<Success<Array<{ id: string }>>>("GET", "/api-keys", { token: a.owner });
    expect(keys.body.data.map((k) => k.id)).toContain(a.ids.apiKeyId);
  });
});
