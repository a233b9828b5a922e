import { Flow, FlowIdInput } from "@mkt-x/core";
import { deactivateFlow } from "@mkt-x/core/server";
import { adminProcedure } from "../../trpc/init.ts";

export const deactivateFlowProcedure = adminProcedure
  .meta({ openapi: { method: "POST", path: "/automation/flows/{flowId}/deactivate", tags: ["automation"], summary: "Deactivate an automation flow", description: "Its running executions are cancelled.", protect: true, errorResponses: { 401: "Unauthorized", 403: "Forbidden", 404: "Flow not found" } } })
  .input(FlowIdInput)
  .output(Flow)
  .mutation(({ ctx, input }) => deactivateFlow(ctx.db, { flowId: input.flowId }));
