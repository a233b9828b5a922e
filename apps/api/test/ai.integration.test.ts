// The AI chatbot as a REST client sees it: message (intent, slots, escalation), context, escalate
// and settings, with the embedded NLU by default and an OpenAI-compatible fake for the openai
// provider; roles, validation and tenant isolation.
import { randomUUID } from "node:crypto";
import Fastify, { type FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOpenAiProvider } from "@mkt-x/core/server";
import { AI_INTENTS } from "@mkt-x/core";
import { startHarness, type ApiInstance, type Harness } from "./harness.ts";
import { insertAccount, insertContact, insertConversation, newMerchant, type Success } from "./factories.ts";
import { detailFields, expectFailure, expectSuccess } from "./envelope-assertions.ts";

interface MessageBody {
  intent: string;
  confidence: number;
  response: string;
  slots: Record<string, string>;
  requiresEscalation: boolean;
}
interface ContextBody {
  sessionId: string | null;
  context: Array<{ role: string; content: string }>;
  currentIntent: string | null;
  slots: Record<string, string>;
  escalated: boolean;
  escalationReason: string | null;
  escalatedAt: string | null;
}
interface SettingsBody {
  enabled: boolean;
  model: string;
  temperature: number;
  maxTokens: number;
  autoEscalationThreshold: number;
  systemPrompt: string | null;
  updatedAt: string | null;
}

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

async function conversation(merchantId: string = h.defaultMerchant): Promise<string> {
  const pool = h.database.pool;
  const accountId = await insertAccount(pool, { merchantId });
  const contactId = await insertContact(pool, { merchantId, accountId });
  return insertConversation(pool, { merchantId, accountId, contactId });
}

const send = async (conversationId: string, message: string, opts: { token?: string; base?: string } = {}) =>
  h.call<Success<MessageBody>>("POST", `${opts.base ?? h.base}/ai/conversations/${conversationId}/message`, { token: opts.token, body: { message } });
const context = async (conversationId: string, token?: string) => h.call<Success<ContextBody>>("GET", `/ai/conversations/${conversationId}/context`, { token });

