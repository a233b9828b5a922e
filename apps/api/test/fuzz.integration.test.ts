// Schema-driven fuzzing (issue 11): every REST operation of the OpenAPI document the API serves,
// called over HTTP as the owner of a seeded merchant with inputs generated from the operation's own
// schemas: valid-looking ones, and malformed ones (wrong types, missing fields, huge and hostile
// strings, out-of-range numbers, extra properties, broken JSON, bad path ids and query values).
// Whatever comes in: never a 5xx, every refusal is the error envelope with a documented code, and a
// refused request leaves every table as it was. The operations come from the document, so a route
// added later is fuzzed without touching this file; a path parameter this file has no fixture for
// fails the run until one is seeded. Reproduce a failure with FUZZ_SEED=<the seed it prints>.
import { createHmac } from "node:crypto";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONSUMER_SECRET, startHarness, type ApiResponse, type Harness } from "./harness.ts";
import { createOwner, connectAccount, uniqueUsername, insertInboxContact, insertInboxConversation, insertInboxMessage, PASSWORD, signIn, uniqueEmail, type Success } from "./factories.ts";
import { expectNoInternals } from "./envelope-assertions.ts";

const SEED = Number(process.env.FUZZ_SEED ?? 1_206_2026);
/** FUZZ_ONLY="POST /webhooks/twitter": that operation alone (its seeds stay the same), its failures printed whole */
const ONLY = process.env.FUZZ_ONLY;
/** fast-check runs per operation: valid-looking inputs, then malformed ones (FUZZ_SCALE=10 digs deeper, locally) */
const SCALE = Number(process.env.FUZZ_SCALE ?? 1);
const VALID_RUNS = 4 * SCALE;
const MALFORMED_RUNS = 11 * SCALE;
const SEEDED_WEBHOOK_HOST = "hooks.example.com";
const METHODS = ["get", "post", "put", "patch", "delete"] as const;
/**
 * Tables a refused request may legitimately write: the per-merchant request counter (every request
 * counts, refused or not, and it prunes itself at random) and the failed sign-ins that lock an
 * email (a refused sign-in is exactly what it records).
 */
const BOOKKEEPING_TABLES = new Set(["_prisma_migrations", "api_rate_limits", "login_failures"]);

interface Schema {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  propertyNames?: Schema;
  items?: Schema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  enum?: unknown[];
  const?: unknown;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
}
interface Parameter {
  name: string;
  in: "path" | "query" | "header";
  required?: boolean;
  schema?: Schema;
}
interface Operation {
  method: (typeof METHODS)[number];
  path: string;
  parameters: Parameter[];
  body: { contentType: string; schema: Schema; required: boolean; example?: string } | null;
  /** the 2xx answer is the success envelope `{ success: true, data }` */
  envelopedSuccess: boolean;
  public: boolean;
}
interface Doc {
  paths: Record<string, Record<string, unknown>>;
  components?: { schemas?: Record<string, Schema> };
}

/** What one generated request carries; `raw` bodies are sent as they are. */
interface Input {
  kind: string;
  path: Record<string, string>;
  query: Array<[string, string]>;
  headers: Record<string, string>;
  body?: { json: unknown } | { raw: string; contentType: string };
}

let h: Harness;
let doc: Doc;
let operations: Operation[] = [];
let token: string;
/** ids of the seeded merchant's resources, by the name a parameter or field gives them */
let fixtures: Record<string, string> = {};
let countsSql = "";

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

beforeAll(async () => {
  // no name is looked up on the network: the seeded subscription's host is public, every other host
  // resolves to nothing (so an attachment or order-lookup URL is refused before anything is fetched)
  const resolveHost = async (host: string) => (host === SEEDED_WEBHOOK_HOST ? [{ address: "93.184.216.34", family: 4 as const }] : []);
  h = await startHarness({ signupEnabled: true, webhookTargets: { allowPrivate: false, resolve: resolveHost } });
  const res = await h.call<Doc>("GET", "/openapi.json", { token: null });
  expect(res.status).toBe(200);
  doc = res.body;
  operations = Object.entries(doc.paths).flatMap(([path, item]) => METHODS.filter((m) => isObj(item[m])).map((method) => operationOf(path, method, item[method] as Record<string, unknown>)));
  await seed();
  const { rows } = await h.database.pool.query<{ name: string }>("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1");
  const tables = rows.map((r) => r.name).filter((t) => !BOOKKEEPING_TABLES.has(t));
  countsSql = `SELECT json_build_object(${tables.map((t) => `'${t}', (SELECT count(*) FROM "${t}")`).join(", ")}) AS counts`;
}, 120_000);
afterAll(async () => {
  await h?.close();
});

