// `pnpm docs:api`: docs/api-reference.md from the API's OpenAPI document (the one served at
// /api/v1/mkt-x/openapi.json and shown at /api/v1/mkt-x/docs), so a clone has the reference without
// running anything. `--check` fails when the committed file is not what the code generates.
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { buildOpenApiDocument, BASE_PATH } from "../apps/api/src/openapi.ts";
import { ROOT } from "./lib/dev-secrets.ts";

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const METHODS = ["get", "post", "put", "patch", "delete"] as const;

const doc = JSON.parse(JSON.stringify(buildOpenApiDocument("", { signIn: true }))) as Json;
const components = isObj(doc.components) && isObj(doc.components.schemas) ? doc.components.schemas : {};

/** Follows a local $ref (#/components/schemas/X). */
function resolve(schema: unknown): Json {
  if (!isObj(schema)) return {};
  const ref = typeof schema.$ref === "string" ? schema.$ref : null;
  if (ref?.startsWith("#/components/schemas/")) return resolve(components[ref.slice("#/components/schemas/".length)]);
  return schema;
}

/** A compact type: string, integer, "a" | "b", string[], object, A | B. */
function typeOf(raw: unknown, depth = 0): string {
  const s = resolve(raw);
  if (Array.isArray(s.enum)) return s.enum.map((v) => JSON.stringify(v)).join(" \\| ");
  if ("const" in s) return JSON.stringify(s.const);
  for (const key of ["anyOf", "oneOf"] as const) {
    const options = s[key];
    if (Array.isArray(options)) return [...new Set(options.map((o) => typeOf(o, depth)))].join(" \\| ");
  }
  if (Array.isArray(s.allOf)) return s.allOf.map((o) => typeOf(o, depth)).join(" & ");
  const t = Array.isArray(s.type) ? s.type.join(" \\| ") : typeof s.type === "string" ? s.type : "";
  if (t === "array") return `${typeOf(s.items, depth)}[]`;
  const format = typeof s.format === "string" ? ` (${s.format})` : "";
  if (t === "object" || isObj(s.properties)) return "object";
  return t ? `${t}${format}` : "any";
}

const cell = (text: unknown) => (typeof text === "string" ? text.replace(/\|/g, "\\|").replace(/\s*\n\s*/g, " ") : "");

/** Field rows of an object schema; nested objects (one level) as dotted names. */
function fieldRows(raw: unknown, prefix = "", depth = 0): string[] {
  const s = resolve(raw);
  const properties = isObj(s.properties) ? s.properties : null;
  if (!properties) return [];
  const required = new Set(Array.isArray(s.required) ? (s.required as string[]) : []);
  const rows: string[] = [];
  for (const [name, prop] of Object.entries(properties)) {
    const p = resolve(prop);
    rows.push(`| \`${prefix}${name}\` | ${typeOf(prop)} | ${required.has(name) ? "yes" : ""} | ${cell(p.description)} |`);
    const item = p.type === "array" ? resolve(p.items) : p;
    if (depth < 1 && isObj(item.properties)) rows.push(...fieldRows(item, `${prefix}${name}${p.type === "array" ? "[]" : ""}.`, depth + 1));
  }
  return rows;
}

function operation(method: string, path: string, op: Json): string[] {
  const out: string[] = [`### ${method.toUpperCase()} \`${path}\``, ""];
  if (op.summary) out.push(`**${cell(op.summary)}**`, "");
  if (typeof op.description === "string" && op.description.trim()) out.push(op.description.trim(), "");
  const security = Array.isArray(op.security) ? op.security : Array.isArray(doc.security) ? doc.security : [];
  out.push(security.length > 0 && security.some((s) => isObj(s) && Object.keys(s).length > 0) ? "Needs a bearer token." : "No token needed.", "");
  const params = Array.isArray(op.parameters) ? op.parameters.map(resolve) : [];
  if (params.length) {
    out.push("| Parameter | In | Type | Required | Description |", "| --- | --- | --- | --- | --- |");
    for (const p of params) out.push(`| \`${String(p.name)}\` | ${String(p.in)} | ${typeOf(p.schema)} | ${p.required ? "yes" : ""} | ${cell(p.description ?? resolve(p.schema).description)} |`);
    out.push("");
  }
  const body = isObj(op.requestBody) ? resolve(op.requestBody) : null;
  const content = body && isObj(body.content) ? body.content : null;
  if (content) {
    for (const [type, media] of Object.entries(content)) {
      const schema = isObj(media) ? media.schema : undefined;
      const rows = fieldRows(schema);
      out.push(`Request body (\`${type}\`)${rows.length ? ":" : `: ${typeOf(schema)}`}`, "");
      if (rows.length) out.push("| Field | Type | Required | Description |", "| --- | --- | --- | --- |", ...rows, "");
    }
  }
  const responses = isObj(op.responses) ? op.responses : {};
  const codes = Object.entries(responses).map(([code, r]) => `\`${code}\` ${cell(resolve(r).description)}`.trim());
  if (codes.length) out.push(`Responses: ${codes.join(" · ")}`, "");
  return out;
}

function render(): string {
  const info = isObj(doc.info) ? doc.info : {};
  const paths = isObj(doc.paths) ? doc.paths : {};
  const byTag = new Map<string, string[]>();
  const order: string[] = [];
  for (const [path, item] of Object.entries(paths)) {
    if (!isObj(item)) continue;
    for (const method of METHODS) {
      const op = item[method];
      if (!isObj(op)) continue;
      const tag = Array.isArray(op.tags) && typeof op.tags[0] === "string" ? op.tags[0] : "other";
      if (!byTag.has(tag)) {
        byTag.set(tag, []);
        order.push(tag);
      }
      byTag.get(tag)?.push(...operation(method, path, op));
    }
  }
  const count = [...Object.values(paths)].reduce<number>((n, item) => n + (isObj(item) ? METHODS.filter((m) => isObj(item[m])).length : 0), 0);
  return [
    `# ${String(info.title ?? "API")} reference`,
    "",
    "<!-- Generated by `pnpm docs:api` (scripts/docs-api.ts) from the OpenAPI document; do not edit by hand. -->",
    "",
    `${cell(info.description)}`,
    "",
    `Paths below are relative to the REST base path \`${BASE_PATH}\`: under \`pnpm dev\`, \`GET /accounts\` is \`http://localhost:5000${BASE_PATH}/accounts\`. A running API serves the same document as JSON at \`${BASE_PATH}/openapi.json\`, as an interactive page at \`${BASE_PATH}/docs\`, and as a Postman collection at \`${BASE_PATH}/postman-collection.json\`. ${count} operations.`,
    "",
    "## Contents",
    "",
    ...order.map((tag) => `- [${tag}](#${tag.toLowerCase().replace(/[^a-z0-9]+/g, "-")})`),
    "",
    ...order.flatMap((tag) => [`## ${tag}`, "", ...(byTag.get(tag) ?? [])]),
  ].join("\n");
}

const file = join(ROOT, "docs", "api-reference.md");
const text = `${render().trimEnd()}\n`;
if (process.argv.includes("--check")) {
  let current = "";
  try {
    current = readFileSync(file, "utf8");
  } catch {
    // missing: not up to date
  }
  if (current !== text) {
    console.error(`${file} is not what the OpenAPI document generates: run pnpm docs:api`);
    process.exit(1);
  }
  console.log(`${file} is up to date`);
} else {
  mkdirSync(join(ROOT, "docs"), { recursive: true });
  writeFileSync(file, text);
  console.log(`wrote ${file}`);
}
