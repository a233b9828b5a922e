// The built admin app served from the API's port (`pnpm start`): hashed assets cached for a year,
// index.html never cached, and every other browser navigation answered with index.html so the
// app's router can take it, but never a path the API owns (/api, /trpc, /r/, /health, /ready).
import { existsSync } from "node:fs";
import { join } from "node:path";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

const API_PATHS = /^\/(api|trpc)(\/|$)|^\/r\/|^\/(health|ready)(\/|$)/;

/** True for a request the SPA fallback may answer: a GET/HEAD page navigation outside the API. */
export function isAdminNavigation(request: FastifyRequest): boolean {
  if (request.method !== "GET" && request.method !== "HEAD") return false;
  const path = request.url.split("?")[0] ?? "/";
  if (API_PATHS.test(path) || path.startsWith("/assets/")) return false;
  const accept = request.headers.accept ?? "";
  return accept.includes("text/html");
}

/** Registers the admin's static files when `dir` holds a build; answers whether it did. */
export async function registerAdminApp(app: FastifyInstance, dir: string): Promise<boolean> {
  if (!existsSync(join(dir, "index.html"))) return false;
  await app.register(fastifyStatic, {
    root: dir,
    prefix: "/",
    wildcard: false,
    index: false,
    setHeaders: (reply, path) => {
      reply.header("cache-control", path.includes(`${join(dir, "assets")}`) ? "public, max-age=31536000, immutable" : "no-cache");
    },
  });
  return true;
}

export function sendAdminIndex(reply: FastifyReply) {
  return reply.header("cache-control", "no-cache").type("text/html; charset=utf-8").sendFile("index.html");
}
