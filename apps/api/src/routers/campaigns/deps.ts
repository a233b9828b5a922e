import type { Db } from "@mkt-x/db";
import type { LifecycleDeps, ScopedDb } from "@mkt-x/core/server";
import type { AppServices } from "../../trpc/context.ts";

export const lifecycleDeps = (ctx: { db: ScopedDb; merchantId: string; services: AppServices }): LifecycleDeps & { rootDb: Db } => ({
  db: ctx.db,
  rootDb: ctx.services.db,
  queue: ctx.services.queue,
  merchantId: ctx.merchantId,
});