function resolve(schema: Schema | undefined): Schema {
  if (!schema) return {};
  if (schema.$ref) {
    const name = schema.$ref.replace("#/components/schemas/", "");
    return resolve(doc.components?.schemas?.[name]);
  }
  return schema;
}

function operationOf(path: string, method: Operation["method"], op: Record<string, unknown>): Operation {
  const parameters = (Array.isArray(op.parameters) ? op.parameters : []) as Parameter[];
  let body: Operation["body"] = null;
  const requestBody = isObj(op.requestBody) ? op.requestBody : null;
  if (requestBody && isObj(requestBody.content)) {
    const [contentType, media] = Object.entries(requestBody.content)[0] ?? [];
    if (contentType && isObj(media)) body = { contentType, schema: resolve(media.schema as Schema), required: requestBody.required === true, ...(typeof media.example === "string" ? { example: media.example } : {}) };
  }
  const responses = isObj(op.responses) ? op.responses : {};
  const ok = Object.entries(responses).find(([status]) => status.startsWith("2"))?.[1];
  const okSchema = isObj(ok) && isObj(ok.content) && isObj(ok.content["application/json"]) ? resolve(ok.content["application/json"].schema as Schema) : {};
  return { method, path, parameters, body, envelopedSuccess: okSchema.required?.includes("success") === true, public: Array.isArray(op.security) && op.security.length === 0 };
}

/** One merchant with one of everything, made through the API as its owner would. */
async function seed(): Promise<void> {
  const owner = await createOwner(h);
  token = await h.token({ merchantId: owner.merchantId, sub: owner.userId, role: "owner" });
  const post = async <T extends object = { id: string }>(path: string, body: unknown): Promise<T> => {
    const res = await h.call<Success<T>>("POST", path, { token, body });
    if (res.status !== 200) throw new Error(`seeding ${path}: ${res.status} ${res.text}`);
    return res.body.data;
  };
  const pool = h.database.pool;
  const { account } = await connectAccount(h, { token });
  const contactId = await insertInboxContact(pool, { merchantId: owner.merchantId, accountId: account.id });
  const conversationId = await insertInboxConversation(pool, { merchantId: owner.merchantId, accountId: account.id, contactId });
  const messageId = await insertInboxMessage(pool, { merchantId: owner.merchantId, accountId: account.id, conversationId, contactId, content: "Do you ship abroad?" });
  await post(`/contacts/${contactId}/tags`, { tags: ["vip"] });
  const templateId = (await post("/templates", { name: "Fuzz welcome", type: "text", content: "Hi {{name}}", variables: ["name"] })).id;
  const segmentId = (await post("/segments", { name: "Everyone", conditions: [] })).id;
  const campaignId = (await post("/campaigns", { name: "Fuzz campaign", templateId, segmentIds: [segmentId], accountId: account.id })).id;
  const flowId = (await post("/automation/flows", { name: "Fuzz flow", trigger: { type: "manual", config: {} }, nodes: [{ id: "tag", type: "add_tag", config: { tag: "fuzzed" } }, { id: "done", type: "end", config: {} }], connections: [{ fromNodeId: "tag", toNodeId: "done" }] })).id;
  const webhookId = (await post("/integrations/webhooks", { url: `https://${SEEDED_WEBHOOK_HOST}/fuzz`, events: ["message.created"] })).id;
  const userId = (await post("/team/users", { email: uniqueEmail("agent"), name: "Fuzz Agent", role: "agent", password: PASSWORD })).id;
  const { inviteToken } = await post<{ inviteToken: string }>("/team/users", { email: uniqueEmail("invited"), name: "Invited", role: "viewer" });
  const apiKeyId = (await post("/api-keys", { name: "fuzz key", role: "viewer" })).id;
  const faqId = (await post("/ai/knowledge/faqs", { question: "Do you ship abroad?", answer: "Yes, to 30 countries." })).id;
  const productId = (await post("/ai/knowledge/products", { sku: "FUZZ-1", name: "Fuzz jacket", price: 59.9, currency: "USD" })).id;
  const { authorizeUrl } = await post<{ authorizeUrl: string }>("/accounts/oauth/start", {});
  const { rows: deliveries } = await pool.query<{ id: string }>(
    `INSERT INTO webhook_deliveries (merchant_id, subscription_id, event_id, event_type, body, status, attempts, retry_until)
     VALUES ($1, $2, 1, 'message.created', '{}', 'failed', 1, now() + interval '1 day') RETURNING id`,
    [owner.merchantId, webhookId],
  );
  const { rows: suggestions } = await pool.query<{ id: string }>(
    `INSERT INTO ai_suggestions (merchant_id, conversation_id, source_message_id, content, intent, confidence) VALUES ($1, $2, $3, 'We ship to 30 countries.', 'shipping', 0.9) RETURNING id`,
    [owner.merchantId, conversationId, messageId],
  );
  const { refreshToken } = await signIn(h, owner.email);
  // an X user not connected yet: POST /accounts with its tokens connects it (once)
  const unconnected = h.sandbox.addUser({ username: uniqueUsername("fuzz") });
  fixtures = {
    accountId: account.id,
    contactId,
    conversationId,
    messageId,
    tagName: "vip",
    templateId,
    segmentId,
    campaignId,
    flowId,
    webhookId,
    userId,
    apiKeyId,
    faqId,
    productId,
    deliveryId: deliveries[0]?.id ?? "",
    suggestionId: suggestions[0]?.id ?? "",
    inviteToken,
    refreshToken,
    email: owner.email,
    password: PASSWORD,
    oauthToken: unconnected.accessToken,
    oauthTokenSecret: unconnected.accessSecret,
    oauth_token: new URL(authorizeUrl).searchParams.get("oauth_token") ?? "",
  };
}

