import type { AccountDeps, ScopedDb } from "@mkt-x/core/server";
import type { AppServices } from "../../trpc/context.ts";
import type { FastifyRequest } from "fastify";

export const accountDeps = (ctx: { db: ScopedDb; merchantId: string; services: AppServices; req: FastifyRequest }): AccountDeps => ({
  db: ctx.db,
  rootDb: ctx.services.db,
  queue: ctx.services.queue,
  merchantId: ctx.merchantId,
  x: ctx.services.x,
  cipher: ctx.services.cipher,
  webhookUrl: ctx.services.webhookUrl,
  log: ctx.req.log,
});
