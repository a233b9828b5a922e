// The OpenAPI 3.1 document a client downloads: valid, complete for the accounts slice, secured with
// bearer auth, describing the envelope and the error responses the API really answers.
import { validate, compileErrors } from "@readme/openapi-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "./harness.ts";
import { connectAccount, type AccountBody, type Success } from "./factories.ts";
import { expectSuccess } from "./envelope-assertions.ts";

type Json = Record<string, unknown>;
type ApiDocument = Exclude<Parameters<typeof validate>[0], string>;

let h: Harness;
let raw: string;
let doc: Json;

const isObj = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
/** Walks the document by keys, failing the test with the path when something is missing. */
function at(root: unknown, ...path: string[]): Json {
  let node = root;
  for (const key of path) {
    if (!isObj(node) || !(key in node)) throw new Error(`the document has no ${path.join(" › ")} (stopped at ${key})`);
    node = node[key];
  }
  if (!isObj(node)) throw new Error(`${path.join(" › ")} is not an object`);
  return node;
}
const resolve = (node: Json): Json => (typeof node.$ref === "string" ? at(doc, ...node.$ref.replace(/^#\//, "").split("/")) : node);
const keysOf = (node: Json) => Object.keys(at(node, "properties")).sort();

beforeAll(async () => {
  h = await startHarness();
  const res = await h.call<Json>("GET", "/openapi.json", { token: null });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  raw = res.text;
  doc = res.body;
});
afterAll(async () => {
  await h?.close();
});

const ACCOUNT_OPERATIONS = [
  ["/accounts", "post", ["400", "401", "403", "409"]],
  ["/accounts", "get", ["400", "401"]],
  ["/accounts/{accountId}", "get", ["401", "404"]],
  ["/accounts/{accountId}", "put", ["400", "401", "403", "404"]],
  ["/accounts/{accountId}", "delete", ["401", "403", "404"]],
] as const;

describe("GET /api/v1/mkt-x/openapi.json", () => {
  it("is served without a token and validates with an OpenAPI parser", async () => {
    // the parser dereferences in place: hand it its own copy
    const copy: ApiDocument = JSON.parse(raw);
    const result = await validate(copy);
    expect(result.valid, result.valid ? "" : compileErrors(result)).toBe(true);
    expect(result.specification).toBe("OpenAPI");
  });

  it("is OpenAPI 3.1 with the REST base path as its server", () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(at(doc, "info").title).toEqual(expect.any(String));
    const servers = doc.servers;
    expect(Array.isArray(servers) && servers.some((s: unknown) => isObj(s) && typeof s.url === "string" && s.url.endsWith("/api/v1/mkt-x"))).toBe(true);
  });

  it("defines bearer JWT security and applies it to every account operation", () => {
    const schemes = at(doc, "components", "securitySchemes");
    const [name, scheme] = Object.entries(schemes).find(([, s]) => isObj(s) && s.type === "http" && s.scheme === "bearer") ?? [];
    expect(name, "an http bearer security scheme").toBeDefined();
    expect(scheme).toMatchObject({ bearerFormat: "JWT" });
    for (const [path, method] of ACCOUNT_OPERATIONS) {
      expect(at(doc, "paths", path, method).security, `${method} ${path}`).toEqual([{ [name ?? ""]: [] }]);
    }
  });

  it("documents every account operation with its error responses as the error envelope", () => {
    const error = at(doc, "components", "schemas", "Error");
    expect(error.required).toEqual(expect.arrayContaining(["success", "error", "code"]));
    expect(at(error, "properties", "code").enum).toEqual(
      expect.arrayContaining(["VALIDATION_ERROR", "UNAUTHORIZED", "FORBIDDEN", "RESOURCE_NOT_FOUND", "DUPLICATE_RESOURCE", "RATE_LIMIT_EXCEEDED", "TWITTER_API_ERROR"]),
    );
    expect(at(error, "properties", "success")).toMatchObject({ const: false });

    for (const [path, method, statuses] of ACCOUNT_OPERATIONS) {
      const op = at(doc, "paths", path, method);
      expect(op.operationId, `${method} ${path} operationId`).toEqual(expect.any(String));
      const responses = at(op, "responses");
      expect(Object.keys(responses), `${method} ${path}`).toEqual(expect.arrayContaining(["200", ...statuses, "429", "500"]));
      for (const status of [...statuses, "429", "500"]) {
        expect(at(responses, status, "content", "application/json", "schema"), `${method} ${path} ${status}`).toEqual({ $ref: "#/components/schemas/Error" });
      }
    }
  });

  it("documents the success envelope, with pagination on the list", () => {
    for (const [path, method] of ACCOUNT_OPERATIONS) {
      const ok = at(doc, "paths", path, method, "responses", "200");
      const schema = resolve(at(ok, "content", "application/json", "schema"));
      expect(schema.required, `${method} ${path}`).toEqual(expect.arrayContaining(["success", "data"]));
      expect(at(schema, "properties", "success")).toMatchObject({ const: true });
      expect(Object.keys(at(ok, "headers")).map((k) => k.toLowerCase())).toEqual(expect.arrayContaining(["x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset"]));
    }
    const list = resolve(at(doc, "paths", "/accounts", "get", "responses", "200", "content", "application/json", "schema"));
    expect(list.required).toEqual(expect.arrayContaining(["pagination"]));
    expect(keysOf(resolve(at(list, "properties", "pagination")))).toEqual(["limit", "page", "total", "totalPages"]);
    const take = (at(doc, "paths", "/accounts", "get").parameters as Json[]).find((p) => p.name === "take");
    expect(take?.schema).toMatchObject({ default: 20, maximum: 100 });
  });

  it("documents the request bodies and path parameters", () => {
    const connect = resolve(at(doc, "paths", "/accounts", "post", "requestBody", "content", "application/json", "schema"));
    expect(connect.required).toEqual(expect.arrayContaining(["oauthToken", "oauthTokenSecret"]));
    const update = resolve(at(doc, "paths", "/accounts/{accountId}", "put", "requestBody", "content", "application/json", "schema"));
    expect(keysOf(update)).toEqual(["autoReplyEnabled", "businessHours", "requireConsent"]);
    expect(at(update, "properties", "autoReplyEnabled").type).toBe("boolean");
    for (const method of ["get", "put", "delete"]) {
      const params = at(doc, "paths", "/accounts/{accountId}", method).parameters as Json[];
      expect(params.find((p) => p.name === "accountId")).toMatchObject({ in: "path", required: true });
    }
  });

  it("documents the webhook routes without bearer security", () => {
    for (const [path, method] of [["/webhooks/verify", "get"], ["/webhooks/twitter", "get"], ["/webhooks/twitter", "post"]] as const) {
      const op = at(doc, "paths", path, method);
      expect(op.security, `${method} ${path}`).toEqual([]);
      expect(Object.keys(at(op, "responses"))).toEqual(expect.arrayContaining(["200", "400"]));
    }
    expect(Object.keys(at(doc, "paths", "/webhooks/twitter", "post", "responses"))).toContain("401");
  });

  it("documents every field the API really answers for an account", async () => {
    const token = await h.token();
    const { account } = await connectAccount(h, { token });
    const details = expectSuccess(await h.call<Success<AccountBody>>("GET", `/accounts/${account.id}`, { token }));
    const detailSchema = resolve(at(resolve(at(doc, "paths", "/accounts/{accountId}", "get", "responses", "200", "content", "application/json", "schema")), "properties", "data"));
    expect(keysOf(detailSchema)).toEqual(Object.keys(details).sort());
    expect(keysOf(resolve(at(detailSchema, "properties", "statistics")))).toEqual(["messagesThisMonth", "totalContacts", "totalConversations"]);

    const listData = resolve(at(resolve(at(doc, "paths", "/accounts", "get", "responses", "200", "content", "application/json", "schema")), "properties", "data"));
    expect(keysOf(resolve(at(listData, "items")))).toEqual(Object.keys(account).sort());
  });
});

describe("GET /api/v1/mkt-x/docs", () => {
  it("answers the interactive docs as HTML", async () => {
    const res = await fetch(`${h.base}/docs`, { redirect: "follow" });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toMatch(/<html/i);
    expect(html).toMatch(/swagger/i);
  });

  it("serves the same document to the docs page", async () => {
    const res = await h.call<Json>("GET", "/docs/json", { token: null });
    expect(res.status).toBe(200);
    expect(res.body.paths).toEqual(doc.paths);
  });
});