/** The fixture a path parameter names; `{id}` is named by the collection it follows. */
function fixtureFor(op: Operation, param: string): string {
  if (param !== "id") return fixtures[param] ?? "";
  if (op.path.startsWith("/integrations/webhooks")) return fixtures.webhookId ?? "";
  if (op.path.startsWith("/api-keys")) return fixtures.apiKeyId ?? "";
  return "";
}

// ---------- generators from JSON Schema ----------

const uuidPool = () => Object.values(fixtures).filter((v) => /^[0-9a-f]{8}-[0-9a-f]{4}-/.test(v));
const ISO_RANGE = { min: new Date("2020-01-01T00:00:00Z"), max: new Date("2035-12-31T00:00:00Z"), noInvalidDate: true };

/** Valid-looking values for a schema; fields named like a fixture mostly get the fixture. */
function valueOf(raw: Schema | undefined, name = "", depth = 0): fc.Arbitrary<unknown> {
  const schema = resolve(raw);
  const fixture = fixtures[name];
  const generic = genericValueOf(schema, name, depth);
  return fixture !== undefined && (schema.type === "string" || schema.format === "uuid" || !schema.type) ? fc.oneof({ arbitrary: fc.constant(fixture), weight: 4 }, { arbitrary: generic, weight: 1 }) : generic;
}

function genericValueOf(schema: Schema, name: string, depth: number): fc.Arbitrary<unknown> {
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum?.length) return fc.constantFrom(...schema.enum);
  const variants = schema.anyOf ?? schema.oneOf;
  if (variants?.length) return fc.oneof(...variants.map((v) => valueOf(v, name, depth)));
  if (schema.allOf?.[0]) return valueOf(schema.allOf[0], name, depth);
  if (Array.isArray(schema.type)) return fc.oneof(...schema.type.map((type) => valueOf({ ...schema, type }, name, depth)));
  switch (schema.type) {
    case "string":
      // a date the schema documents in words only (startDate, endAt): as clients send it
      if (!schema.format && !schema.pattern && /(Date|At)$/.test(name)) return fc.date(ISO_RANGE).chain((d) => fc.constantFrom(d.toISOString(), d.toISOString().slice(0, 10)));
      return stringOf(schema);
    case "integer": {
      const min = schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : -1000);
      return fc.integer({ min, max: Math.min(schema.maximum ?? min + 10_000, min + 10_000) });
    }
    case "number": {
      const min = schema.minimum ?? schema.exclusiveMinimum ?? -1000;
      return fc.double({ min, max: Math.min(schema.maximum ?? min + 10_000, min + 10_000), noNaN: true, noDefaultInfinity: true, minExcluded: schema.exclusiveMinimum !== undefined });
    }
    case "boolean":
      return fc.boolean();
    case "null":
      return fc.constant(null);
    case "array": {
      const minLength = schema.minItems ?? 0;
      return fc.array(valueOf(schema.items, singular(name), depth + 1), { minLength, maxLength: Math.max(minLength, Math.min(schema.maxItems ?? 3, 3)) });
    }
    case "object":
    case undefined: {
      if (!schema.properties && schema.type === undefined) return fc.jsonValue({ maxDepth: 1 });
      if (depth > 4) return fc.constant({});
      const props = Object.fromEntries(Object.entries(schema.properties ?? {}).map(([key, s]) => [key, valueOf(s, key, depth + 1)]));
      const required = (schema.required ?? []).filter((k) => k in props);
      // half the time the required fields alone: optional ones often go only with certain others
      const record = fc.oneof(fc.record(props, { requiredKeys: required }), fc.record(Object.fromEntries(required.map((k) => [k, props[k] ?? fc.constant(null)]))));
      if (!isObj(schema.additionalProperties)) return record;
      const keys = schema.propertyNames ? stringOf(resolve(schema.propertyNames)) : fc.string({ minLength: 1, maxLength: 12 });
      const extra = fc.dictionary(keys.map(String), valueOf(schema.additionalProperties, "", depth + 1), { maxKeys: 3 });
      return fc.tuple(extra, record).map(([a, b]) => ({ ...a, ...b }));
    }
    default:
      return fc.jsonValue({ maxDepth: 1 });
  }
}

