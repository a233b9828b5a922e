// The API as a fastify app factory: no listen here (main.ts listens; tests inject or listen on 0).
import { STATUS_CODES } from "node:http";
import type { Socket } from "node:net";
import Fastify, { type ConnectionError, type FastifyError, type FastifyReply, type FastifyRequest, type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from "fastify";
import { fastifyTRPCPlugin } from "@trpc/server/adapters/fastify";
import { fastifyTRPCOpenApiPlugin } from "trpc-to-openapi";
import rateLimit from "@fastify/rate-limit";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import { isAdminNavigation, registerAdminApp, sendAdminIndex } from "./rest/admin-app.ts";
import { randomUUID } from "node:crypto";
import { AppError } from "@mkt-x/core";
import { followShortLink, shortLinkVisitor } from "@mkt-x/core/server";
import { appRouter } from "./router.ts";
import { contextFactory, type AppServices } from "./trpc/context.ts";
import { PAGINATED } from "./trpc/init.ts";
import { authHook } from "./auth/auth-hook.ts";
import type { TokenVerifier } from "./auth/verify-token.ts";
import { envelopeOf, isServerFault, toAppError } from "./errors.ts";
import { pgRateLimitStore, trpcCallCount, weightedKey } from "./rest/rate-limit-store.ts";
import { buildOpenApiDocument, BASE_PATH, AUTH_PATH } from "./openapi.ts";
import { buildPostmanCollection } from "./postman.ts";
import { webhookRoutes } from "./webhooks/routes.ts";
import { contactsCsvRoutes } from "./rest/contacts-csv.ts";
import { knowledgeCsvRoutes } from "./rest/knowledge-csv.ts";
import { xConnectCallbackRoutes } from "./rest/x-connect-callback.ts";
import { signInRoutes } from "./auth/sign-in-routes.ts";
import { createAccessTokenIssuer } from "./auth/access-tokens.ts";
import { withApiKeys } from "./auth/api-key-verifier.ts";
import { liveEventStreamRoute, type StreamOptions } from "./events/stream-route.ts";
import { devSimulateDmRoutes } from "./rest/dev-simulate-dm.ts";
import { apiMetrics } from "./metrics/metrics-route.ts";
import type { Metrics } from "@mkt-x/core/server";

export interface AppOptions {
  services: AppServices;
  verifyToken: TokenVerifier;
  consumerSecret: string;
  rateLimitPerMinute: number;
  /** checks behind /ready: the database and the queue */
  readiness: () => Promise<void>;
  logger?: FastifyServerOptions["logger"];
  publicUrl?: string;
  /** CRC challenges answered per client address per minute (default CRC_PER_MINUTE) */
  crcPerMinute?: number;
  /** keys the visitor hashes of short-link clicks (same on every instance, so a visitor counts once); default: random per process */
  visitorKey?: string;
  /** short-link hits per client address per minute (default SHORT_LINK_HITS_PER_MINUTE) */
  shortLinkHitsPerMinute?: number;
  /** connect-with-X callbacks per client address per minute (default X_CONNECT_CALLBACKS_PER_MINUTE) */
  xConnectCallbacksPerMinute?: number;
  /**
   * The service's own sign-in at /api/v1/auth/* (CONTRACT.md "Signing in"); absent when tokens come
   * from an external IAM (JWT_JWKS_URL), and then those routes answer 404.
   */
  signIn?: SignInOptions;
  /** SSE tuning (tests): heartbeat period and the unread bytes after which a client is dropped */
  liveEvents?: Omit<StreamOptions, "bus">;
  /** the built admin app (apps/admin/dist) served at `/`; absent or not built: not served */
  adminDir?: string;
  /**
   * Development with the X sandbox (X_SANDBOX=1): its base URL (X_API_BASE_URL), for
   * POST /dev/simulate-dm. Absent, that route does not exist (404).
   */
  devSandboxUrl?: string;
  /**
   * Prometheus (issue 12): the request histogram is kept whenever this is given; GET /metrics answers
   * with `token` (METRICS_TOKEN) as its bearer, and 404 without one.
   */
  metrics?: { metrics: Metrics; token: string | undefined };
}

export interface SignInOptions {
  /** signs the access tokens: JWT_SECRET */
  jwtSecret: string;
  /** seconds (ACCESS_TOKEN_TTL) */
  accessTokenTtl: number;
  /** SIGNUP_ENABLED: POST /api/v1/auth/signup */
  signupEnabled: boolean;
}

export const SHORT_LINK_HITS_PER_MINUTE = 60;

/** The most calls one tRPC batch request may carry; each counts against the rate limit. */
export const TRPC_MAX_BATCH_SIZE = 20;

const ENVELOPED = Symbol("enveloped");
declare module "fastify" {
  interface FastifyRequest {
    [ENVELOPED]?: boolean;
  }
}

export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger ?? false,
    genReqId: (req) => {
      const given = req.headers["x-request-id"];
      return typeof given === "string" && /^[\w.-]{1,64}$/.test(given) ? given : randomUUID();
    },
    routerOptions: { maxParamLength: 500 },
    bodyLimit: 1024 * 1024,
    // refusals fastify makes before any route runs answer the envelope too, like every other refusal
    frameworkErrors: answerFrameworkError,
    clientErrorHandler: answerClientError,
  });
  app.addHook("onSend", async (request, reply) => {
    reply.header("x-request-id", request.id);
  });

  // JSON bodies: an empty body is no body; malformed JSON is a 400 in the envelope.
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (_req, body, done) => {
    const text = typeof body === "string" ? body : body.toString("utf8");
    if (text.trim() === "") return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(new AppError("VALIDATION_ERROR", "Malformed JSON body"), undefined);
    }
  });

  app.setErrorHandler((error, request, reply) => {
    const appError = toAppError(error);
    if (isServerFault(appError)) request.log.error({ err: error }, "request failed");
    request[ENVELOPED] = true;
    return reply.code(appError.status).send(envelopeOf(appError));
  });
  const adminServed = opts.adminDir ? await registerAdminApp(app, opts.adminDir) : false;
  app.setNotFoundHandler((request, reply) => {
    if (adminServed && isAdminNavigation(request)) return sendAdminIndex(reply);
    request[ENVELOPED] = true;
    return reply.code(404).send(envelopeOf(new AppError("RESOURCE_NOT_FOUND", `Route ${request.method} ${request.url.split("?")[0]} not found`)));
  });

  const openapi = buildOpenApiDocument(opts.publicUrl ?? "", { signIn: opts.signIn !== undefined });
  // not in a plugin: its hooks must see every route registered after it
  if (opts.metrics) await apiMetrics(app, { ...opts.metrics, basePath: BASE_PATH, restPaths: Object.keys(openapi.paths ?? {}) });

  app.get("/health", async () => ({ status: "ok" }));
  app.get("/ready", async (_request, reply) => {
    try {
      await opts.readiness();
      return { status: "ready" };
    } catch (e) {
      _request.log.warn({ err: e }, "not ready");
      return reply.code(503).send({ status: "unavailable" });
    }
  });

  // campaign short links: count the click once per visitor, then send the person on (no auth: it is
  // a link in a DM); a client address gets a bounded number of hits a minute
  const visitorKey = opts.visitorKey ?? randomUUID();
  await app.register(async (links) => {
    await links.register(rateLimit, {
      max: opts.shortLinkHitsPerMinute ?? SHORT_LINK_HITS_PER_MINUTE,
      timeWindow: 60_000,
      errorResponseBuilder: (_req, ctx) => new AppError("RATE_LIMIT_EXCEEDED", `Too many link hits: ${ctx.max} per minute; retry in ${ctx.after}`),
    });
    links.get<{ Params: { code: string } }>("/r/:code", async (request, reply) => {
      const visitor = shortLinkVisitor(visitorKey, request.ip, request.headers["user-agent"]);
      const url = await followShortLink(opts.services.db, request.params.code, { visitor });
      if (!url) throw new AppError("RESOURCE_NOT_FOUND", "Link not found");
      return reply.code(302).header("location", url).header("cache-control", "no-store").send();
    });
  });

  await app.register(async (scope) => webhookRoutes(scope, { ingestor: opts.services.ingestor, consumerSecret: opts.consumerSecret, ...(opts.crcPerMinute !== undefined ? { crcPerMinute: opts.crcPerMinute } : {}) }), { prefix: BASE_PATH });
  // connect with X: X redirects the person here without a bearer, so it sits outside the auth hook
  await app.register(async (scope) => xConnectCallbackRoutes(scope, opts.services, { perMinute: opts.xConnectCallbacksPerMinute }), { prefix: BASE_PATH });

  const postman = buildPostmanCollection(openapi);
  await app.register(async (docs) => {
    docs.get(`${BASE_PATH}/openapi.json`, async () => openapi);
    docs.get(`${BASE_PATH}/postman-collection.json`, async () => postman);
    // @fastify/swagger types the document with another OpenAPI typing package: hand it plain JSON
    // the generator's OpenAPI types and fastify-swagger's differ; the JSON round trip is the plain document both mean
    // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment
    await docs.register(swagger, { mode: "static", specification: { document: JSON.parse(JSON.stringify(openapi)) } });
    await docs.register(swaggerUi, { routePrefix: `${BASE_PATH}/docs`, uiConfig: { persistAuthorization: true } });
  });

  // merchant API keys (`Bearer mktx_…`) are bearer tokens like JWTs, whatever issues the JWTs
  const verifyToken = withApiKeys(opts.verifyToken, opts.services.db);

  if (opts.signIn) {
    const signIn = opts.signIn;
    const deps = { db: opts.services.db, issueAccessToken: createAccessTokenIssuer({ secret: signIn.jwtSecret, ttlSeconds: signIn.accessTokenTtl }), accessTokenTtl: signIn.accessTokenTtl };
    const routes = async (scope: FastifyInstance) => signInRoutes(scope, { deps, signupEnabled: signIn.signupEnabled, verifyToken });
    // CONTRACT.md's address, and the same routes below the REST base path, where the OpenAPI
    // document's server (and so the Postman collection) says they are
    await app.register(routes, { prefix: AUTH_PATH });
    await app.register(routes, { prefix: `${BASE_PATH}/auth` });
  }

  const createContext = contextFactory(opts.services);
  // Authenticated surface: tRPC and its REST bridge share auth and the per-merchant rate limit.
  await app.register(async (api) => {
    api.addHook("onRequest", authHook(verifyToken));
    // an oversized tRPC batch is refused before it is counted or run
    api.addHook("onRequest", async (request) => {
      const calls = trpcCallCount(request);
      if (calls > TRPC_MAX_BATCH_SIZE) {
        throw new AppError("VALIDATION_ERROR", `A tRPC batch may carry at most ${TRPC_MAX_BATCH_SIZE} calls, this one has ${calls}`, { field: "batch", reason: `more than ${TRPC_MAX_BATCH_SIZE} calls` });
      }
    });
    await api.register(rateLimit, {
      hook: "preHandler",
      max: opts.rateLimitPerMinute,
      timeWindow: 60_000,
      store: pgRateLimitStore(opts.services.db, { max: opts.rateLimitPerMinute }),
      // each call of a tRPC batch counts like a REST call
      keyGenerator: (req) => weightedKey(req.auth?.merchantId ?? "anonymous", trpcCallCount(req)),
      allowList: (req) => !req.auth,
      errorResponseBuilder: (_req, ctx) => new AppError("RATE_LIMIT_EXCEEDED", `Rate limit exceeded: ${ctx.max} requests per minute; retry in ${ctx.after}`),
    });
    // the seed's X-RateLimit-Reset is a moment (epoch seconds), not a delay
    api.addHook("onSend", async (_request, reply) => {
      const reset = reply.getHeader("x-ratelimit-reset");
      if (reset !== undefined) reply.header("x-ratelimit-reset", Math.ceil(Date.now() / 1000) + Number(reset));
    });

    await api.register(fastifyTRPCPlugin, { prefix: "/trpc", trpcOptions: { router: appRouter, createContext, maxBatchSize: TRPC_MAX_BATCH_SIZE, onError: ({ error, req }: { error: unknown; req: { log: FastifyBaseLogger } }) => logFault(req.log, error) } });

    // CSV in and out of contacts: streamed, so outside the JSON-only bridge
    await api.register(async (csv) => contactsCsvRoutes(csv, { db: opts.services.db }), { prefix: BASE_PATH });
    // the AI's product catalog from CSV (issue 13), streamed the same way
    await api.register(async (csv) => knowledgeCsvRoutes(csv, { db: opts.services.db }), { prefix: BASE_PATH });
    // live events as Server-Sent Events: a stream, so outside the bridge too
    await api.register(async (sse) => liveEventStreamRoute(sse, { ...opts.liveEvents, bus: opts.services.events }), { prefix: BASE_PATH });
    // development only: write to an account as a customer, through the X sandbox
    const devSandboxUrl = opts.devSandboxUrl;
    if (devSandboxUrl) await api.register(async (dev) => devSimulateDmRoutes(dev, { services: opts.services, sandboxUrl: devSandboxUrl }), { prefix: BASE_PATH });

    await api.register(async (rest) => {
      // trpc-to-openapi's fastify handler sends through reply.send() but resolves with undefined,
      // which fastify takes for "not answered yet" and answers a second time: return the reply.
      rest.addHook("onRoute", (route) => {
        const handler = route.handler;
        route.handler = async function (this: FastifyInstance, request, reply) {
          await handler.call(this, request, reply);
          return reply;
        };
      });
      // body-less POST/PUT (start, pause, …) need no content type
      rest.addHook("preHandler", async (request) => {
        if (["POST", "PUT", "PATCH"].includes(request.method) && !request.headers["content-type"]) {
          request.headers["content-type"] = "application/json";
        }
      });
      rest.addHook("onSend", async (request, reply, payload) => {
        if (request[ENVELOPED] || typeof payload !== "string") return payload;
        const body: unknown = payload === "" ? null : JSON.parse(payload);
        if (reply.statusCode < 400) {
          if (request[PAGINATED] && isRecord(body)) return JSON.stringify({ success: true, data: body.data, pagination: body.pagination });
          return JSON.stringify({ success: true, data: body ?? null });
        }
        return JSON.stringify(restError(body));
      });
      await rest.register(fastifyTRPCOpenApiPlugin, {
        basePath: BASE_PATH,
        router: appRouter,
        createContext,
        responseMeta: ({ errors }: { errors: unknown[] }) => (errors[0] ? errorMeta(toAppError(errors[0])) : {}),
        onError: ({ error }: { error: unknown }) => logFault(app.log, error),
      });
    });
  });

  return app;
}

