// The templates slice as a REST client sees it: create (text, quick_reply, card) with the variables
// rule, list with filters, get, update validated on its result, delete guarded by the campaigns
// that use it, and preview with the variable sources in order; roles and tenant isolation.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type ApiResponse, type Harness } from "./harness.ts";
import { insertAccount, insertContactWith, insertTemplateCampaign, newMerchant, setShopName, uniqueUsername, type Success, type TemplateBody } from "./factories.ts";
import { detailFields, expectFailure, expectSuccess } from "./envelope-assertions.ts";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const pool = () => h.database.pool;
const TEMPLATE_KEYS = ["attachment", "buttons", "content", "createdAt", "id", "merchantId", "name", "quickReplies", "type", "updatedAt", "variables"];

const WELCOME = {
  name: "Welcome Message",
  type: "text",
  content: "Hi {{name}}, welcome to {{shop_name}}! Use code {{discount_code}} for 10% off your first order.",
  variables: ["name", "shop_name", "discount_code"],
};
const QUICK_REPLY = {
  name: "Survey",
  type: "quick_reply",
  content: "How was your order, {{first_name|there}}?",
  variables: ["first_name"],
  quickReplies: [{ label: "Great", description: "Loved it", metadata: "score:5" }, { label: "Okay" }, { label: "Bad", metadata: "score:1" }],
};
const CARD = {
  name: "Sale",
  type: "card",
  content: "Our sale starts now",
  variables: [],
  buttons: [{ label: "Shop now", url: "https://shop.example/sale" }, { label: "Details", url: "http://shop.example/faq?x=1" }],
};

/** A merchant with a token per role. */
async function merchant() {
  const merchantId = newMerchant();
  return {
    merchantId,
    owner: await h.token({ merchantId, role: "owner" }),
    admin: await h.token({ merchantId, role: "admin" }),
    agent: await h.token({ merchantId, role: "agent" }),
    viewer: await h.token({ merchantId, role: "viewer" }),
  };
}

const create = (token: string, body: unknown) => h.call<Success<TemplateBody>>("POST", "/templates", { token, body });
const list = (token: string, query = "") => h.call<Success<TemplateBody[]>>("GET", `/templates${query}`, { token });
const get = (token: string, id: string) => h.call<Success<TemplateBody>>("GET", `/templates/${id}`, { token });
const update = (token: string, id: string, body: unknown) => h.call<Success<TemplateBody>>("PUT", `/templates/${id}`, { token, body });
const remove = (token: string, id: string) => h.call<Success<null>>("DELETE", `/templates/${id}`, { token });
const preview = (token: string, id: string, body?: unknown) => h.call<Success<{ rendered: string }>>("POST", `/templates/${id}/preview`, { token, body });

async function created(token: string, body: unknown): Promise<TemplateBody> {
  return expectSuccess(await create(token, body));
}

async function templateRow(id: string) {
  const { rows } = await pool().query<{ merchant_id: string; name: string; type: string; content: string; variables: string[]; options: unknown }>(
    "SELECT merchant_id, name, type, content, variables, options FROM templates WHERE id = $1",
    [id],
  );
  return rows[0];
}

async function campaignTemplate(id: string) {
  const { rows } = await pool().query<{ template_id: string | null }>("SELECT template_id FROM campaigns WHERE id = $1", [id]);
  return rows[0];
}

/** Another merchant's id answers exactly what an id that does not exist answers. */
async function expectHiddenLikeMissing(call: (id: string) => Promise<ApiResponse<unknown>>, foreignId: string) {
  const missingId = randomUUID();
  const [foreign, missing] = [await call(foreignId), await call(missingId)];
  expectFailure(foreign, 404, "RESOURCE_NOT_FOUND");
  expectFailure(missing, 404, "RESOURCE_NOT_FOUND");
  expect(foreign.text.replaceAll(foreignId, ":id")).toBe(missing.text.replaceAll(missingId, ":id"));
}