const singular = (name: string) => (name.endsWith("Ids") ? name.slice(0, -1) : name);

function stringOf(schema: Schema): fc.Arbitrary<string> {
  const minLength = schema.minLength ?? 0;
  const maxLength = Math.max(minLength, Math.min(schema.maxLength ?? 40, 40));
  if (schema.format === "uuid") return fc.oneof({ arbitrary: fc.constantFrom(...uuidPool()), weight: 3 }, { arbitrary: fc.uuid(), weight: 1 });
  if (schema.format === "date-time") return fc.date(ISO_RANGE).map((d) => d.toISOString());
  if (schema.format === "uri") return fc.oneof(fc.constantFrom("https://shop.example.com/a", "http://127.0.0.1:9/hook"), fc.webUrl());
  if (schema.format === "email") return fc.emailAddress();
  if (schema.pattern) {
    const lengthOk = (s: string) => s.length >= minLength && s.length <= (schema.maxLength ?? Infinity);
    return fc.stringMatching(new RegExp(schema.pattern)).filter(lengthOk);
  }
  return fc.string({ minLength, maxLength, unit: fc.oneof({ arbitrary: fc.constantFrom(..."abcxyz {}|._-0123456789"), weight: 6 }, { arbitrary: fc.constantFrom("é", "ß", "中", "😀", "\u200b"), weight: 1 }) });
}

// ---------- malformed values ----------

const NASTY_STRINGS = ["\u0000", "a\u0000b", "\ud800", "x\udfffy", "\u202eevil", "\ufeff", "😀".repeat(300), "' OR 1=1 --", "{{name}}".repeat(300), "%00", "../../etc/passwd", "<script>alert(1)</script>", "", " ", "null", "undefined", "NaN", "-1", "1e400"];
const HOSTILE_NUMBERS = [-1, -0.5, 0.5, -2147483649, 2147483648, 2 ** 53 + 2, -(2 ** 63), 1e308, -1e308, 5e-324];
/** number texts JSON.stringify cannot produce: they go in raw */
const RAW_NUMBERS = ["1e400", "-1e400", "123456789012345678901234567890", "-0", "1.0e+2"];
const BAD_IDS = ["x", "0", "-1", "1.5", "%00", "..", "%2e%2e%2f", "null", "undefined", "' OR '1'='1", "00000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff", "00000000-0000-0000-0000-00000000000g", "a".repeat(600), "%F0%9F%98%80", "%ED%A0%80"];
const EXTRA_KEYS = ["__proto__", "constructor", "prototype", "merchantId", "id", "createdAt", "role", "success", "$where", "x".repeat(300)];

const wrongTypeOf = fc.oneof(fc.constant(null), fc.integer(), fc.boolean(), fc.string({ maxLength: 5 }), fc.constant([]), fc.constant([1, "a", null]), fc.constant({}), fc.constant({ nested: { deep: [{}] } }));
const hugeString = fc.tuple(fc.integer({ min: 10_000, max: 400_000 }), fc.constantFrom("x", "é", "😀", "{{name}} ", "\u0000")).map(([n, unit]) => unit.repeat(Math.ceil(n / unit.length)));
const hostileValue = fc.oneof(wrongTypeOf, hugeString, fc.constantFrom(...NASTY_STRINGS), fc.constantFrom(...HOSTILE_NUMBERS), fc.string({ unit: "binary", maxLength: 30 }));

/** A key of an object, chosen by an index (wrapping): one that exists, or a new one when none does. */
const keyAt = (obj: Record<string, unknown>, index: number, fallback: string) => {
  const keys = Object.keys(obj);
  return keys.length ? (keys[index % keys.length] ?? fallback) : fallback;
};

/** Replaces one value somewhere in a JSON value (the top level or one level down). */
function replaceSomewhere(value: unknown, index: number, deep: boolean, replacement: unknown): unknown {
  if (!isObj(value)) return replacement;
  const key = keyAt(value, index, "value");
  const inner = value[key];
  if (deep && isObj(inner)) return { ...value, [key]: replaceSomewhere(inner, index >> 3, false, replacement) };
  if (deep && Array.isArray(inner) && inner.length) return { ...value, [key]: inner.map((item, i) => (i === 0 ? replaceSomewhere(item, index >> 3, false, replacement) : item)) };
  return { ...value, [key]: replacement };
}

