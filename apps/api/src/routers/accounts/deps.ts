import type { AccountDeps, ScopedDb } from "@mkt-x/core/server";
import type { ProcedureServices } from "../../trpc/context.ts";
import type { FastifyRequest } from "fastify";

export const accountDeps = (ctx: { db: ScopedDb; merchantId: string; services: ProcedureServices; req: FastifyRequest }): AccountDeps => ({
  db: ctx.db,
  queue: ctx.services.queue,
  merchantId: ctx.merchantId,
  x: ctx.services.x,
  cipher: ctx.services.cipher,
  webhookUrl: ctx.services.webhookUrl,
  log: ctx.req.log,
});