describe("POST /templates", () => {
  it("creates the seed's welcome template and answers it with the seed's fields", async () => {
    const m = await merchant();
    const res = await create(m.owner, WELCOME);
    const data = expectSuccess(res);
    expect(Object.keys(data).sort()).toEqual(TEMPLATE_KEYS);
    expect(data).toEqual({
      ...WELCOME,
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      merchantId: m.merchantId,
      quickReplies: null,
      buttons: null,
      attachment: null,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      updatedAt: data.createdAt,
    });
    expect(await templateRow(data.id)).toEqual({ merchant_id: m.merchantId, name: WELCOME.name, type: "text", content: WELCOME.content, variables: WELCOME.variables, options: [] });
  });

  it("creates a quick_reply template, its options stored in options", async () => {
    const m = await merchant();
    const data = await created(m.admin, QUICK_REPLY);
    expect(data).toMatchObject({ type: "quick_reply", quickReplies: QUICK_REPLY.quickReplies, buttons: null, variables: ["first_name"] });
    expect((await templateRow(data.id))?.options).toEqual(QUICK_REPLY.quickReplies);
  });

  it("creates a card template, its buttons stored in options", async () => {
    const m = await merchant();
    const data = await created(m.owner, CARD);
    expect(data).toMatchObject({ type: "card", buttons: CARD.buttons, quickReplies: null, variables: [] });
    expect((await templateRow(data.id))?.options).toEqual(CARD.buttons);
  });

  it("accepts X's limits exactly: 20 quick replies, 36-character labels, 72-character descriptions, 1000-character metadata, 3 buttons", async () => {
    const m = await merchant();
    const quickReplies = Array.from({ length: 20 }, (_, i) => ({ label: `${i}`.padEnd(36, "x"), description: "d".repeat(72), metadata: "m".repeat(1000) }));
    expect((await created(m.owner, { ...QUICK_REPLY, quickReplies })).quickReplies).toHaveLength(20);
    const buttons = [1, 2, 3].map((i) => ({ label: `${i}`.padEnd(36, "b"), url: `https://shop.example/${i}` }));
    expect((await created(m.owner, { ...CARD, buttons })).buttons).toEqual(buttons);
  });

  it("defaults variables to none, and accepts placeholders with defaults, spaces, repeats and dotted names", async () => {
    const m = await merchant();
    expect((await created(m.owner, { name: "Plain", type: "text", content: "Thanks for your order!" })).variables).toEqual([]);
    const data = await created(m.owner, { name: "Mixed", type: "text", content: "{{ name|there }} {{order.id}} {{name}}{{ order.id }}", variables: ["order.id", "name"] });
    expect(data.variables).toEqual(["order.id", "name"]);
  });

  it("accepts null quickReplies/buttons as none, so a template read back can be sent again", async () => {
    const m = await merchant();
    const data = await created(m.owner, { ...WELCOME, quickReplies: null, buttons: null });
    expect(data).toMatchObject({ quickReplies: null, buttons: null });
  });

  it("takes the variables from the content when they are left out", async () => {
    const m = await merchant();
    expect((await created(m.owner, { ...WELCOME, variables: undefined })).variables).toEqual(["name", "shop_name", "discount_code"]);
    expect((await created(m.owner, { name: "Defaults", type: "text", content: "Hi {{name|there}}, {{ name }} {{order.id}}" })).variables).toEqual(["name", "order.id"]);
  });

  it("refuses variables that do not list exactly the placeholders: 400 with missing and unused", async () => {
    const m = await merchant();
    const failure = expectFailure(await create(m.owner, { ...WELCOME, variables: ["name", "coupon"] }), 400, "VALIDATION_ERROR");
    expect(failure.details).toEqual({ missing: ["shop_name", "discount_code"], unused: ["coupon"] });
    const extra = expectFailure(await create(m.owner, { name: "x", type: "text", content: "no placeholders", variables: ["name"] }), 400, "VALIDATION_ERROR");
    expect(extra.details).toEqual({ missing: [], unused: ["name"] });
  });

  it("refuses a variable listed twice", async () => {
    const m = await merchant();
    const failure = expectFailure(await create(m.owner, { ...WELCOME, variables: [...WELCOME.variables, "name"] }), 400, "VALIDATION_ERROR");
    expect(failure.details).toEqual({ missing: [], unused: [], duplicates: ["name"] });
  });

  it.each([
    ["buttons on a text template", { ...WELCOME, buttons: CARD.buttons }, ["buttons"]],
    ["quickReplies on a text template", { ...WELCOME, quickReplies: QUICK_REPLY.quickReplies }, ["quickReplies"]],
    ["quickReplies on a card", { ...CARD, quickReplies: QUICK_REPLY.quickReplies }, ["quickReplies"]],
    ["buttons instead of quickReplies", { ...QUICK_REPLY, quickReplies: undefined, buttons: CARD.buttons }, ["buttons"]],
    ["21 quick replies", { ...QUICK_REPLY, quickReplies: Array.from({ length: 21 }, (_, i) => ({ label: `o${i}` })) }, ["quickReplies"]],
    ["a 37-character label", { ...QUICK_REPLY, quickReplies: [{ label: "x".repeat(37) }] }, ["quickReplies.0.label"]],
    ["an empty label", { ...QUICK_REPLY, quickReplies: [{ label: "  " }] }, ["quickReplies.0.label"]],
    ["a label used twice", { ...QUICK_REPLY, quickReplies: [{ label: "Yes" }, { label: "No" }, { label: "Yes" }] }, ["quickReplies.2.label"]],
    ["a 73-character description", { ...QUICK_REPLY, quickReplies: [{ label: "a", description: "d".repeat(73) }] }, ["quickReplies.0.description"]],
    ["1001 characters of metadata", { ...QUICK_REPLY, quickReplies: [{ label: "a", metadata: "m".repeat(1001) }] }, ["quickReplies.0.metadata"]],
    ["an unknown quick reply key", { ...QUICK_REPLY, quickReplies: [{ label: "a", url: "https://x.example" }] }, ["quickReplies.0.url"]],
    ["4 buttons", { ...CARD, buttons: [1, 2, 3, 4].map((i) => ({ label: `b${i}`, url: "https://shop.example" })) }, ["buttons"]],
    ["a button without url", { ...CARD, buttons: [{ label: "Go" }] }, ["buttons.0.url"]],
    ["an ftp button url", { ...CARD, buttons: [{ label: "Go", url: "ftp://shop.example/file" }] }, ["buttons.0.url"]],
    ["a javascript button url", { ...CARD, buttons: [{ label: "Go", url: "javascript:alert(1)" }] }, ["buttons.0.url"]],
    ["a 37-character button label", { ...CARD, buttons: [{ label: "x".repeat(37), url: "https://shop.example" }] }, ["buttons.0.label"]],
    ["no name", { ...WELCOME, name: undefined }, ["name"]],
    ["a blank name", { ...WELCOME, name: "   " }, ["name"]],
    ["a 101-character name", { ...WELCOME, name: "n".repeat(101) }, ["name"]],
    ["no content", { ...WELCOME, content: undefined, variables: [] }, ["content"]],
    ["blank content", { ...WELCOME, content: " \n ", variables: [] }, ["content"]],
    ["10,001 characters of content", { ...WELCOME, content: "c".repeat(10_001), variables: [] }, ["content"]],
    ["an unknown type", { ...WELCOME, type: "carousel" }, ["type"]],
    ["a variable name that is not one", { ...WELCOME, variables: ["name", "shop name"] }, ["variables.1"]],
    ["an unknown field", { ...WELCOME, status: "active" }, ["status"]],
  ])("refuses %s: 400 naming the field", async (_case, body, fields) => {
    const m = await merchant();
    const failure = expectFailure(await create(m.owner, body), 400, "VALIDATION_ERROR");
    expect(detailFields(failure)).toEqual(fields);
  });

  it("takes quick_reply and card templates without options (sent as their text) and with empty ones", async () => {
    const m = await merchant();
    expect(await created(m.owner, { name: "Ask", type: "quick_reply", content: "Pick one" })).toMatchObject({ type: "quick_reply", quickReplies: [], buttons: null, variables: [] });
    expect(await created(m.owner, { ...QUICK_REPLY, quickReplies: null })).toMatchObject({ type: "quick_reply", quickReplies: [] });
    expect(await created(m.owner, { ...CARD, buttons: [] })).toMatchObject({ type: "card", buttons: [], quickReplies: null });
    const listed = expectSuccess(await list(m.viewer, "?type=quick_reply"));
    expect(listed.map((t) => t.name).sort()).toEqual([QUICK_REPLY.name, "Ask"].sort());
  });

  it("keeps the limits of content, names and labels at their maximum", async () => {
    const m = await merchant();
    const data = await created(m.owner, { name: "n".repeat(100), type: "text", content: "c".repeat(10_000) });
    expect([data.name.length, data.content.length]).toEqual([100, 10_000]);
  });

  it("is for admins and owners: 403 for agents and viewers, 401 without a token", async () => {
    const m = await merchant();
    expectFailure(await create(m.agent, WELCOME), 403, "FORBIDDEN");
    expectFailure(await create(m.viewer, WELCOME), 403, "FORBIDDEN");
    expectFailure(await h.call("POST", "/templates", { token: null, body: WELCOME }), 401, "UNAUTHORIZED");
    const { rows } = await pool().query<{ n: number }>("SELECT count(*)::int AS n FROM templates WHERE merchant_id = $1", [m.merchantId]);
    expect(rows[0]?.n).toBe(0);
  });
});

