import { FlowRun, IdempotencyKeyHeader, RunFlowInput } from "@mkt-x/core";
import { runFlowManually } from "@mkt-x/core/server";
import { adminProcedure } from "../../trpc/init.ts";
import { idempotencyKeyOf } from "../conversations/idempotency-key.ts";

export const runFlowProcedure = adminProcedure
  .meta({ openapi: { method: "POST", path: "/automation/flows/{flowId}/run", tags: ["automation"], summary: "Run an active flow now for listed contacts", description: "How `manual` flows start; any active flow can also be run for contacts this way. One new execution per distinct contact per call, all or none; with an Idempotency-Key, a retry (same user, same key) starts nothing new and answers the executions of the first call (started 0). Its DMs go through the send pipeline as automated DMs (consent and opt-out apply).", protect: true, requestHeaders: IdempotencyKeyHeader, errorResponses: { 400: "Invalid input, an inactive flow or an unknown contact", 401: "Unauthorized", 403: "Forbidden", 404: "Flow not found" } } })
  .input(RunFlowInput)
  .output(FlowRun)
  .mutation(({ ctx, input }) => {
    const key = idempotencyKeyOf(ctx.req);
    // keys are per user, as for replies
    const idempotencyKey = key === undefined ? undefined : `hdr:${ctx.userId}:${key}`;
    return runFlowManually({ db: ctx.db, queue: ctx.services.queue, merchantId: ctx.merchantId }, input, { idempotencyKey });
  });
