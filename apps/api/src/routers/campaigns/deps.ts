import type { LifecycleDeps, ScopedDb } from "@mkt-x/core/server";
import type { ProcedureServices } from "../../trpc/context.ts";

export const lifecycleDeps = (ctx: { db: ScopedDb; merchantId: string; services: ProcedureServices }): LifecycleDeps => ({
  db: ctx.db,
  queue: ctx.services.queue,
  merchantId: ctx.merchantId,
});
