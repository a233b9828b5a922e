// /api/v1/auth/*: the service's own sign-in (CONTRACT.md "Signing in"). Plain fastify routes with
// the contract's zod schemas, outside the REST bridge (they live outside its base path); errors are
// thrown as AppError/ZodError and enveloped by the app's error handler like every other route.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { z } from "zod";
import { AcceptInviteInput, AppError, findUnstorableText, LoginInput, LogoutInput, RefreshInput, SignupInput } from "@mkt-x/core";
import { acceptInvite, dummyPasswordHash, getMe, login, logout, refresh, signup, type SignInDeps } from "@mkt-x/core/server";
import { authHook } from "./auth-hook.ts";
import type { TokenVerifier } from "./verify-token.ts";

export interface SignInRouteOptions {
  deps: SignInDeps;
  signupEnabled: boolean;
  verifyToken: TokenVerifier;
}

function bodyOf<S extends z.ZodType>(schema: S, request: FastifyRequest): z.infer<S> {
  // text PostgreSQL cannot store is bad input, named, never a 500 (as for the tRPC procedures)
  const unstorable = findUnstorableText(request.body);
  if (unstorable !== null) throw new AppError("VALIDATION_ERROR", "Text must not contain NUL characters or unpaired UTF-16 surrogates", [{ field: unstorable, message: "contains a NUL character or an unpaired surrogate" }]);
  return schema.parse(request.body ?? {});
}

const ok = (reply: FastifyReply, data: unknown) => reply.header("cache-control", "no-store").send({ success: true, data });

export async function signInRoutes(app: FastifyInstance, opts: SignInRouteOptions) {
  // the unknown-email path verifies against this hash: have it ready before the first request
  await dummyPasswordHash();
  const { deps } = opts;

  app.post("/login", async (request, reply) => {
    try {
      return ok(reply, await login(deps, bodyOf(LoginInput, request)));
    } catch (e) {
      if (e instanceof AppError && e.code === "RATE_LIMIT_EXCEEDED" && e.details && !Array.isArray(e.details) && typeof e.details.retryAfterSeconds === "number") {
        reply.header("retry-after", String(e.details.retryAfterSeconds));
      }
      throw e;
    }
  });
  app.post("/refresh", async (request, reply) => ok(reply, await refresh(deps, bodyOf(RefreshInput, request))));
  app.post("/logout", async (request, reply) => ok(reply, await logout(deps, bodyOf(LogoutInput, request))));
  app.post("/accept-invite", async (request, reply) => ok(reply, await acceptInvite(deps, bodyOf(AcceptInviteInput, request))));
  if (opts.signupEnabled) app.post("/signup", async (request, reply) => ok(reply, await signup(deps, bodyOf(SignupInput, request))));

  const readBearer = authHook(opts.verifyToken);
  app.get("/me", async (request, reply) => {
    await readBearer(request);
    if (!request.auth) throw new AppError("UNAUTHORIZED", request.authError ?? "Authentication required");
    return ok(reply, await getMe(deps, { userId: request.auth.userId, merchantId: request.auth.merchantId }));
  });
}