describe("POST /ai/conversations/{id}/message (embedded NLU)", () => {
  it("answers the seed example: order status with the order id", async () => {
    const id = await conversation();
    const data = expectSuccess(await send(id, "What's the status of my order #12345?"));
    expect(Object.keys(data).sort()).toEqual(["confidence", "intent", "requiresEscalation", "response", "slots", "sources"]);
    // without an order endpoint (ai-answers.integration.test.ts has one) the bot hands the order over
    expect(data).toMatchObject({ intent: "order_status_query", slots: { orderId: "12345" }, requiresEscalation: true, sources: [] });
    expect(data.confidence).toBeGreaterThanOrEqual(0.9);
    expect(data.response).toContain("12345");
  });

  it("keeps the context: user and assistant turns accumulate and slots carry over", async () => {
    const id = await conversation();
    const before = expectSuccess(await context(id));
    expect(before).toEqual({ sessionId: null, context: [], currentIntent: null, slots: {}, escalated: false, escalationReason: null, escalatedAt: null });

    const first = expectSuccess(await send(id, "What's the status of my order?"));
    expect(first).toMatchObject({ intent: "order_status_query", slots: {}, requiresEscalation: false });
    expect(first.response).toMatch(/order number/i);
    const second = expectSuccess(await send(id, "12345"));
    expect(second).toMatchObject({ intent: "order_status_query", slots: { orderId: "12345" } });

    const after = expectSuccess(await context(id));
    expect(after.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(after.context).toEqual([
      { role: "user", content: "What's the status of my order?" },
      { role: "assistant", content: first.response },
      { role: "user", content: "12345" },
      { role: "assistant", content: second.response },
    ]);
    expect(after).toMatchObject({ currentIntent: "order_status_query", slots: { orderId: "12345" }, escalated: true });

    const third = expectSuccess(await send(id, "hello"));
    expect(third).toMatchObject({ intent: "greeting", slots: {} });
    expect(expectSuccess(await context(id))).toMatchObject({ currentIntent: "greeting", slots: { orderId: "12345" } });
    const { rows } = await h.database.pool.query<{ n: string }>(`SELECT count(*) AS n FROM ai_sessions WHERE conversation_id = $1`, [id]);
    expect(rows[0]?.n).toBe("1");
  });

  it("keeps only the last 50 turns", async () => {
    const id = await conversation();
    const turns = Array.from({ length: 52 }, (_, i) => [{ role: "user", content: `old ${i}` }, { role: "assistant", content: `reply ${i}` }]).flat();
    await h.database.pool.query(`INSERT INTO ai_sessions (merchant_id, conversation_id, context) VALUES ($1, $2, $3::jsonb)`, [h.defaultMerchant, id, JSON.stringify(turns)]);
    expectSuccess(await send(id, "hi"));
    const ctx = expectSuccess(await context(id));
    expect(ctx.context).toHaveLength(50);
    expect(ctx.context[48]).toEqual({ role: "user", content: "hi" });
  });

  it("escalates on low confidence, and stays escalated", async () => {
    const id = await conversation();
    const data = expectSuccess(await send(id, "blorp zzzt qwerty"));
    expect(data).toMatchObject({ intent: "unknown", requiresEscalation: true });
    expect(data.confidence).toBeLessThan(0.6);
    expect(expectSuccess(await context(id))).toMatchObject({ escalated: true, escalationReason: "low_confidence" });
    // a confident message later still requires a human: the session was handed over
    expect(expectSuccess(await send(id, "hello"))).toMatchObject({ intent: "greeting", requiresEscalation: true });
  });

  it("escalates when the customer asks for a human (English and Vietnamese)", async () => {
    const id = await conversation();
    expect(expectSuccess(await send(id, "I want to talk to a real person"))).toMatchObject({ intent: "human_request", requiresEscalation: true });
    const ctx = expectSuccess(await context(id));
    expect(ctx).toMatchObject({ escalated: true, escalationReason: "human_request" });
    expect(ctx.escalatedAt).not.toBeNull();
    const vi = await conversation();
    expect(expectSuccess(await send(vi, "Cho tôi gặp người thật"))).toMatchObject({ intent: "human_request", requiresEscalation: true });
  });

  it("follows the merchant's autoEscalationThreshold", async () => {
    const merchantId = newMerchant();
    const owner = await h.token({ merchantId, role: "owner" });
    expectSuccess(await h.call<Success<SettingsBody>>("PUT", "/ai/settings", { token: owner, body: { autoEscalationThreshold: 0 } }));
    const id = await conversation(merchantId);
    expect(expectSuccess(await send(id, "blorp zzzt", { token: owner }))).toMatchObject({ intent: "unknown", requiresEscalation: false });
    expectSuccess(await h.call<Success<SettingsBody>>("PUT", "/ai/settings", { token: owner, body: { autoEscalationThreshold: 1 } }));
    expect(expectSuccess(await send(id, "hello", { token: owner }))).toMatchObject({ intent: "greeting", requiresEscalation: true });
  });

  it("refuses an empty, missing, too long or extra-field message with 400", async () => {
    const id = await conversation();
    for (const body of [{}, { message: "" }, { message: "   " }, { message: "x".repeat(10_001) }, { message: "hi", extra: 1 }, { message: 42 }]) {
      const res = await h.call("POST", `/ai/conversations/${id}/message`, { body });
      expectFailure(res, 400, "VALIDATION_ERROR");
    }
    // as long as a DM can be is fine
    const longest = await h.call("POST", `/ai/conversations/${id}/message`, { body: { message: `where is my order #12345 ${"x".repeat(9_975)}` } });
    expect(longest.status).toBe(200);
  });
});

describe("POST /ai/conversations/{id}/message: messages as customers write them", () => {
  const expectAnswer = (data: MessageBody) => {
    expect(AI_INTENTS).toContain(data.intent);
    expect(data.confidence).toBeGreaterThanOrEqual(0);
    expect(data.confidence).toBeLessThanOrEqual(1);
    expect(data.response.trim().length).toBeGreaterThan(0);
    // an answer, not the message read back
    expect(data.response.length).toBeLessThan(500);
    for (const value of Object.values(data.slots)) expect(typeof value).toBe("string");
  };

  it.each([
    ["10,000 characters of text around an order question", `Where is my order #12345? ${"tôi đang chờ hàng rất lâu rồi ".repeat(400)}`.slice(0, 10_000), { intent: "order_status_query", slots: { orderId: "12345" } }],
    ["10,000 characters of emoji", "😀".repeat(5_000), { intent: "unknown" }],
    ["10,000 characters without a space", "a".repeat(10_000), { intent: "unknown" }],
    ["emoji only", "🙏😭🔥", { intent: "unknown" }],
    ["mixed scripts", "Привет! 你好 مرحبا xin chào shop, áo này còn size M không? 🙏", { intent: "product_availability", slots: { size: "M" } }],
    ["combining marks and right-to-left marks", "\u202eshop\u202c a\u0301\u0323\u0301 ?", {}],
    ["zero-width characters inside words", "ref\u200bund p\u200dlease", {}],
  ])("answers %s", async (_name, message, expected) => {
    expect(message.length).toBeLessThanOrEqual(10_000);
    const id = await conversation();
    const data = expectSuccess(await send(id, message));
    expectAnswer(data);
    expect(data).toMatchObject(expected);
    // the turn is kept as written
    expect(expectSuccess(await context(id)).context[0]).toEqual({ role: "user", content: message.trim() });
  });

  it("refuses a NUL character or a lone surrogate with 400, storing nothing", async () => {
    const id = await conversation();
    for (const message of ["hi\u0000there", "where is \uD83D my order"]) expectFailure(await send(id, message), 400, "VALIDATION_ERROR");
    expect(expectSuccess(await context(id)).context).toEqual([]);
  });
});

describe("POST /ai/conversations/{id}/escalate", () => {
  it("marks the session escalated with the reason and answers the session", async () => {
    const id = await conversation();
    expectSuccess(await send(id, "What's the status of my order #777?"));
    const agent = await h.token({ role: "agent" });
    const data = expectSuccess(await h.call<Success<ContextBody>>("POST", `/ai/conversations/${id}/escalate`, { token: agent, body: { reason: "complex_query" } }));
    expect(data).toMatchObject({ escalated: true, escalationReason: "complex_query", currentIntent: "order_status_query", slots: { orderId: "777" } });
    expect(data.context).toHaveLength(2);
    expect(data.escalatedAt).not.toBeNull();
    expect(expectSuccess(await send(id, "order 777 please"))).toMatchObject({ requiresEscalation: true });
  });

  it("creates the session when there is none", async () => {
    const id = await conversation();
    const data = expectSuccess(await h.call<Success<ContextBody>>("POST", `/ai/conversations/${id}/escalate`, { body: { reason: "vip" } }));
    expect(data).toMatchObject({ context: [], escalated: true, escalationReason: "vip" });
    expect(data.sessionId).not.toBeNull();
  });

  it("escalates without a reason, with no body or an empty one, replacing an earlier reason", async () => {
    const id = await conversation();
    expect(expectSuccess(await h.call<Success<ContextBody>>("POST", `/ai/conversations/${id}/escalate`, { body: { reason: "vip" } })).escalationReason).toBe("vip");
    const agent = await h.token({ role: "agent" });
    for (const body of [undefined, {}]) {
      const data = expectSuccess(await h.call<Success<ContextBody>>("POST", `/ai/conversations/${id}/escalate`, { token: agent, body }));
      expect(data).toMatchObject({ escalated: true, escalationReason: null });
      expect(data.escalatedAt).not.toBeNull();
    }
    const fresh = await conversation();
    expect(expectSuccess(await h.call<Success<ContextBody>>("POST", `/ai/conversations/${fresh}/escalate`))).toMatchObject({ escalated: true, escalationReason: null });
    expect(expectSuccess(await context(fresh))).toMatchObject({ escalated: true, escalationReason: null });
  });

  it("wants a reason, when given, of 1 to 200 characters", async () => {
    const id = await conversation();
    for (const body of [{ reason: "" }, { reason: "   " }, { reason: null }, { reason: 42 }, { reason: "x".repeat(201) }, { reason: "ok", other: true }]) {
      expectFailure(await h.call("POST", `/ai/conversations/${id}/escalate`, { body }), 400, "VALIDATION_ERROR");
    }
  });
});

describe("AI settings", () => {
  it("takes an https order endpoint at a public address only (the outgoing webhooks' rule)", async () => {
    const owner = await h.token({ merchantId: newMerchant() });
    for (const orderLookupUrl of ["https://127.0.0.1/orders", "https://169.254.169.254/latest", "https://[::1]/x", "https://10.0.0.8/orders", "http://93.184.215.14/orders"]) {
      const failure = expectFailure(await h.call("PUT", "/ai/settings", { token: owner, body: { orderLookupUrl } }), 400, "VALIDATION_ERROR");
      expect(detailFields(failure), orderLookupUrl).toEqual(["orderLookupUrl"]);
    }
    const saved = expectSuccess(await h.call<Success<SettingsBody & { orderLookupUrl: string | null; orderLookupSecret?: string }>>("PUT", "/ai/settings", { token: owner, body: { orderLookupUrl: "https://93.184.215.14/orders", replyMode: "draft" } }));
    expect(saved).toMatchObject({ orderLookupUrl: "https://93.184.215.14/orders", replyMode: "draft" });
    expect(saved.orderLookupSecret).toMatch(/^olsec_/);
    expectFailure(await h.call("PUT", "/ai/settings", { token: owner, body: { replyMode: "sometimes" } }), 400, "VALIDATION_ERROR");
  });

  it("reads the defaults, updates some fields and keeps the others", async () => {
    const merchantId = newMerchant();
    const owner = await h.token({ merchantId });
    expect(expectSuccess(await h.call<Success<SettingsBody>>("GET", "/ai/settings", { token: owner }))).toEqual({
      enabled: false, model: "gpt-4o-mini", temperature: 0.7, maxTokens: 500, autoEscalationThreshold: 0.6, systemPrompt: null, replyMode: "auto", orderLookupUrl: null, updatedAt: null,
    });
    const body = { enabled: true, model: "gpt-4", temperature: 0.2, maxTokens: 300, autoEscalationThreshold: 0.5, systemPrompt: "You are a helpful customer service assistant for GoodGo Shop..." };
    const saved = expectSuccess(await h.call<Success<SettingsBody>>("PUT", "/ai/settings", { token: await h.token({ merchantId, role: "admin" }), body }));
    expect(saved).toMatchObject(body);
    expect(saved.updatedAt).not.toBeNull();
    const partial = expectSuccess(await h.call<Success<SettingsBody>>("PUT", "/ai/settings", { token: owner, body: { enabled: false, systemPrompt: null } }));
    expect(partial).toMatchObject({ ...body, enabled: false, systemPrompt: null });
    const viewer = await h.token({ merchantId, role: "viewer" });
    expect(expectSuccess(await h.call<Success<SettingsBody>>("GET", "/ai/settings", { token: viewer }))).toMatchObject({ model: "gpt-4", enabled: false });
    // another merchant still sees its defaults
    expect(expectSuccess(await h.call<Success<SettingsBody>>("GET", "/ai/settings", { token: await h.token({ merchantId: newMerchant() }) })).updatedAt).toBeNull();
  });

  it.each([
    ["temperature", { temperature: 3 }],
    ["temperature", { temperature: -0.1 }],
    ["maxTokens", { maxTokens: 0 }],
    ["maxTokens", { maxTokens: 4001 }],
    ["maxTokens", { maxTokens: 1.5 }],
    ["autoEscalationThreshold", { autoEscalationThreshold: 1.5 }],
    ["systemPrompt", { systemPrompt: "x".repeat(4001) }],
    ["enabled", { enabled: "yes" }],
    ["model", { model: "" }],
  ])("refuses a bad %s with 400", async (field, body) => {
    const failure = expectFailure(await h.call("PUT", "/ai/settings", { body }), 400, "VALIDATION_ERROR");
    expect(detailFields(failure).join(",")).toContain(field);
  });

  it("refuses an unknown field with 400", async () => {
    expectFailure(await h.call("PUT", "/ai/settings", { body: { temperature: 0.5, provider: "x" } }), 400, "VALIDATION_ERROR");
  });
});

describe("roles and tenants", () => {
  it("answers 404 for a malformed, unknown or another merchant's conversation", async () => {
    const foreign = await conversation(newMerchant());
    for (const id of ["not-a-uuid", randomUUID(), foreign]) {
      expectFailure(await send(id, "hello"), 404, "RESOURCE_NOT_FOUND");
      expectFailure(await context(id), 404, "RESOURCE_NOT_FOUND");
      expectFailure(await h.call("POST", `/ai/conversations/${id}/escalate`, { body: { reason: "x" } }), 404, "RESOURCE_NOT_FOUND");
    }
    const { rows } = await h.database.pool.query(`SELECT 1 FROM ai_sessions WHERE conversation_id = $1`, [foreign]);
    expect(rows).toHaveLength(0);
  });

  it("lets agents work the inbox, not change settings; viewers only read settings and contexts", async () => {
    const id = await conversation();
    const agent = await h.token({ role: "agent" });
    const viewer = await h.token({ role: "viewer" });
    expectSuccess(await send(id, "hi", { token: agent }));
    expectSuccess(await context(id, agent));
    expectFailure(await send(id, "hi", { token: viewer }), 403, "FORBIDDEN");
    expect(expectSuccess(await context(id, viewer)).context).toHaveLength(2);
    expectFailure(await h.call("POST", `/ai/conversations/${id}/escalate`, { token: viewer, body: { reason: "x" } }), 403, "FORBIDDEN");
    expectFailure(await h.call("PUT", "/ai/settings", { token: agent, body: { enabled: true } }), 403, "FORBIDDEN");
    expectFailure(await h.call("PUT", "/ai/settings", { token: viewer, body: { enabled: true } }), 403, "FORBIDDEN");
    expectSuccess(await h.call<Success<SettingsBody>>("GET", "/ai/settings", { token: viewer }));
    expectFailure(await h.call("GET", "/ai/settings", { token: null }), 401, "UNAUTHORIZED");
  });
});

describe("openai provider against a local OpenAI-compatible server", () => {
  const KEY = `sk-test-${randomUUID()}`;
  let fake: FastifyInstance;
  let api: ApiInstance;
  let mode: "ok" | "fail" | "hang" | "garbage" = "ok";
  const seen: Array<{ auth: string | undefined; body: Record<string, unknown> }> = [];

  beforeAll(async () => {
    fake = Fastify({ forceCloseConnections: true });
    fake.post("/v1/chat/completions", async (req, reply) => {
      const body = req.body as Record<string, unknown>;
      seen.push({ auth: req.headers.authorization, body });
      if (mode === "fail") return reply.code(500).send({ error: { message: `upstream exploded for ${KEY}`, type: "server_error" } });
      if (mode === "hang") await new Promise((r) => setTimeout(r, 3000));
      const content = mode === "garbage" ? "not json" : JSON.stringify({ intent: "order_status_query", confidence: 0.93, response: "Order #555 ships tomorrow.", slots: [{ name: "orderId", value: "555" }], sources: [{ type: "order", id: "555" }] });
      return { id: "c1", object: "chat.completion", created: 1, model: String(body.model), usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 }, choices: [{ index: 0, finish_reason: "stop", message: { role: "assistant", refusal: null, content } }] };
    });
    await fake.listen({ port: 0, host: "127.0.0.1" });
    const address = fake.server.address();
    const port = typeof address === "object" && address ? address.port : 0;
    // the operator offers two models (AI_MODELS); the provider knows the same list
    const models = ["gpt-test-mini", "gpt-test-large"];
    api = await h.startInstance({ ai: createOpenAiProvider({ apiKey: KEY, baseURL: `http://127.0.0.1:${port}/v1`, timeoutMs: 500, maxRetries: 0, models }), aiModels: models });
  });
  afterAll(async () => {
    await fake?.close();
  });

  it("sends the merchant's model, temperature, max tokens, system prompt and the bearer key; answers the structured result", async () => {
    const merchantId = newMerchant();
    const owner = await h.token({ merchantId });
    const settings = { model: "gpt-test-mini", temperature: 0.3, maxTokens: 256, systemPrompt: "You are GoodGo Shop's assistant." };
    expectSuccess(await h.call<Success<SettingsBody>>("PUT", `${api.base}/ai/settings`, { token: owner, body: settings }));
    const id = await conversation(merchantId);
    mode = "ok";
    seen.length = 0;
    const res = await send(id, "where is order 555?", { token: owner, base: api.base });
    // the model cannot cite an order the shop was not asked about, and without an order endpoint a person answers
    expect(expectSuccess(res)).toEqual({ intent: "order_status_query", confidence: 0.93, response: "Order #555 ships tomorrow.", slots: { orderId: "555" }, requiresEscalation: true, sources: [] });
    expect(res.text).not.toContain(KEY);
    expect(seen).toHaveLength(1);
    const req = seen[0];
    expect(req?.auth).toBe(`Bearer ${KEY}`);
    expect(req?.body).toMatchObject({ model: "gpt-test-mini", temperature: 0.3, max_tokens: 256, response_format: { type: "json_schema" } });
    const messages = req?.body.messages as Array<{ role: string; content: string }>;
    expect(messages[0]).toEqual({ role: "system", content: settings.systemPrompt });
    expect(messages[messages.length - 1]).toEqual({ role: "user", content: "where is order 555?" });
    expect(expectSuccess(await context(id, owner))).toMatchObject({ currentIntent: "order_status_query", slots: { orderId: "555" } });
  });

  it("offers only the operator's models (AI_MODELS); a model stored before the list narrowed is answered by the first offered", async () => {
    const merchantId = newMerchant();
    const owner = await h.token({ merchantId });
    const refused = expectFailure(await h.call("PUT", `${api.base}/ai/settings`, { token: owner, body: { model: "gpt-4" } }), 400, "VALIDATION_ERROR");
    expect(refused.error).toContain("gpt-test-mini, gpt-test-large");
    expect(detailFields(refused)).toContain("model");
    expect(expectSuccess(await h.call<Success<SettingsBody>>("GET", `${api.base}/ai/settings`, { token: owner })).model).toBe("gpt-4o-mini");
    expect(expectSuccess(await h.call<Success<SettingsBody>>("PUT", `${api.base}/ai/settings`, { token: owner, body: { model: "gpt-test-large" } })).model).toBe("gpt-test-large");
    // the default setting (gpt-4o-mini) is not offered here: the request goes out with the first offered model
    const other = newMerchant();
    const id = await conversation(other);
    mode = "ok";
    seen.length = 0;
    expectSuccess(await send(id, "hello", { token: await h.token({ merchantId: other }), base: api.base }));
    expect(seen.map((s) => s.body.model)).toEqual(["gpt-test-mini"]);
  });

  it.each(["fail", "hang", "garbage"] as const)("answers 502 AI_SERVICE_ERROR when the provider %s, without the key", async (m) => {
    const id = await conversation();
    mode = m;
    const res = await send(id, "hello", { base: api.base });
    const failure = expectFailure(res, 502, "AI_SERVICE_ERROR");
    expect(failure.error).toMatch(/AI/);
    expect(res.text).not.toContain(KEY);
    expect(res.text).not.toContain("upstream exploded");
    // nothing was recorded for the failed turn
    expect(expectSuccess(await context(id)).context).toEqual([]);
  });
});