describe("GET /templates", () => {
  let m: Awaited<ReturnType<typeof merchant>>;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    m = await merchant();
    // created one after the other: newest first in the list
    ids.welcome = (await created(m.owner, WELCOME)).id;
    ids.survey = (await created(m.owner, QUICK_REPLY)).id;
    ids.sale = (await created(m.owner, CARD)).id;
    ids.percent = (await created(m.owner, { name: "50% OFF week", type: "text", content: "Half price" })).id;
    ids.reminder = (await created(m.owner, { name: "Cart reminder_v2", type: "text", content: "Your cart misses you" })).id;
    const other = await merchant();
    await created(other.owner, { ...WELCOME, name: "Welcome Message of another shop" });
  });

  it("lists the merchant's templates, newest first, for every role", async () => {
    for (const token of [m.owner, m.admin, m.agent, m.viewer]) {
      const res = await list(token);
      const data = expectSuccess(res);
      expect(res.body.pagination).toEqual({ page: 1, limit: 20, total: 5, totalPages: 1 });
      expect(data.map((t) => t.id)).toEqual([ids.reminder, ids.percent, ids.sale, ids.survey, ids.welcome]);
    }
    const data = expectSuccess(await list(m.viewer));
    expect(data.find((t) => t.id === ids.survey)).toMatchObject({ type: "quick_reply", quickReplies: QUICK_REPLY.quickReplies, buttons: null });
    expect(Object.keys(data[0] ?? {}).sort()).toEqual(TEMPLATE_KEYS);
  });

  it("pages with skip and take", async () => {
    const res = await list(m.owner, "?skip=2&take=2");
    expect(expectSuccess(res).map((t) => t.id)).toEqual([ids.sale, ids.survey]);
    expect(res.body.pagination).toEqual({ page: 2, limit: 2, total: 5, totalPages: 3 });
  });

  it("filters by type", async () => {
    expect(expectSuccess(await list(m.owner, "?type=quick_reply")).map((t) => t.id)).toEqual([ids.survey]);
    expect(expectSuccess(await list(m.owner, "?type=card")).map((t) => t.id)).toEqual([ids.sale]);
    const text = await list(m.owner, "?type=text");
    expect(expectSuccess(text).map((t) => t.id)).toEqual([ids.reminder, ids.percent, ids.welcome]);
    expect(text.body.pagination?.total).toBe(3);
  });

  it("searches names case-insensitively, with % and _ as plain characters", async () => {
    expect(expectSuccess(await list(m.owner, "?search=WELCOME")).map((t) => t.id)).toEqual([ids.welcome]);
    expect(expectSuccess(await list(m.owner, `?search=${encodeURIComponent("50%")}`)).map((t) => t.id)).toEqual([ids.percent]);
    expect(expectSuccess(await list(m.owner, `?search=${encodeURIComponent("%")}`)).map((t) => t.id)).toEqual([ids.percent]);
    expect(expectSuccess(await list(m.owner, "?search=r_v")).map((t) => t.id)).toEqual([ids.reminder]);
    expect(expectSuccess(await list(m.owner, "?search=e_s")).map((t) => t.id)).toEqual([]);
    expect(expectSuccess(await list(m.owner, `?search=${encodeURIComponent("\\")}`)).map((t) => t.id)).toEqual([]);
    const both = await list(m.owner, "?type=text&search=e");
    expect(expectSuccess(both).map((t) => t.id)).toEqual([ids.reminder, ids.percent, ids.welcome]);
    expect(expectSuccess(await list(m.owner, "?type=card&search=welcome"))).toEqual([]);
  });

  it("refuses an unknown type or paging out of range: 400", async () => {
    expect(detailFields(expectFailure(await list(m.owner, "?type=carousel"), 400, "VALIDATION_ERROR"))).toEqual(["type"]);
    expect(detailFields(expectFailure(await list(m.owner, "?take=101"), 400, "VALIDATION_ERROR"))).toEqual(["take"]);
  });
});

