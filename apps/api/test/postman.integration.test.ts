// The Postman collection a tester downloads: public, raw (no envelope), generated from the OpenAPI
// document so that every operation is there exactly once, ready to send.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONSUMER_SECRET, JWT_SECRET, startHarness, type Harness } from "./harness.ts";
import type { PostmanCollection, PostmanItem } from "../src/postman.ts";

type Json = Record<string, unknown>;

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

let h: Harness;
let raw: string;
let collection: PostmanCollection;
let openapi: Json;

const isObj = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const requests = (): PostmanItem[] => collection.item.flatMap((folder) => folder.item);
/** "GET /contacts/{contactId}" for a Postman request, in the OpenAPI document's spelling. */
const operationOf = (item: PostmanItem) => `${item.request.method} /${item.request.url.path.map((s) => s.replace(/^:(.+)$/, "{$1}")).join("/")}`;
function find(method: string, path: string): PostmanItem {
  const item = requests().find((i) => operationOf(i) === `${method} ${path}`);
  if (!item) throw new Error(`no request for ${method} ${path}`);
  return item;
}

beforeAll(async () => {
  h = await startHarness();
  const res = await h.call<PostmanCollection>("GET", "/postman-collection.json", { token: null });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  raw = res.text;
  collection = res.body;
  openapi = (await h.call<Json>("GET", "/openapi.json", { token: null })).body;
});
afterAll(async () => {
  await h?.close();
});

describe("GET /api/v1/mkt-x/postman-collection.json", () => {
  it("is a Postman v2.1 collection, public, raw and not rate limited", () => {
    expect(collection).not.toHaveProperty("success");
    expect(collection.info.schema).toBe("https://schema.getpostman.com/json/collection/v2.1.0/collection.json");
    expect(collection.info.name).toBe("mkt-x API");
    expect(collection.info._postman_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(collection.info.description).toBe(isObj(openapi.info) ? openapi.info.description : undefined);
  });

  it("answers the same collection with a token, without counting it against the rate limit", async () => {
    const res = await h.call<PostmanCollection>("GET", "/postman-collection.json");
    expect(res.status).toBe(200);
    expect(res.headers.get("x-ratelimit-limit")).toBeNull();
    expect(res.body).toEqual(collection);
  });

  it("sends every request to {{baseUrl}} with the bearer {{token}}", () => {
    const servers = openapi.servers;
    const serverUrl = Array.isArray(servers) && isObj(servers[0]) ? servers[0].url : undefined;
    expect(collection.variable).toEqual(expect.arrayContaining([expect.objectContaining({ key: "baseUrl", value: serverUrl }), expect.objectContaining({ key: "token", value: "" })]));
    expect(collection.auth).toEqual({ type: "bearer", bearer: [{ key: "token", value: "{{token}}", type: "string" }] });
    for (const item of requests()) {
      expect(item.request.url.host, item.name).toEqual(["{{baseUrl}}"]);
      expect(item.request.url.raw.startsWith(`{{baseUrl}}/${item.request.url.path.join("/")}`), item.name).toBe(true);
    }
  });

  it("has one request per OpenAPI operation, in one folder per tag", () => {
    const operations: string[] = [];
    const tags = new Set<string>();
    for (const [path, item] of Object.entries(isObj(openapi.paths) ? openapi.paths : {})) {
      if (!isObj(item)) continue;
      for (const [method, op] of Object.entries(item)) {
        if (!METHODS.includes(method) || !isObj(op)) continue;
        operations.push(`${method.toUpperCase()} ${path}`);
        if (Array.isArray(op.tags) && typeof op.tags[0] === "string") tags.add(op.tags[0]);
      }
    }
    const inCollection = requests().map(operationOf);
    expect(inCollection).toHaveLength(operations.length);
    expect(new Set(inCollection).size).toBe(inCollection.length);
    expect([...inCollection].sort()).toEqual([...operations].sort());
    expect(collection.item.map((f) => f.name)).toEqual([...tags]);
    expect(find("GET", "/accounts").name).toBe("List connected accounts");
  });

  it("turns path parameters into Postman variables", () => {
    const item = find("DELETE", "/contacts/{contactId}/tags/{tagName}");
    expect(item.request.url.path).toEqual(["contacts", ":contactId", "tags", ":tagName"]);
    expect(item.request.url.raw).toBe("{{baseUrl}}/contacts/:contactId/tags/:tagName");
    expect(item.request.url.variable?.map((v) => v.key)).toEqual(["contactId", "tagName"]);
  });

  it("lists query parameters, the optional ones disabled with an example value", () => {
    const list = find("GET", "/templates").request.url.query ?? [];
    expect(list).toEqual(expect.arrayContaining([{ key: "take", value: "20", disabled: true }, { key: "type", value: "text", disabled: true }]));
    const crc = find("GET", "/webhooks/verify").request.url.query ?? [];
    expect(crc).toEqual([{ key: "crc_token", value: "" }]);
    expect(find("GET", "/webhooks/verify").request.url.raw).toBe("{{baseUrl}}/webhooks/verify?crc_token=");
  });

  it("gives POST /templates a JSON body with the required fields", () => {
    const { request } = find("POST", "/templates");
    expect(request.header).toContainEqual({ key: "Content-Type", value: "application/json" });
    expect(request.body?.mode).toBe("raw");
    const body: unknown = JSON.parse(request.body?.raw ?? "");
    expect(body).toEqual({ name: expect.any(String), type: "text", content: expect.any(String) });
  });

  it("offers the documented Idempotency-Key header, disabled", () => {
    const { request } = find("POST", "/conversations/{conversationId}/messages");
    expect(request.header).toContainEqual(expect.objectContaining({ key: "Idempotency-Key", disabled: true }));
  });

  it("sends the webhook without the bearer token", () => {
    expect(find("POST", "/webhooks/twitter").request.auth).toEqual({ type: "noauth" });
    expect(find("GET", "/webhooks/twitter").request.auth).toEqual({ type: "noauth" });
    expect(find("POST", "/templates").request.auth).toBeUndefined();
  });

  it("carries no secret", () => {
    expect(collection.variable.find((v) => v.key === "token")?.value).toBe("");
    // boolean checks: a failing toContain would print the whole collection
    expect(raw.includes(JWT_SECRET), "the JWT secret").toBe(false);
    expect(raw.includes(CONSUMER_SECRET), "the consumer secret").toBe(false);
    expect(/eyJ[\w-]+\.[\w-]+/.test(raw), "a JWT").toBe(false);
    expect(/Bearer\s+[\w.~+/-]{16,}/i.test(raw), "a bearer credential").toBe(false);
    expect(requests().some((i) => i.request.header.some((hd) => hd.key.toLowerCase() === "authorization")), "an Authorization header").toBe(false);
  });
});
