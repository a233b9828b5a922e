// The OpenAPI 3.1 document: generated from the routers, then reshaped to what the REST clients
// really receive (the envelope), with the webhook and health routes added.
import { generateOpenApiDocument, type OpenAPIObject } from "trpc-to-openapi";
import type { OperationObject, PathsObject, SchemaObject } from "openapi3-ts/oas31";
import { z } from "zod";
import { ContactsCsvImportResult, ProductsCsvImportResult, LoginInput, RefreshInput, LogoutInput, SignupInput, AcceptInviteInput, TokenPair, Me, MIN_PASSWORD_BYTES, MAX_PASSWORD_BYTES } from "@mkt-x/core";
import { appRouter } from "./router.ts";
import { xConnectCallbackPaths } from "./rest/x-connect-callback.ts";

export const BASE_PATH = "/api/v1/mkt-x";
/** the service's own sign-in (CONTRACT.md "Signing in"), also served below BASE_PATH as `/auth/*` */
export const AUTH_PATH = "/api/v1/auth";

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

const ErrorEnvelope: SchemaObject = {
  type: "object",
  required: ["success", "error", "code"],
  properties: {
    success: { type: "boolean", const: false },
    error: { type: "string", description: "what went wrong, for people" },
    code: { type: "string", enum: ["VALIDATION_ERROR", "UNAUTHORIZED", "FORBIDDEN", "RESOURCE_NOT_FOUND", "DUPLICATE_RESOURCE", "CONFLICT", "UNPROCESSABLE_ENTITY", "RATE_LIMIT_EXCEEDED", "TWITTER_API_ERROR", "AI_SERVICE_ERROR", "SERVICE_UNAVAILABLE", "INTERNAL_ERROR"] },
    details: {
      type: "object",
      description: "what the error is about, when it is about something: `field` and `reason`; a validation failure lists every faulty field under `issues` (the first one is `field`/`reason`). Some errors add their own keys (e.g. `missing`, `unused`, `campaignIds`).",
      properties: {
        field: { type: "string", description: "the field path, dot-separated (`conditions.1.value`)" },
        reason: { type: "string" },
        issues: { type: "array", description: "each `{ field, message }` (segment conditions: `{ index, field, reason }`)", items: { type: "object", required: ["field"], properties: { field: { type: "string" }, message: { type: "string" } } } },
      },
      additionalProperties: true,
    },
  },
};

const rateLimitHeaders = {
  "X-RateLimit-Limit": { description: "requests allowed per minute for the merchant", schema: { type: "integer" } },
  "X-RateLimit-Remaining": { description: "requests left in the current window", schema: { type: "integer" } },
  "X-RateLimit-Reset": { description: "when the window resets, in epoch seconds", schema: { type: "integer" } },
};

function envelopeSuccess(schema: unknown): Json {
  if (isObj(schema) && isObj(schema.properties) && "pagination" in schema.properties && "data" in schema.properties) {
    return { type: "object", required: ["success", "data", "pagination"], properties: { success: { type: "boolean", const: true }, data: schema.properties.data, pagination: schema.properties.pagination } };
  }
  return { type: "object", required: ["success", "data"], properties: { success: { type: "boolean", const: true }, data: schema ?? { type: "null" } } };
}

const errorResponse = (description: string) => ({ description, content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } });

export function buildOpenApiDocument(serverUrl: string, opts: { signIn?: boolean } = {}): OpenAPIObject {
  const doc = generateOpenApiDocument(appRouter, {
    title: "mkt-x API",
    description: "Market and serve customers over X direct messages. Every response is an envelope: `{ success: true, data, pagination? }` or `{ success: false, error, code, details? }`.",
    version: "1.0.0",
    baseUrl: `${serverUrl}${BASE_PATH}`,
    securitySchemes: { Authorization: { type: "http", scheme: "bearer", bearerFormat: "JWT", description: "JWT with claims merchantId, role (owner|admin|agent|viewer), exp and, optionally, sub (the user id; without it the caller is `merchant:<merchantId>:<role>`)" } },
  });
  for (const item of Object.values(doc.paths ?? {})) {
    for (const op of Object.values(item as Json)) {
      if (!isObj(op) || !isObj(op.responses)) continue;
      const responses = op.responses;
      // a body without a required field may be left out entirely (the REST bridge reads none as {})
      if (isObj(op.requestBody) && isObj(op.requestBody.content)) {
        const json = op.requestBody.content["application/json"];
        if (isObj(json) && isObj(json.schema) && json.schema.type === "object" && !("required" in json.schema)) op.requestBody.required = false;
      }
      for (const [status, response] of Object.entries(responses)) {
        if (!isObj(response)) continue;
        if (status.startsWith("2") && isObj(response.content)) {
          const json = response.content["application/json"];
          if (isObj(json)) json.schema = envelopeSuccess(json.schema);
          response.headers = rateLimitHeaders;
        } else if (!status.startsWith("2")) {
          responses[status] = errorResponse(typeof response.description === "string" ? response.description : "Error");
        }
      }
      responses["401"] ??= errorResponse("Missing, malformed or expired token");
      responses["429"] = errorResponse("Rate limit exceeded");
      responses["500"] = errorResponse("Internal server error");
      delete responses.default;
    }
  }
  doc.components = { ...doc.components, schemas: { ...doc.components?.schemas, Error: ErrorEnvelope } };
  doc.paths = { ...doc.paths, ...webhookPaths(), ...contactsCsvPaths(), ...knowledgeCsvPaths(), ...xConnectCallbackPaths() };
  if (opts.signIn !== false) doc.paths = { ...doc.paths, ...signInPaths() };
  return doc;
}

function webhookPaths(): PathsObject {
  const crc: OperationObject = {
    tags: ["webhooks"],
    summary: "X Challenge-Response Check",
    security: [],
    parameters: [{ name: "crc_token", in: "query", required: true, schema: { type: "string", pattern: "^[A-Za-z0-9+/=_-]{1,255}$" } }],
    responses: {
      "200": { description: "CRC response", content: { "application/json": { schema: { type: "object", required: ["response_token"], properties: { response_token: { type: "string", description: "sha256=base64(HMAC-SHA256(consumer secret, crc_token))" } } } } } },
      "400": errorResponse("crc_token missing or not 1 to 255 characters of [A-Za-z0-9+/=_-]"),
      "429": errorResponse("too many CRC requests from this address"),
    },
  };
  return {
    "/webhooks/verify": { get: { ...crc, operationId: "webhooks-verify" } },
    "/webhooks/twitter": {
      get: { ...crc, operationId: "webhooks-twitter-crc" },
      post: {
        operationId: "webhooks-twitter-receive",
        tags: ["webhooks"],
        summary: "Receive Account Activity events from X",
        security: [],
        parameters: [{ name: "X-Twitter-Webhooks-Signature", in: "header", required: true, schema: { type: "string" }, description: "sha256=base64(HMAC-SHA256(consumer secret, raw body))" }],
        requestBody: { required: true, content: { "application/json": { schema: { type: "object" } } } },
        responses: {
          "200": { description: "Stored durably", content: { "application/json": { schema: envelopeSuccess({ type: "object", properties: { received: { type: "integer" }, stored: { type: "integer" }, duplicates: { type: "integer" } } }) } } },
          "400": errorResponse("Malformed JSON"),
          "401": errorResponse("Missing or wrong signature"),
        },
      },
    },
  };
}

/** A zod schema as a plain JSON Schema (OpenAPI 3.1 takes draft 2020-12 as it is). */
function jsonSchemaOf(schema: z.ZodType): SchemaObject {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: "output" });
  return rest as SchemaObject;
}