describe("GET /templates/{templateId}", () => {
  it("answers the template to every role", async () => {
    const m = await merchant();
    const t = await created(m.owner, CARD);
    for (const token of [m.owner, m.admin, m.agent, m.viewer]) expect(expectSuccess(await get(token, t.id))).toEqual(t);
  });

  it("answers 404 for a missing id, an id that is not a UUID, and another merchant's template alike", async () => {
    const m = await merchant();
    const other = await merchant();
    const foreign = await created(other.owner, WELCOME);
    await expectHiddenLikeMissing((id) => get(m.owner, id), foreign.id);
    expectFailure(await get(m.owner, "not-a-uuid"), 404, "RESOURCE_NOT_FOUND");
  });
});

describe("PUT /templates/{templateId}", () => {
  it("renames and keeps the rest, moving updatedAt", async () => {
    const m = await merchant();
    const t = await created(m.owner, WELCOME);
    const data = expectSuccess(await update(m.admin, t.id, { name: "Updated Welcome Message" }));
    expect(data).toEqual({ ...t, name: "Updated Welcome Message", updatedAt: expect.any(String) });
    expect(Date.parse(data.updatedAt)).toBeGreaterThanOrEqual(Date.parse(t.updatedAt));
    expect(expectSuccess(await get(m.viewer, t.id))).toEqual(data);
  });

  it("takes new content's variables from it when none are given, and checks them when they are", async () => {
    const m = await merchant();
    const t = await created(m.owner, WELCOME);
    // the seed's example: the new content drops two of the listed variables
    const seed = expectSuccess(await update(m.owner, t.id, { name: "Updated Welcome Message", content: "Hello {{name}}!..." }));
    expect(seed).toMatchObject({ name: "Updated Welcome Message", content: "Hello {{name}}!...", variables: ["name"] });
    expect(expectSuccess(await update(m.owner, t.id, { content: `${WELCOME.content} {{points}}` })).variables).toEqual([...WELCOME.variables, "points"]);
    const failure = expectFailure(await update(m.owner, t.id, { content: "Hello {{name}}!", variables: ["name", "coupon"] }), 400, "VALIDATION_ERROR");
    expect(failure.details).toEqual({ missing: [], unused: ["coupon"] });
    const reordered = "{{discount_code}} for {{ name }} at {{shop_name|us}}";
    expect(expectSuccess(await update(m.owner, t.id, { content: reordered }))).toMatchObject({ content: reordered, variables: ["discount_code", "name", "shop_name"] });
    // content and variables together
    expect(expectSuccess(await update(m.owner, t.id, { content: "Hello {{name}}!", variables: ["name"] }))).toMatchObject({ content: "Hello {{name}}!", variables: ["name"] });
    expect(await templateRow(t.id)).toMatchObject({ content: "Hello {{name}}!", variables: ["name"] });
  });

  it("validates new variables against the stored content", async () => {
    const m = await merchant();
    const t = await created(m.owner, WELCOME);
    const failure = expectFailure(await update(m.owner, t.id, { variables: ["name", "shop_name"] }), 400, "VALIDATION_ERROR");
    expect(failure.details).toEqual({ missing: ["discount_code"], unused: [] });
    expect(expectSuccess(await update(m.owner, t.id, { variables: ["discount_code", "shop_name", "name"] })).variables).toEqual(["discount_code", "shop_name", "name"]);
  });

  it("changes the type only with the options of the new type, and drops the old ones", async () => {
    const m = await merchant();
    const t = await created(m.owner, WELCOME);
    expect(detailFields(expectFailure(await update(m.owner, t.id, { quickReplies: [{ label: "Yes" }] }), 400, "VALIDATION_ERROR"))).toEqual(["quickReplies"]);
    const qr = expectSuccess(await update(m.owner, t.id, { type: "quick_reply", quickReplies: [{ label: "Yes" }, { label: "No" }] }));
    expect(qr).toMatchObject({ type: "quick_reply", quickReplies: [{ label: "Yes" }, { label: "No" }], buttons: null });
    // options stay with the type when other fields change
    expect(expectSuccess(await update(m.owner, t.id, { name: "Still a survey" })).quickReplies).toEqual([{ label: "Yes" }, { label: "No" }]);
    expect(detailFields(expectFailure(await update(m.owner, t.id, { buttons: CARD.buttons }), 400, "VALIDATION_ERROR"))).toEqual(["buttons"]);
    // no options: a quick reply sent as its text
    expect(expectSuccess(await update(m.owner, t.id, { quickReplies: null })).quickReplies).toEqual([]);
    expect(expectSuccess(await update(m.owner, t.id, { type: "card" }))).toMatchObject({ type: "card", buttons: [], quickReplies: null });
    const card = expectSuccess(await update(m.owner, t.id, { type: "card", buttons: CARD.buttons }));
    expect(card).toMatchObject({ type: "card", quickReplies: null, buttons: CARD.buttons });
    expect((await templateRow(t.id))?.options).toEqual(CARD.buttons);
    const text = expectSuccess(await update(m.owner, t.id, { type: "text" }));
    expect(text).toMatchObject({ type: "text", quickReplies: null, buttons: null });
    expect((await templateRow(t.id))?.options).toEqual([]);
  });

  it("replaces the quick replies, checked as on create", async () => {
    const m = await merchant();
    const t = await created(m.owner, QUICK_REPLY);
    const dup = expectFailure(await update(m.owner, t.id, { quickReplies: [{ label: "A" }, { label: "A" }] }), 400, "VALIDATION_ERROR");
    expect(detailFields(dup)).toEqual(["quickReplies.1.label"]);
    expect(expectSuccess(await update(m.owner, t.id, { quickReplies: [{ label: "Only" }] })).quickReplies).toEqual([{ label: "Only" }]);
  });

  it("accepts a template read back as its own update", async () => {
    const m = await merchant();
    const t = await created(m.owner, QUICK_REPLY);
    const { name, type, content, variables, quickReplies, buttons } = expectSuccess(await get(m.owner, t.id));
    expect(expectSuccess(await update(m.owner, t.id, { name, type, content, variables, quickReplies, buttons }))).toEqual({ ...t, updatedAt: expect.any(String) });
  });

  it("refuses invalid fields with 400 and changes nothing", async () => {
    const m = await merchant();
    const t = await created(m.owner, WELCOME);
    expect(detailFields(expectFailure(await update(m.owner, t.id, { name: "" }), 400, "VALIDATION_ERROR"))).toEqual(["name"]);
    expect(detailFields(expectFailure(await update(m.owner, t.id, { content: "" }), 400, "VALIDATION_ERROR"))).toEqual(["content"]);
    expect(detailFields(expectFailure(await update(m.owner, t.id, { type: "carousel" }), 400, "VALIDATION_ERROR"))).toEqual(["type"]);
    expect(detailFields(expectFailure(await update(m.owner, t.id, { merchantId: "someone-else" }), 400, "VALIDATION_ERROR"))).toEqual(["merchantId"]);
    expect(expectSuccess(await get(m.owner, t.id))).toEqual(t);
  });

  it("is for admins and owners; another merchant's template is a 404", async () => {
    const m = await merchant();
    const t = await created(m.owner, WELCOME);
    expectFailure(await update(m.agent, t.id, { name: "x" }), 403, "FORBIDDEN");
    expectFailure(await update(m.viewer, t.id, { name: "x" }), 403, "FORBIDDEN");
    const other = await merchant();
    const foreign = await created(other.owner, WELCOME);
    await expectHiddenLikeMissing((id) => update(m.owner, id, { name: "taken over" }), foreign.id);
    expectFailure(await update(m.owner, "123", { name: "x" }), 404, "RESOURCE_NOT_FOUND");
    expect((await templateRow(foreign.id))?.name).toBe(WELCOME.name);
  });
});

