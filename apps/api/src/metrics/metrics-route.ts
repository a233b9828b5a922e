// Prometheus for the API: GET /metrics (outside the REST base path, behind METRICS_TOKEN) and the
// request-latency histogram. The route label is a pattern, never a URL: REST calls all land on
// trpc-to-openapi's catch-all route, so their pattern is found in the OpenAPI document's paths.
import type { FastifyInstance } from "fastify";
import { AppError } from "@mkt-x/core";
import { METRICS_CONTENT_TYPE, metricsAuthorized, type Metrics } from "@mkt-x/core/server";

export interface ApiMetricsOptions {
  metrics: Metrics;
  /** METRICS_TOKEN; unset: GET /metrics answers 404 (the histogram is still kept, for a later scrape) */
  token: string | undefined;
  /** the REST base path and the OpenAPI document's paths below it (`/accounts/{accountId}`, …) */
  basePath: string;
  restPaths: string[];
}

const ORIGINAL_PATH = Symbol("originalPath");
declare module "fastify" {
  interface FastifyRequest {
    [ORIGINAL_PATH]?: string;
  }
}

export async function apiMetrics(app: FastifyInstance, opts: ApiMetricsOptions) {
  const restRoute = restRouteMatcher(opts.basePath, opts.restPaths);
  const catchAll = `${opts.basePath}/*`;

  // trpc-to-openapi rewrites request.url before its handler runs: keep the path as it arrived
  app.addHook("onRequest", async (request) => {
    request[ORIGINAL_PATH] = request.url.split("?")[0] ?? "/";
  });
  app.addHook("onResponse", async (request, reply) => {
    const pattern = request.routeOptions.url;
    const route = pattern === undefined ? "unmatched" : pattern === catchAll ? restRoute(request[ORIGINAL_PATH] ?? "") : pattern;
    opts.metrics.httpDuration.observe({ method: request.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });

  app.get("/metrics", async (request, reply) => {
    // disabled looks like absent: nothing tells a prober that metrics exist here
    if (!opts.token) throw new AppError("RESOURCE_NOT_FOUND", `Route ${request.method} /metrics not found`);
    if (!metricsAuthorized(request.headers.authorization, opts.token)) throw new AppError("UNAUTHORIZED", "A valid metrics bearer token (METRICS_TOKEN) is required");
    const text = await opts.metrics.expose();
    return reply.header("content-type", METRICS_CONTENT_TYPE).header("cache-control", "no-store").send(text);
  });
}

/** `/api/v1/mkt-x/accounts/9f…` → `/api/v1/mkt-x/accounts/{accountId}`; a path the document lacks is `unmatched`. */
export function restRouteMatcher(basePath: string, paths: string[]): (path: string) => string {
  // static segments before parameters, as the router orders them: /contacts/export beats /contacts/{id}
  const specificity = (p: string) => p.split("/").map((s) => (s.startsWith("{") ? "1" : "0")).join("");
  const routes = [...paths]
    .sort((a, b) => specificity(a).localeCompare(specificity(b)))
    .map((p) => ({ route: `${basePath}${p}`, regex: new RegExp(`^${p.split("/").map((s) => (s.startsWith("{") ? "[^/]+" : escapeRegExp(s))).join("/")}/?$`) }));
  return (path) => {
    if (!path.startsWith(basePath)) return "unmatched";
    const rest = path.slice(basePath.length);
    return routes.find((r) => r.regex.test(rest))?.route ?? "unmatched";
  };
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