function bodyMutations(op: Operation, valid: fc.Arbitrary<Input>): Array<fc.Arbitrary<Input>> {
  const body = op.body;
  if (!body) return [];
  const json = (i: Input) => (i.body && "json" in i.body ? i.body.json : {});
  const withJson = (i: Input, kind: string, value: unknown): Input => ({ ...i, kind, body: { json: value } });
  const withRaw = (i: Input, kind: string, raw: string, contentType = body.contentType): Input => ({ ...i, kind, body: { raw, contentType } });
  if (body.contentType !== "application/json") {
    // CSV and other text bodies: rows of garbage, broken quoting, binary, huge
    const header = body.example?.split("\n")[0] ?? "a,b";
    return [
      fc.tuple(valid, fc.array(fc.string({ unit: "binary", maxLength: 40 }), { maxLength: 5 })).map(([i, rows]) => withRaw(i, "garbage csv rows", [header, ...rows].join("\n"))),
      fc.tuple(valid, fc.constantFrom('"unclosed,quote\n1,2', "\u0000,\u0000\n", `${header}\n"a""b,${"x".repeat(70_000)}`, "\ufeff\ufeff", `${header}\n${"1,".repeat(5000)}`, "")).map(([i, raw]) => withRaw(i, "broken csv", raw)),
      fc.tuple(valid, hugeString).map(([i, raw]) => withRaw(i, "huge csv", `${header}\n${raw}`)),
      valid.map((i) => withRaw(i, "json instead of csv", '{"a":1}', "application/json")),
    ];
  }
  return [
    fc.tuple(valid, fc.nat(), fc.boolean(), wrongTypeOf).map(([i, at, deep, v]) => withJson(i, "wrong type", replaceSomewhere(json(i), at, deep, v))),
    fc.tuple(valid, fc.nat()).map(([i, at]) => {
      const value = json(i);
      if (!isObj(value)) return withJson(i, "missing required", {});
      const required = body.schema.required ?? [];
      const { [required.length ? (required[at % required.length] ?? "") : keyAt(value, at, "")]: _dropped, ...rest } = value;
      return withJson(i, "missing required", rest);
    }),
    fc.tuple(valid, fc.nat(), fc.boolean(), hugeString).map(([i, at, deep, v]) => withJson(i, "huge string", replaceSomewhere(json(i), at, deep, v))),
    fc.tuple(valid, fc.nat(), fc.boolean(), fc.constantFrom(...NASTY_STRINGS)).map(([i, at, deep, v]) => withJson(i, "hostile string", replaceSomewhere(json(i), at, deep, v))),
    fc.tuple(valid, fc.nat(), fc.boolean(), fc.constantFrom(...HOSTILE_NUMBERS)).map(([i, at, deep, v]) => withJson(i, "hostile number", replaceSomewhere(json(i), at, deep, v))),
    fc.tuple(valid, fc.nat(), fc.constantFrom(...RAW_NUMBERS)).map(([i, at, n]) => {
      const marker = "__fuzz_number__";
      return withRaw(i, "unrepresentable number", JSON.stringify(replaceSomewhere(json(i), at, false, marker)).replace(`"${marker}"`, n));
    }),
    fc.tuple(valid, fc.constantFrom(...EXTRA_KEYS), hostileValue).map(([i, key, v]) => {
      const value = json(i);
      // __proto__ as an own key only survives as JSON text
      return withRaw(i, "extra property", isObj(value) ? JSON.stringify(value).replace(/^\{/, `{${JSON.stringify(key)}:${JSON.stringify(v) ?? "null"},`).replace(/,}$/, "}") : JSON.stringify(value));
    }),
    fc.tuple(valid, fc.nat()).map(([i, at]) => {
      const text = JSON.stringify(json(i)) ?? "{}";
      return withRaw(i, "truncated json", text.slice(0, at % Math.max(text.length, 1)));
    }),
    fc.tuple(valid, fc.constantFrom("{", "[1,", '{"a":}', "nul", "\u0000", '{"a":1}}', "\ufeff{}", "{'a':1}", "[]", "null", "true", '"text"', "42", '{"a":1,"a":{"b":[]}}')).map(([i, raw]) => withRaw(i, "malformed json", raw)),
    valid.map((i) => withRaw(i, "wrong content type", JSON.stringify(json(i)) ?? "", "text/plain")),
  ];
}

