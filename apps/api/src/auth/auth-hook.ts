// Reads the bearer token once per request; procedures decide whether they need it (401/403).
import type { FastifyRequest } from "fastify";
import type { TokenVerifier } from "./verify-token.ts";
import "../trpc/context.ts";

export function authHook(verify: TokenVerifier) {
  return async (request: FastifyRequest) => {
    request.auth = null;
    request.authError = null;
    const header = request.headers.authorization;
    if (!header) {
      request.authError = "Missing bearer token";
      return;
    }
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1]) {
      request.authError = "Authorization header must be 'Bearer <token>'";
      return;
    }
    try {
      request.auth = await verify(match[1]);
    } catch {
      request.authError = "Invalid or expired token";
    }
  };
}
