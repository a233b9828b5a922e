import { initTRPC, TRPCError } from "@trpc/server";
import type { OpenApiMeta } from "trpc-to-openapi";
import { AppError, can, findUnstorableText, type Permission } from "@mkt-x/core";
import { scopeToMerchant } from "@mkt-x/core/server";
import type { Context, ProcedureServices } from "./context.ts";
import { toAppError } from "../errors.ts";

export const PAGINATED = Symbol("paginated");
declare module "fastify" {
  interface FastifyRequest {
    [PAGINATED]?: boolean;
  }
}

const t = initTRPC
  .context<Context>()
  .meta<OpenApiMeta>()
  .create({
    errorFormatter({ shape, error }) {
      const app = toAppError(error);
      // tRPC clients read data.appCode/details; the REST bridge passes this shape through to onSend
      return { ...shape, message: app.message, data: { ...shape.data, stack: undefined, httpStatus: app.status, appCode: app.code, details: app.details ?? null } };
    },
  });

export const router = t.router;
export const publicProcedure = t.procedure;

const authed = t.procedure.use(async ({ ctx, next, getRawInput }) => {
  if (!ctx.auth) throw new TRPCError({ code: "UNAUTHORIZED", cause: new AppError("UNAUTHORIZED", ctx.authError ?? "Authentication required") });
  // text PostgreSQL cannot store (NUL, unpaired surrogates) is bad input, named, never a 500
  const unstorable = findUnstorableText(await getRawInput());
  if (unstorable !== null) {
    throw new AppError("VALIDATION_ERROR", "Text must not contain NUL characters or unpaired UTF-16 surrogates", [{ field: unstorable, message: "contains a NUL character or an unpaired surrogate" }]);
  }
  const { merchantId, userId, role } = ctx.auth;
  // From here on the only database a procedure can reach is scoped to the caller's merchant: the
  // plain client is taken out of the services it sees (the queue takes the scoped client's transactions).
  const { db, ...services } = ctx.services;
  const procedureServices: ProcedureServices = services;
  return next({ ctx: { merchantId, userId, role, db: scopeToMerchant(db, merchantId), services: procedureServices, req: ctx.req, res: ctx.res } });
});

const requiring = (permission: Permission) =>
  authed.use(({ ctx, next }) => {
    if (!can(ctx.role, permission)) throw new TRPCError({ code: "FORBIDDEN", cause: new AppError("FORBIDDEN", `Role '${ctx.role}' may not do this`) });
    return next();
  });

/** viewer and up */
export const readProcedure = requiring("read");
/** agent and up: contacts, conversations, messages, AI escalation */
export const inboxProcedure = requiring("inbox");
/** admin and owner */
export const adminProcedure = requiring("admin");

/** Marks a list response so the REST envelope lifts `pagination` beside `data`. */
export function markPaginated(ctx: { req: Context["req"] }) {
  ctx.req[PAGINATED] = true;
}