/** An error's status, and Retry-After when it says when to try again (a full post window, say). */
function errorMeta(e: AppError): { status: number; headers?: Record<string, string> } {
  const retryAfter = e.details && !Array.isArray(e.details) ? e.details.retryAfterSeconds : undefined;
  return typeof retryAfter === "number" ? { status: e.status, headers: { "retry-after": String(retryAfter) } } : { status: e.status };
}

/** A URL the router cannot decode, or a path parameter longer than maxParamLength. */
function answerFrameworkError(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const appError =
    error.code === "FST_ERR_BAD_URL"
      ? new AppError("VALIDATION_ERROR", "Malformed URL: a path segment is not valid percent-encoded UTF-8")
      : error.code === "FST_ERR_MAX_PARAM_LENGTH"
        ? new AppError("VALIDATION_ERROR", "A path parameter is too long", undefined, 414)
        : toAppError(error);
  void reply.code(appError.status).send(envelopeOf(appError));
}

/**
 * A request Node's HTTP parser refuses (headers or URL over its size limit, bytes that are not
 * HTTP): no fastify request exists, so the envelope is written on the socket as fastify's own
 * default handler does with its own body.
 */
function answerClientError(error: ConnectionError, socket: Socket) {
  if (error.code === "ECONNRESET" || socket.destroyed) return;
  const [status, message] = error.code === "HPE_HEADER_OVERFLOW" ? [431, "Request headers (or URL) too large"] : error.code === "ERR_HTTP_REQUEST_TIMEOUT" ? [408, "Request not received in time"] : [400, "Malformed HTTP request"];
  const body = JSON.stringify(envelopeOf(new AppError("VALIDATION_ERROR", message, undefined, status)));
  if (socket.writable) socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  socket.destroy(error);
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** trpc-to-openapi's error body ({ message, data: formatted shape }) → the seed's envelope. */
function restError(body: unknown) {
  const data = isRecord(body) && isRecord(body.data) ? body.data : {};
  const message = isRecord(body) && typeof body.message === "string" ? body.message : "Internal server error";
  const code = typeof data.appCode === "string" ? data.appCode : "INTERNAL_ERROR";
  return { success: false, error: code === "VALIDATION_ERROR" && message === "Input validation failed" ? "Request validation failed" : message, code, ...(data.details ? { details: data.details } : {}) };
}

function logFault(log: { error: (o: object, m: string) => void }, error: unknown) {
  const app = toAppError(error);
  if (isServerFault(app)) log.error({ err: error }, "procedure failed");
}