/** The streaming CSV routes of rest/contacts-csv.ts, which are plain fastify routes. */
function contactsCsvPaths(): PathsObject {
  const accountId = { name: "accountId", in: "query" as const, required: true, schema: { type: "string" as const, format: "uuid" }, description: "the X account whose contacts these are" };
  const security = [{ Authorization: [] }];
  const common = {
    "401": errorResponse("Missing, malformed or expired token"),
    "403": errorResponse("Forbidden"),
    "404": errorResponse("Account not found"),
    "429": errorResponse("Rate limit exceeded"),
    "500": errorResponse("Internal server error"),
  };
  const shape = [
    "One header row, then one contact per row. Columns (names case-insensitive, any order):",
    "`twitterUserId` X's numeric user id, the upsert key (account, twitterUserId);",
    "`username` the @handle — a row with a username and no twitterUserId updates the account's existing contact of that username (case-insensitive) and is refused otherwise, since usernames change and are reused while X ids do not;",
    "`displayName`; `tags` separated by `|` or `;` (normalized, added to the contact's tags);",
    "`attr.<key>` one column per custom attribute: `true`/`false` → boolean, a JSON number → number, a JSON string literal (`\"007\"`) → that string, other text → text.",
    "An empty cell leaves the stored value as it is; unknown columns are refused.",
  ].join(" ");
  return {
    "/contacts/import": {
      post: {
        operationId: "contacts-importCsv",
        tags: ["contacts"],
        summary: "Import contacts from CSV (streamed upsert)",
        description: `${shape} The body is read as it arrives and written in batches: files of any size (1M rows) import without being held in memory. Rows that break a rule are skipped and reported with their row number (the header is row 1); the others are inserted or updated. Batches commit as they go and importing a file twice is harmless. The same import for small files is the tRPC procedure contacts.importCsv ({ accountId, csv }).`,
        security,
        parameters: [accountId],
        requestBody: { required: true, content: { "text/csv": { schema: { type: "string" }, example: "twitterUserId,username,displayName,tags,attr.tier\n987654321,customer_john,John Doe,vip|customer,gold\n" } } },
        responses: {
          "200": { description: "Counts and per-row errors", headers: rateLimitHeaders, content: { "application/json": { schema: envelopeSuccess(jsonSchemaOf(ContactsCsvImportResult)) } } },
          "400": errorResponse("Invalid header, empty or malformed CSV, or accountId missing"),
          "415": errorResponse("Content-Type is not text/csv"),
          ...common,
        },
      },
    },
    "/contacts/export": {
      get: {
        operationId: "contacts-exportCsv",
        tags: ["contacts"],
        summary: "Export an account's contacts as CSV (streamed)",
        description: `The import's shape, one row per contact in twitterUserId order, an attr.<key> column for every attribute key in use; importing it back changes nothing. Streamed page by page. ${shape}`,
        security,
        parameters: [accountId],
        responses: {
          "200": { description: "The CSV", headers: rateLimitHeaders, content: { "text/csv": { schema: { type: "string" } } } },
          "400": errorResponse("accountId missing"),
          ...common,
        },
      },
    },
  };
}

/** The AI catalog's streaming CSV import (rest/knowledge-csv.ts), a plain fastify route. */
function knowledgeCsvPaths(): PathsObject {
  return {
    "/ai/knowledge/products/import": {
      post: {
        operationId: "ai-knowledge-importProductsCsv",
        tags: ["ai"],
        summary: "Import products from CSV (streamed upsert by SKU)",
        description: "One header row, then one product per row. Columns (case-insensitive, any order): `sku`, `name`, `price`, `currency` required; `description`, `stock`, `url`, `image_url`, `tags` (separated by `|`), `variants` (`size:color:stock` items separated by `|`, e.g. `M:Red:5|L::0`). A row whose SKU exists updates that product. Rows that break a rule are skipped and reported with their row number (the header is row 1), as in the contacts import; the same bounds apply. Owner and admin only.",
        security: [{ Authorization: [] }],
        requestBody: { required: true, content: { "text/csv": { schema: { type: "string" }, example: "sku,name,price,currency,variants,tags\nJK-01,Denim jacket,49.90,USD,M:Blue:3|L:Blue:0,jacket|denim\n" } } },
        responses: {
          "200": { description: "Counts and per-row errors", headers: rateLimitHeaders, content: { "application/json": { schema: envelopeSuccess(jsonSchemaOf(ProductsCsvImportResult)) } } },
          "400": errorResponse("Invalid header, empty or malformed CSV"),
          "401": errorResponse("Missing, malformed or expired token"),
          "403": errorResponse("Forbidden"),
          "413": errorResponse("Larger than the import bounds"),
          "415": errorResponse("Content-Type is not text/csv"),
          "429": errorResponse("Rate limit exceeded"),
        },
      },
    },
  };
}