describe("DELETE /templates/{templateId}", () => {
  it("deletes a template no campaign uses", async () => {
    const m = await merchant();
    const t = await created(m.owner, WELCOME);
    const res = await remove(m.admin, t.id);
    expect(expectSuccess(res)).toBeNull();
    expectFailure(await get(m.owner, t.id), 404, "RESOURCE_NOT_FOUND");
    expect(await templateRow(t.id)).toBeUndefined();
    expectFailure(await remove(m.admin, t.id), 404, "RESOURCE_NOT_FOUND");
  });

  it("refuses while an active flow sends it: 409 naming the flow; an inactive flow does not hold it", async () => {
    const m = await merchant();
    const t = await created(m.owner, WELCOME);
    const flow = (body: Record<string, unknown>) => h.call<Success<{ id: string }>>("POST", "/automation/flows", { token: m.owner, body });
    const graph = { trigger: { type: "new_follower", config: {} }, nodes: [{ id: "hi", type: "send_message", config: { templateId: t.id, delay: 0 } }], connections: [] };
    const active = expectSuccess(await flow({ name: "welcome", ...graph }));
    expectSuccess(await h.call<Success<unknown>>("POST", `/automation/flows/${active.id}/activate`, { token: m.owner }));
    const failure = expectFailure(await remove(m.admin, t.id), 409, "CONFLICT");
    expect(failure.details).toMatchObject({ field: "templateId", flowIds: [active.id] });
    expect(await templateRow(t.id)).toBeDefined();
    expectSuccess(await h.call<Success<unknown>>("POST", `/automation/flows/${active.id}/deactivate`, { token: m.owner }));
    expect(expectSuccess(await remove(m.admin, t.id))).toBeNull();
  });

  it.each(["scheduled", "running", "paused"])("refuses while a %s campaign uses it: 409 naming the campaigns, nothing changed", async (status) => {
    const m = await merchant();
    const t = await created(m.owner, WELCOME);
    const blocking = await insertTemplateCampaign(pool(), { merchantId: m.merchantId, templateId: t.id, status });
    const draft = await insertTemplateCampaign(pool(), { merchantId: m.merchantId, templateId: t.id, status: "draft" });
    const failure = expectFailure(await remove(m.owner, t.id), 409, "CONFLICT");
    expect(failure.details).toEqual({ field: "templateId", reason: expect.stringContaining("1 scheduled, running or paused campaign"), campaignIds: [blocking] });
    expect(await templateRow(t.id)).toBeDefined();
    // the refused delete released nothing
    expect(await campaignTemplate(draft)).toEqual({ template_id: t.id });
  });

  it("names every blocking campaign", async () => {
    const m = await merchant();
    const t = await created(m.owner, WELCOME);
    const ids = [
      await insertTemplateCampaign(pool(), { merchantId: m.merchantId, templateId: t.id, status: "running" }),
      await insertTemplateCampaign(pool(), { merchantId: m.merchantId, templateId: t.id, status: "paused" }),
      await insertTemplateCampaign(pool(), { merchantId: m.merchantId, templateId: t.id, status: "scheduled" }),
    ];
    await insertTemplateCampaign(pool(), { merchantId: m.merchantId, templateId: t.id, status: "completed" });
    const failure = expectFailure(await remove(m.owner, t.id), 409, "CONFLICT");
    expect(failure.details).toMatchObject({ field: "templateId", campaignIds: [...ids].sort() });
  });

  it("deletes a template that only draft, completed and cancelled campaigns use, leaving them without one", async () => {
    const m = await merchant();
    const t = await created(m.owner, WELCOME);
    const campaigns = [];
    for (const status of ["draft", "completed", "cancelled"]) campaigns.push(await insertTemplateCampaign(pool(), { merchantId: m.merchantId, templateId: t.id, status }));
    expect(expectSuccess(await remove(m.owner, t.id))).toBeNull();
    expect(await templateRow(t.id)).toBeUndefined();
    for (const id of campaigns) expect(await campaignTemplate(id)).toEqual({ template_id: null });
  });

  it("is for admins and owners; another merchant's template is a 404 and stays", async () => {
    const m = await merchant();
    const t = await created(m.owner, WELCOME);
    expectFailure(await remove(m.agent, t.id), 403, "FORBIDDEN");
    expectFailure(await remove(m.viewer, t.id), 403, "FORBIDDEN");
    expect(await templateRow(t.id)).toBeDefined();
    const other = await merchant();
    const foreign = await created(other.owner, WELCOME);
    await expectHiddenLikeMissing((id) => remove(m.owner, id), foreign.id);
    expectFailure(await remove(m.owner, "nope"), 404, "RESOURCE_NOT_FOUND");
    expect(await templateRow(foreign.id)).toBeDefined();
  });
});

