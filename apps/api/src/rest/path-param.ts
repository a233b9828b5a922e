import type { FastifyRequest } from "fastify";

/**
 * A path parameter as the client meant it. trpc-to-openapi hands path parameters to procedures
 * still percent-encoded (mcampa/trpc-to-openapi#166), while tRPC callers (route /trpc/:path) send
 * them plain: decode only what came through the REST bridge. Ids (UUIDs) never need it; free text
 * such as a tag does.
 */
export function pathParam(req: FastifyRequest, value: string): string {
  if ((req.routeOptions.url ?? "").startsWith("/trpc/")) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