/** A zod input schema as JSON Schema: what a client sends. */
function inputSchemaOf(schema: z.ZodType): SchemaObject {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" });
  return rest as SchemaObject;
}

/** The /api/v1/auth/* routes of auth/sign-in-routes.ts (plain fastify routes, like the CSV ones). */
function signInPaths(): PathsObject {
  const where = `At \`${AUTH_PATH}/…\` (CONTRACT.md) and, the same, below this document's server. Not served when tokens come from an external IAM (\`JWT_JWKS_URL\`): 404.`;
  const passwords = `Passwords: ${MIN_PASSWORD_BYTES} to ${MAX_PASSWORD_BYTES} bytes of UTF-8.`;
  const tokens = { description: "Signed in", content: { "application/json": { schema: envelopeSuccess(jsonSchemaOf(TokenPair)) } } };
  const op = (operationId: string, summary: string, description: string, input: z.ZodType | null, ok: Json, errors: Record<string, string>): OperationObject => ({
    operationId,
    tags: ["auth"],
    summary,
    description: `${description} ${where}`,
    security: [],
    ...(input ? { requestBody: { required: true, content: { "application/json": { schema: inputSchemaOf(input) } } } } : {}),
    responses: {
      "200": ok,
      ...Object.fromEntries(Object.entries(errors).map(([status, text]) => [status, errorResponse(text)])),
      "500": errorResponse("Internal server error"),
    },
  });
  return {
    "/auth/login": {
      post: op("auth-login", "Sign in with email and password", `Answers an access token (the bearer JWT, \`expiresIn\` seconds, ACCESS_TOKEN_TTL) and a refresh token (30 days, single use). A wrong email and a wrong password answer the same 401. After 5 failures for one email within 15 minutes, attempts for it answer 429 for 15 minutes (with Retry-After). ${passwords}`, LoginInput, tokens, { "400": "Invalid input (a password over 1,024 bytes is refused before any hashing)", "401": "Wrong email or password", "429": "Too many failed sign-ins for this email" }),
    },
    "/auth/refresh": {
      post: op("auth-refresh", "Exchange a refresh token for a new pair", "The refresh token is spent; the answer carries the next one, and an access token with the user's current role. A spent token presented again revokes every token of its sign-in (401).", RefreshInput, tokens, { "400": "Invalid input", "401": "Unknown, spent, revoked or expired refresh token" }),
    },
    "/auth/logout": {
      post: op("auth-logout", "Revoke a refresh token", "Ends the sign-in the refresh token belongs to. Access tokens already issued live until they expire.", LogoutInput, { description: "Revoked", content: { "application/json": { schema: envelopeSuccess({ type: "null" }) } } }, { "400": "Invalid input", "401": "Unknown, spent, revoked or expired refresh token" }),
    },
    "/auth/me": {
      get: {
        ...op("auth-me", "The signed-in user", "The user of the bearer access token, as stored now.", null, { description: "The user", content: { "application/json": { schema: envelopeSuccess(jsonSchemaOf(Me)) } } }, { "401": "Missing, malformed or expired token, or a token of no user of this service (an API key)" }),
        security: [{ Authorization: [] }],
      },
    },
    "/auth/signup": {
      post: op("auth-signup", "Create a merchant and its owner (SIGNUP_ENABLED)", `Only when the service runs with SIGNUP_ENABLED=1 (else 404). The new owner is signed in, as by login. ${passwords}`, SignupInput, tokens, { "400": "Invalid input", "404": "Signup is not enabled", "409": "A user with this email already exists" }),
    },
    "/auth/accept-invite": {
      post: op("auth-accept-invite", "Accept a team invite and set a password", `The \`inviteToken\` of POST /team/users (valid 7 days, once). The user is signed in, as by login. ${passwords}`, AcceptInviteInput, tokens, { "400": "Invalid input", "401": "Unknown, used or expired invite" }),
    },
  };
}
