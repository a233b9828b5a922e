// The Postman Collection v2.1 a tester imports: derived from the OpenAPI document (built once at
// start, like the document), one folder per tag and one ready-to-send request per operation.
import { createHash } from "node:crypto";
import type { OpenAPIObject, OperationObject, ParameterObject, PathItemObject, ReferenceObject, RequestBodyObject, SchemaObject } from "openapi3-ts/oas31";

export const POSTMAN_SCHEMA = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json";
const COLLECTION_NAME = "mkt-x API";

type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface PostmanKeyValue {
  key: string;
  value: string;
  description?: string;
  disabled?: boolean;
}

export interface PostmanUrl {
  raw: string;
  host: string[];
  path: string[];
  query?: PostmanKeyValue[];
  variable?: PostmanKeyValue[];
}

export type PostmanAuth = { type: "noauth" } | { type: "bearer"; bearer: { key: "token"; value: string; type: "string" }[] };

export interface PostmanBody {
  mode: "raw";
  raw: string;
  options: { raw: { language: "json" | "text" } };
}

export interface PostmanRequest {
  method: string;
  header: PostmanKeyValue[];
  url: PostmanUrl;
  description?: string;
  body?: PostmanBody;
  auth?: PostmanAuth;
}

export interface PostmanItem {
  name: string;
  request: PostmanRequest;
  response: never[];
}

export interface PostmanFolder {
  name: string;
  description?: string;
  item: PostmanItem[];
}

export interface PostmanCollection {
  info: { _postman_id: string; name: string; description?: string; schema: typeof POSTMAN_SCHEMA };
  auth: PostmanAuth;
  variable: { key: string; value: string; type: "string"; description?: string }[];
  item: PostmanFolder[];
}

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const;
/** Deep enough for any body the API takes; a self-referencing schema stops here instead of looping. */
const MAX_DEPTH = 8;
const UNTAGGED = "other";

export function buildPostmanCollection(doc: OpenAPIObject): PostmanCollection {
  const folders = new Map<string, PostmanItem[]>();
  for (const [path, pathItem] of Object.entries(doc.paths ?? {})) {
    for (const method of METHODS) {
      const op = pathItem[method];
      if (!op) continue;
      const tag = op.tags?.[0] ?? UNTAGGED;
      const items = folders.get(tag) ?? [];
      items.push(postmanItem(doc, path, method, op, pathItem));
      folders.set(tag, items);
    }
  }
  const tagDescriptions = new Map((doc.tags ?? []).map((t) => [t.name, t.description]));
  return {
    info: { _postman_id: uuidV5(COLLECTION_NAME), name: COLLECTION_NAME, description: doc.info.description, schema: POSTMAN_SCHEMA },
    auth: { type: "bearer", bearer: [{ key: "token", value: "{{token}}", type: "string" }] },
    variable: [
      { key: "baseUrl", value: doc.servers?.[0]?.url ?? "", type: "string" },
      { key: "token", value: "", type: "string", description: "your JWT, sent as the bearer token of every request but the webhooks" },
    ],
    item: [...folders].map(([name, item]) => ({ name, ...(tagDescriptions.get(name) ? { description: tagDescriptions.get(name) } : {}), item })),
  };
}

function postmanItem(doc: OpenAPIObject, path: string, method: (typeof METHODS)[number], op: OperationObject, pathItem: PathItemObject): PostmanItem {
  const params = parametersOf(doc, pathItem, op);
  const query = params.filter((p) => p.in === "query").map((p) => keyValue(doc, p));
  const variable = params.filter((p) => p.in === "path").map((p) => keyValue(doc, p));
  const segments = path.split("/").filter(Boolean).map((s) => s.replace(/^\{(.+)\}$/, ":$1"));
  // Postman's raw URL carries the enabled query parameters only, as Postman itself writes it
  const enabled = query.filter((q) => !q.disabled).map((q) => `${q.key}=${q.value}`);
  const body = requestBody(doc, op.requestBody);
  const header = [...(body ? [{ key: "Content-Type", value: body.contentType }] : []), ...params.filter((p) => p.in === "header").map((p) => keyValue(doc, p))];
  const security = op.security ?? doc.security;
  const request: PostmanRequest = {
    method: method.toUpperCase(),
    header,
    url: {
      raw: `{{baseUrl}}/${segments.join("/")}${enabled.length ? `?${enabled.join("&")}` : ""}`,
      host: ["{{baseUrl}}"],
      path: segments,
      ...(query.length ? { query } : {}),
      ...(variable.length ? { variable } : {}),
    },
    ...(op.description ? { description: op.description } : {}),
    ...(body ? { body: body.body } : {}),
    // no security at all (the webhooks): say so, or Postman would send the collection's bearer token
    ...(security && security.length === 0 ? { auth: { type: "noauth" as const } } : {}),
  };
  return { name: op.summary ?? `${method.toUpperCase()} ${path}`, request, response: [] };
}

/** The operation's parameters over the path item's (the operation's win), references followed. */
function parametersOf(doc: OpenAPIObject, pathItem: PathItemObject, op: OperationObject): ParameterObject[] {
  const byKey = new Map<string, ParameterObject>();
  for (const p of [...(pathItem.parameters ?? []), ...(op.parameters ?? [])]) {
    const param = isRef(p) ? doc.components?.parameters?.[refName(p)] : p;
    if (param && !isRef(param)) byKey.set(`${param.in}:${param.name}`, param);
  }
  return [...byKey.values()];
}