function paramMutations(op: Operation, valid: fc.Arbitrary<Input>): Array<fc.Arbitrary<Input>> {
  const pathParams = op.parameters.filter((p) => p.in === "path");
  const queryParams = op.parameters.filter((p) => p.in === "query");
  const headerParams = op.parameters.filter((p) => p.in === "header");
  const mutations: Array<fc.Arbitrary<Input>> = [];
  if (pathParams.length) {
    const badId = fc.oneof(fc.constantFrom(...BAD_IDS), fc.uuid(), fc.string({ minLength: 1, maxLength: 20 }).map(encodeURIComponent));
    mutations.push(fc.tuple(valid, fc.nat(), badId).map(([i, at, id]) => ({ ...i, kind: "bad path id", path: { ...i.path, [pathParams[at % pathParams.length]?.name ?? ""]: id } })));
  }
  const badQueryValue = fc.oneof(fc.constantFrom("abc", "-1", "1.5", "99999999999999999999999", "1e400", "NaN", "Infinity", "", "true", "\u0000", "a\u0000b", "\ud800", "x".repeat(10_000), "[object Object]", "__proto__"), fc.string({ unit: "binary", maxLength: 20 }));
  if (queryParams.length) {
    mutations.push(fc.tuple(valid, fc.nat(), badQueryValue).map(([i, at, v]) => ({ ...i, kind: "bad query value", query: [...i.query.filter(([k]) => k !== queryParams[at % queryParams.length]?.name), [queryParams[at % queryParams.length]?.name ?? "", v]] })));
    // a repeated parameter arrives as an array
    mutations.push(fc.tuple(valid, fc.nat(), badQueryValue).map(([i, at, v]) => ({ ...i, kind: "repeated query parameter", query: [...i.query, [queryParams[at % queryParams.length]?.name ?? "", v], [queryParams[at % queryParams.length]?.name ?? "", v]] })));
    const required = queryParams.filter((p) => p.required);
    if (required.length) mutations.push(fc.tuple(valid, fc.nat()).map(([i, at]) => ({ ...i, kind: "missing query parameter", query: i.query.filter(([k]) => k !== required[at % required.length]?.name) })));
  }
  mutations.push(fc.tuple(valid, fc.constantFrom("__proto__", "merchantId", "constructor[prototype]", "take[]", "a".repeat(200)), badQueryValue).map(([i, key, v]) => ({ ...i, kind: "unknown query parameter", query: [...i.query, [key, v]] })));
  if (headerParams.length) {
    mutations.push(fc.tuple(valid, fc.nat(), fc.constantFrom("", " ", "x".repeat(10_000), "sha256=", "sha256=AAAA", "é")).map(([i, at, v]) => ({ ...i, kind: "bad header", headers: { ...i.headers, [headerParams[at % headerParams.length]?.name ?? ""]: v } })));
  }
  return mutations;
}

// ---------- requests ----------

function validInput(op: Operation): fc.Arbitrary<Input> {
  const path = fc.record(Object.fromEntries(op.parameters.filter((p) => p.in === "path").map((p) => [p.name, fc.constant(fixtureFor(op, p.name))])));
  const query = fc
    .tuple(
      ...op.parameters
        .filter((p) => p.in === "query")
        .map((p) => {
          const pair = valueOf(p.schema, p.name).map((v): [string, string] => [p.name, String(v)]);
          // optional parameters are left out half the time, so the others reach the handler alone too
          return p.required ? pair : fc.option(pair, { nil: undefined, freq: 2 });
        }),
    )
    .map((pairs) => pairs.filter((pair): pair is [string, string] => pair !== undefined));
  // header values are bytes: what is not printable ASCII is replaced
  const headers = fc.record(Object.fromEntries(op.parameters.filter((p) => p.in === "header").map((p) => [p.name, valueOf(p.schema, p.name).map((v) => String(v).replace(/[^\x20-\x7e]/g, "_"))])));
  const body: fc.Arbitrary<Input["body"]> = !op.body
    ? fc.constant(undefined)
    : op.body.contentType === "application/json"
      ? valueOf(op.body.schema).map((json) => ({ json }))
      : csvBody(op.body.example ?? "", op.body.contentType);
  return fc.record({ path, query, headers, body }).map((r) => ({ kind: "valid-looking", ...r }));
}

/** A text/csv body like the documented example: its header, rows of plausible values. */
function csvBody(example: string, contentType: string): fc.Arbitrary<Input["body"]> {
  const [header = "", ...rows] = example.split("\n");
  const columns = header.split(",").length;
  const cell = fc.oneof(fc.constantFrom(...rows.flatMap((r) => r.split(",")).filter(Boolean)), fc.stringMatching(/^[a-z0-9_|]{0,12}$/), fc.stringMatching(/^\d{5,12}$/));
  return fc.array(fc.array(cell, { minLength: columns, maxLength: columns }), { minLength: 1, maxLength: 4 }).map((lines) => ({ raw: [header, ...lines.map((l) => l.join(","))].join("\n") + "\n", contentType }));
}

