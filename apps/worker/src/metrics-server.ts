// The worker's Prometheus endpoint: a tiny HTTP server (the worker has no other) answering
// GET /metrics with the bearer METRICS_TOKEN, in the API's envelope for anything else.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { METRICS_CONTENT_TYPE, metricsAuthorized, type Metrics } from "@mkt-x/core/server";

export interface MetricsServer {
  /** the port it listens on (useful with port 0) */
  port: number;
  close(): Promise<void>;
}

export async function startMetricsServer(opts: { metrics: Metrics; token: string; port: number; host: string }): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    const envelope = (status: number, code: string, error: string) => {
      res.writeHead(status, { "content-type": "application/json; charset=utf-8" });
      res.end(JSON.stringify({ success: false, error, code }));
    };
    const path = (req.url ?? "/").split("?")[0];
    if (path !== "/metrics" || (req.method !== "GET" && req.method !== "HEAD")) return envelope(404, "RESOURCE_NOT_FOUND", `Route ${req.method ?? "GET"} ${path ?? "/"} not found`);
    if (!metricsAuthorized(req.headers.authorization, opts.token)) return envelope(401, "UNAUTHORIZED", "A valid metrics bearer token (METRICS_TOKEN) is required");
    opts.metrics.expose().then(
      (text) => {
        res.writeHead(200, { "content-type": METRICS_CONTENT_TYPE, "cache-control": "no-store" });
        res.end(req.method === "HEAD" ? undefined : text);
      },
      () => envelope(500, "INTERNAL_ERROR", "Internal server error"),
    );
  });
  server.listen(opts.port, opts.host);
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