function keyValue(doc: OpenAPIObject, p: ParameterObject): PostmanKeyValue {
  const value = p.example !== undefined ? toJson(p.example) : exampleOf(doc, p.schema);
  return {
    key: p.name,
    value: paramText(value),
    ...(p.description ? { description: p.description } : {}),
    ...(p.required || p.in === "path" ? {} : { disabled: true }),
  };
}

const paramText = (v: JsonValue): string => (v === null ? "" : Array.isArray(v) ? v.map(paramText).join(",") : typeof v === "object" ? JSON.stringify(v) : String(v));

function requestBody(doc: OpenAPIObject, ref: RequestBodyObject | ReferenceObject | undefined): { contentType: string; body: PostmanBody } | undefined {
  const rb = ref && isRef(ref) ? doc.components?.requestBodies?.[refName(ref)] : ref;
  if (!rb || isRef(rb)) return undefined;
  const json = Object.keys(rb.content).find((type) => /^application\/(.+\+)?json/.test(type));
  if (json) {
    const media = rb.content[json];
    const example = media?.example !== undefined ? toJson(media.example) : exampleOf(doc, media?.schema);
    return { contentType: "application/json", body: { mode: "raw", raw: JSON.stringify(example, null, 2), options: { raw: { language: "json" } } } };
  }
  // other media (the CSV import): only a documented text example can stand in for a body
  const [type, media] = Object.entries(rb.content)[0] ?? [];
  if (!type || typeof media?.example !== "string") return undefined;
  return { contentType: type, body: { mode: "raw", raw: media.example, options: { raw: { language: "text" } } } };
}

/**
 * A value the schema accepts, for a tester to edit: the schema's own example, default, const or
 * first enum value when it has one, else a placeholder of its type (objects with their required
 * properties only, so the body shows what must be sent).
 */
export function exampleOf(doc: OpenAPIObject, node: SchemaObject | ReferenceObject | undefined, depth = 0): JsonValue {
  const schema = resolveSchema(doc, node);
  if (!schema) return null;
  if (schema.example !== undefined) return toJson(schema.example);
  if (Array.isArray(schema.examples) && schema.examples.length > 0) return toJson(schema.examples[0]);
  if (schema.default !== undefined) return toJson(schema.default);
  if (schema.const !== undefined) return toJson(schema.const);
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return toJson(schema.enum[0]);
  if (depth >= MAX_DEPTH) return null;

  if (schema.allOf?.length) {
    const parts = schema.allOf.map((s) => exampleOf(doc, s, depth + 1));
    return parts.every(isJsonObject) ? parts.reduce<{ [key: string]: JsonValue }>((all, part) => ({ ...all, ...part }), {}) : (parts[0] ?? null);
  }
  const choice = (schema.oneOf ?? schema.anyOf)?.find((s) => resolveSchema(doc, s)?.type !== "null");
  if (choice) return exampleOf(doc, choice, depth + 1);

  switch (typeOf(schema)) {
    case "string":
      return stringOf(schema.format);
    case "integer":
    case "number":
      // 0 unless the schema forbids it (take ≥ 1)
      return Math.min(Math.max(0, schema.minimum ?? 0), schema.maximum ?? Infinity);
    case "boolean":
      return false;
    case "array":
      return schema.items ? [exampleOf(doc, schema.items, depth + 1)] : [];
    case "object": {
      const properties = Object.entries(schema.properties ?? {});
      const required = schema.required ?? [];
      const shown = required.length > 0 ? properties.filter(([name]) => required.includes(name)) : properties;
      return Object.fromEntries(shown.map(([name, s]) => [name, exampleOf(doc, s, depth + 1)]));
    }
    default:
      return null;
  }
}

function typeOf(schema: SchemaObject): string | undefined {
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== "null") : schema.type;
  if (type) return type;
  if (schema.properties) return "object";
  if (schema.items) return "array";
  return undefined;
}

function stringOf(format: string | undefined): string {
  switch (format) {
    case "uuid":
      return "00000000-0000-0000-0000-000000000000";
    case "date-time":
      return "2025-01-01T00:00:00.000Z";
    case "date":
      return "2025-01-01";
    case "email":
      return "user@example.com";
    case "uri":
    case "url":
      return "https://example.com";
    default:
      return "";
  }
}

function resolveSchema(doc: OpenAPIObject, node: SchemaObject | ReferenceObject | undefined, hops = 0): SchemaObject | undefined {
  if (!node) return undefined;
  if (!isRef(node)) return node;
  // a $ref chain that loops back on itself ends here
  return hops < MAX_DEPTH ? resolveSchema(doc, doc.components?.schemas?.[refName(node)], hops + 1) : undefined;
}

const isRef = (v: object): v is ReferenceObject => "$ref" in v && typeof v.$ref === "string";
const refName = (ref: ReferenceObject) => ref.$ref.split("/").pop() ?? "";
const isJsonObject = (v: JsonValue): v is { [key: string]: JsonValue } => typeof v === "object" && v !== null && !Array.isArray(v);

/** The document's example values are typed `any`; this keeps what JSON can carry. */
function toJson(value: unknown): JsonValue {
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (Array.isArray(value)) return value.map(toJson);
  if (typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJson(v)]));
  return null;
}

/** A name-based (v5) UUID: the collection keeps its id across restarts, so Postman updates it in place on re-import. */
function uuidV5(name: string): string {
  const namespace = Buffer.from("6ba7b8119dad11d180b400c04fd430c8", "hex"); // RFC 4122 URL namespace
  const bytes = createHash("sha1").update(namespace).update(name).digest().subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