describe("POST /templates/{templateId}/preview", () => {
  let m: Awaited<ReturnType<typeof merchant>>;
  let welcome: TemplateBody;
  let accountId: string;
  // the merchant's X account, whose display name shop_name falls back to
  const shopHandle = uniqueUsername("shop");

  beforeAll(async () => {
    m = await merchant();
    welcome = await created(m.owner, WELCOME);
    accountId = await insertAccount(pool(), { merchantId: m.merchantId, username: shopHandle });
  });

  const template = async (content: string) => created(m.owner, { name: "t", type: "text", content, variables: [...new Set([...content.matchAll(/\{\{\s*([A-Za-z_][A-Za-z0-9_.]*)/g)].map((x) => x[1]))] });

  it("renders the seed's example", async () => {
    const res = await preview(m.viewer, welcome.id, { variables: { name: "John", shop_name: "GoodGo Shop", discount_code: "WELCOME10" } });
    expect(expectSuccess(res)).toEqual({ rendered: "Hi John, welcome to GoodGo Shop! Use code WELCOME10 for 10% off your first order." });
  });

  it("answers 422 naming each variable with no value and no default", async () => {
    const failure = expectFailure(await preview(m.owner, welcome.id, { variables: { name: "John", shop_name: "GoodGo Shop" } }), 422, "UNPROCESSABLE_ENTITY");
    expect(failure.details).toEqual({ missing: ["discount_code"] });
    expect(failure.error).toContain("discount_code");
    const all = expectFailure(await preview(m.owner, welcome.id), 422, "UNPROCESSABLE_ENTITY");
    expect(all.details).toEqual({ missing: ["name", "discount_code"] });
  });

  it("uses defaults when nothing else has a value, without a body at all", async () => {
    const t = await template("Hi {{name|there}}, {{ note | }}see you at {{place|our shop}}.");
    expect(expectSuccess(await preview(m.owner, t.id))).toEqual({ rendered: "Hi there, see you at our shop." });
    expect(expectSuccess(await preview(m.owner, t.id, { variables: { name: "Ann", note: "new arrivals! " } }))).toEqual({ rendered: "Hi Ann, new arrivals! see you at our shop." });
  });

  it("renders values verbatim: HTML-like names, placeholders and replacement patterns in values", async () => {
    const t = await template("Hi {{name}} {{code}}");
    const name = `<b>Tom & "Jerry"</b><script>alert(1)</script>`;
    expect(expectSuccess(await preview(m.owner, t.id, { variables: { name, code: "{{code}} $& $1" } }))).toEqual({ rendered: `Hi ${name} {{code}} $& $1` });
  });

  it("renders numbers and booleans as text", async () => {
    const t = await template("{{points}} points, vip: {{vip}}, {{ratio}}");
    expect(expectSuccess(await preview(m.owner, t.id, { variables: { points: 120, vip: false, ratio: 0.5 } }))).toEqual({ rendered: "120 points, vip: false, 0.5" });
  });

  it("with a contact: the built-ins name, first_name and username", async () => {
    const contactId = await insertContactWith(pool(), { merchantId: m.merchantId, accountId, username: "tom_j", displayName: `<b>Tom & "Jerry"</b> Smith` });
    const t = await template("{{name}} | {{first_name}} | {{username}}");
    expect(expectSuccess(await preview(m.agent, t.id, { contactId }))).toEqual({ rendered: `<b>Tom & "Jerry"</b> Smith | <b>Tom | tom_j` });
    const noDisplayName = await insertContactWith(pool(), { merchantId: m.merchantId, accountId, username: "plain_user", displayName: null });
    expect(expectSuccess(await preview(m.agent, t.id, { contactId: noDisplayName }))).toEqual({ rendered: "plain_user | plain_user | plain_user" });
  });

  it("with a contact: its attributes beat the built-ins, explicit variables beat its attributes", async () => {
    const contactId = await insertContactWith(pool(), { merchantId: m.merchantId, accountId, username: "mary", displayName: "Mary Jones", attributes: { first_name: "Mimi", tier: "gold", points: 42 } });
    const t = await template("{{first_name}} {{name}} {{tier}} {{points}}");
    expect(expectSuccess(await preview(m.owner, t.id, { contactId }))).toEqual({ rendered: "Mimi Mary Jones gold 42" });
    expect(expectSuccess(await preview(m.owner, t.id, { contactId, variables: { tier: "platinum", name: "M." } }))).toEqual({ rendered: "Mimi M. platinum 42" });
    // an attribute the contact lacks is still missing
    const lacking = await template("{{tier}} {{coupon}}");
    expect(expectFailure(await preview(m.owner, lacking.id, { contactId }), 422, "UNPROCESSABLE_ENTITY").details).toEqual({ missing: ["coupon"] });
  });

  it("takes shop_name from the merchant's settings, else the X account's name, after explicit variables", async () => {
    const other = await merchant();
    const t = await created(other.owner, { name: "shop", type: "text", content: "Welcome to {{shop_name}}", variables: ["shop_name"] });
    // no setting and no account: no value
    expect(expectFailure(await preview(other.owner, t.id), 422, "UNPROCESSABLE_ENTITY").details).toEqual({ missing: ["shop_name"] });
    // the account the DM goes out from: for a contact its own, else the first one connected
    const handle = uniqueUsername("goodgo");
    const secondHandle = uniqueUsername("second");
    await insertAccount(pool(), { merchantId: other.merchantId, username: handle, connectedAt: new Date(Date.now() - 60_000) });
    const second = await insertAccount(pool(), { merchantId: other.merchantId, username: secondHandle });
    expect(expectSuccess(await preview(other.owner, t.id))).toEqual({ rendered: `Welcome to ${handle}` });
    const secondsContact = await insertContactWith(pool(), { merchantId: other.merchantId, accountId: second });
    expect(expectSuccess(await preview(other.owner, t.id, { contactId: secondsContact }))).toEqual({ rendered: `Welcome to ${secondHandle}` });
    await setShopName(pool(), { merchantId: other.merchantId, shopName: "GoodGo <Shop> & Co" });
    expect(expectSuccess(await preview(other.owner, t.id))).toEqual({ rendered: "Welcome to GoodGo <Shop> & Co" });
    expect(expectSuccess(await preview(other.owner, t.id, { variables: { shop_name: "Pop-up" } }))).toEqual({ rendered: "Welcome to Pop-up" });
    // another merchant's setting is not this one's: its own account's name
    expect(expectSuccess(await preview(m.owner, (await template("{{shop_name}}")).id))).toEqual({ rendered: shopHandle });
  });

  it("answers 404 for another merchant's contact or template, 400 for a contactId that is not a UUID or a bad value", async () => {
    const other = await merchant();
    const otherAccount = await insertAccount(pool(), { merchantId: other.merchantId });
    const foreignContact = await insertContactWith(pool(), { merchantId: other.merchantId, accountId: otherAccount });
    const t = await template("Hi {{name|there}}");
    const foreignContactRes = await preview(m.owner, t.id, { contactId: foreignContact });
    const missingContactId = randomUUID();
    const missingContactRes = await preview(m.owner, t.id, { contactId: missingContactId });
    expectFailure(foreignContactRes, 404, "RESOURCE_NOT_FOUND");
    expect(foreignContactRes.text.replaceAll(foreignContact, ":id")).toBe(missingContactRes.text.replaceAll(missingContactId, ":id"));
    const foreignTemplate = await created(other.owner, { name: "x", type: "text", content: "Hello" });
    await expectHiddenLikeMissing((id) => preview(m.owner, id, {}), foreignTemplate.id);
    expect(detailFields(expectFailure(await preview(m.owner, t.id, { contactId: "abc" }), 400, "VALIDATION_ERROR"))).toEqual(["contactId"]);
    expect(detailFields(expectFailure(await preview(m.owner, t.id, { variables: { name: { first: "x" } } }), 400, "VALIDATION_ERROR"))).toEqual(["variables.name"]);
    expect(detailFields(expectFailure(await preview(m.owner, t.id, { vars: {} }), 400, "VALIDATION_ERROR"))).toEqual(["vars"]);
  });

  it("is open to every role, and closed without a token", async () => {
    const t = await template("Hello");
    for (const token of [m.owner, m.admin, m.agent, m.viewer]) expect(expectSuccess(await preview(token, t.id))).toEqual({ rendered: "Hello" });
    expectFailure(await h.call("POST", `/templates/${t.id}/preview`, { token: null, body: {} }), 401, "UNAUTHORIZED");
  });
});