/** encodeURIComponent, except that a lone surrogate is sent as its (invalid) UTF-8 bytes instead of throwing. */
function percentEncode(text: string): string {
  let out = "";
  for (const char of text) {
    const code = char.charCodeAt(0);
    if (char.length === 1 && code >= 0xd800 && code <= 0xdfff) out += [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join("");
    else out += encodeURIComponent(char);
  }
  return out;
}

function urlOf(op: Operation, input: Input): string {
  const path = op.path.replace(/\{([^}]+)\}/g, (_m, name: string) => {
    const value = input.path[name] ?? "";
    // bad ids are sent as written (some are already percent-encoded on purpose)
    return /%[0-9A-Fa-f]{2}/.test(value) ? value : percentEncode(value);
  });
  const query = input.query.map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`).join("&");
  return `${path}${query ? `?${query}` : ""}`;
}

async function send(op: Operation, input: Input): Promise<ApiResponse> {
  const headers: Record<string, string> = { ...input.headers };
  let rawBody: string | undefined;
  if (input.body && "json" in input.body) {
    rawBody = JSON.stringify(input.body.json) ?? "null";
    headers["content-type"] = "application/json";
  } else if (input.body) {
    rawBody = input.body.raw;
    headers["content-type"] = input.body.contentType;
  }
  // X's webhook: a valid-looking delivery is signed the way X signs (the precondition to get past 401)
  const signature = op.parameters.find((p) => p.in === "header" && p.name.toLowerCase() === "x-twitter-webhooks-signature");
  if (signature && input.kind !== "bad header") headers[signature.name] = `sha256=${createHmac("sha256", CONSUMER_SECRET).update(rawBody ?? "").digest("base64")}`;
  // public operations (X's webhooks and callback, sign-in) are called as their callers do: without a bearer
  if (!op.public) headers.authorization = `Bearer ${token}`;
  // a redirect is the answer under test (the connect callback's outcome), not something to follow
  const res = await fetch(`${h.base}${urlOf(op, input)}`, { method: op.method.toUpperCase(), headers, redirect: "manual", ...(rawBody !== undefined && op.method !== "get" ? { body: rawBody } : {}) });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: the checks say so where it matters
  }
  return { status: res.status, headers: res.headers, body, text };
}

const rowCounts = async () => (await h.database.pool.query<{ counts: Record<string, number> }>(countsSql)).rows[0]?.counts ?? {};

/** The answer's faults, as readable lines; empty when it is what every client may rely on. */
function check(op: Operation, input: Input, res: ApiResponse, before: Record<string, number>, after: Record<string, number>): string[] {
  const faults: string[] = [];
  if (res.status >= 500) faults.push(`answered ${res.status}`);
  if (res.status >= 300 && res.status < 400) {
    // the connect-with-X callback always redirects; an internal error it hides there is still a 500
    if (/[?&]error=internal_error/.test(res.headers.get("location") ?? "")) faults.push(`redirected with internal_error: ${res.headers.get("location")}`);
  }
  if (res.status >= 400) {
    const body = res.body;
    const codes = errorCodes();
    if (!(res.headers.get("content-type") ?? "").startsWith("application/json")) faults.push(`error content type ${res.headers.get("content-type")}`);
    if (!isObj(body) || body.success !== false || typeof body.error !== "string" || body.error === "" || typeof body.code !== "string") faults.push("not the error envelope");
    else {
      if (!codes.includes(body.code) || ["INTERNAL_ERROR", "SERVICE_UNAVAILABLE"].includes(body.code)) faults.push(`code ${body.code} is not a 4xx code of the spec`);
      else if (!(CODES_BY_STATUS[res.status] ?? []).includes(body.code)) faults.push(`code ${body.code} does not go with status ${res.status}`);
      const extra = Object.keys(body).filter((k) => !["success", "error", "code", "details"].includes(k));
      if (extra.length) faults.push(`extra envelope keys ${extra.join(",")}`);
      if ("details" in body && !isObj(body.details)) faults.push("details is not an object");
    }
    try {
      expectNoInternals(res.text);
    } catch {
      faults.push("internals leaked");
    }
    const changed = Object.keys(after).filter((t) => after[t] !== before[t]);
    if (changed.length) faults.push(`refused but wrote: ${changed.map((t) => `${t} ${before[t]}→${after[t]}`).join(", ")}`);
  } else if (res.status < 300 && op.envelopedSuccess && !(isObj(res.body) && res.body.success === true && "data" in res.body)) {
    faults.push("success without the envelope");
  }
  return faults.map((f) => `${op.method.toUpperCase()} ${op.path} [${input.kind}] ${f} — ${res.status} ${res.text.slice(0, 200)}`);
}

/** The codes each 4xx status may carry (spec/api.md's table; 413/414/415/431 are malformed requests, X refusing credentials on connect is a 400). */
const CODES_BY_STATUS: Record<number, string[]> = {
  400: ["VALIDATION_ERROR", "TWITTER_API_ERROR"],
  401: ["UNAUTHORIZED"],
  403: ["FORBIDDEN"],
  404: ["RESOURCE_NOT_FOUND"],
  405: ["RESOURCE_NOT_FOUND"],
  409: ["DUPLICATE_RESOURCE", "CONFLICT"],
  413: ["VALIDATION_ERROR"],
  414: ["VALIDATION_ERROR"],
  415: ["VALIDATION_ERROR"],
  422: ["UNPROCESSABLE_ENTITY", "VALIDATION_ERROR"],
  429: ["RATE_LIMIT_EXCEEDED"],
  431: ["VALIDATION_ERROR"],
};

const errorCodes = (): unknown[] => {
  const error = resolve(doc.components?.schemas?.Error);
  return resolve(error.properties?.code).enum ?? [];
};

/** Read-only and nested operations first, deletes of whole resources last: the fixtures survive longest. */
const ORDER = { get: 0, post: 1, put: 2, patch: 2, delete: 3 } as const;
const ordered = () => [...operations].sort((a, b) => ORDER[a.method] - ORDER[b.method] || (a.method === "delete" ? b.path.split("/").length - a.path.split("/").length : 0));

describe("fuzzing every operation of the OpenAPI document", () => {
  it("answers every valid-looking and malformed input without a 5xx, in the envelope, writing nothing when it refuses", async () => {
    expect(operations.length).toBeGreaterThan(90);
    const missing = operations.flatMap((op) => op.parameters.filter((p) => p.in === "path" && !fixtureFor(op, p.name)).map((p) => `${op.path}: {${p.name}}`));
    expect(missing, "path parameters without a seeded fixture").toEqual([]);

    const failures: string[] = [];
    const tally = { requests: 0, byStatus: {} as Record<number, number>, succeeded: new Set<Operation>() };
    for (const op of ordered().filter((o) => !ONLY || `${o.method.toUpperCase()} ${o.path}` === ONLY)) {
      const valid = validInput(op);
      const malformed = fc.oneof(...bodyMutations(op, valid), ...paramMutations(op, valid));
      for (const [label, arbitrary, numRuns] of [["valid", valid, VALID_RUNS], ["malformed", malformed, MALFORMED_RUNS]] as const) {
        const seed = SEED + operations.indexOf(op) * 2 + (label === "valid" ? 0 : 1);
        // the counts after one request are the counts before the next (requests run one at a time)
        let counts = await rowCounts();
        const result = await fc.check(
          fc.asyncProperty(arbitrary, async (input) => {
            const res = await send(op, input);
            const after = await rowCounts();
            tally.requests += 1;
            tally.byStatus[res.status] = (tally.byStatus[res.status] ?? 0) + 1;
            if (res.status < 400) tally.succeeded.add(op);
            if (ONLY) console.info(`${res.status} [${input.kind}] ${urlOf(op, input).slice(0, 200)} → ${res.text.slice(0, 200)}`);
            const faults = check(op, input, res, counts, after);
            counts = after;
            if (faults.length) throw new Error(faults.join("\n"));
          }),
          { seed, numRuns, endOnFailure: true },
        );
        if (result.failed) {
          const cause = result.errorInstance instanceof Error ? result.errorInstance.message : String(result.errorInstance);
          failures.push(`${cause}\n  reproduce: FUZZ_SEED=${SEED} FUZZ_SCALE=${SCALE} FUZZ_ONLY="${op.method.toUpperCase()} ${op.path}" (seed ${seed}, path ${result.counterexamplePath}); input ${JSON.stringify(result.counterexample?.[0])?.slice(0, ONLY ? undefined : 300)}`);
        }
      }
    }
    // what the valid-looking inputs never got through: deeper fixtures would reach further there
    const neverAccepted = operations.filter((op) => !tally.succeeded.has(op)).map((op) => `${op.method.toUpperCase()} ${op.path}`);
    console.info(`fuzz: seed ${SEED}, ${operations.length} operations, ${tally.requests} requests, statuses ${JSON.stringify(tally.byStatus)}; never accepted: ${neverAccepted.join(", ") || "none"}`);
    expect(failures).toEqual([]);
  }, 150_000 * SCALE);
});
