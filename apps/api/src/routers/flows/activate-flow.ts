import { Flow, FlowIdInput } from "@mkt-x/core";
import { activateFlow } from "@mkt-x/core/server";
import { adminProcedure } from "../../trpc/init.ts";

export const activateFlowProcedure = adminProcedure
  .meta({ openapi: { method: "POST", path: "/automation/flows/{flowId}/activate", tags: ["automation"], summary: "Activate an automation flow", description: "From then on its trigger starts executions. Needs at least one node.", protect: true, errorResponses: { 400: "The flow has no node, an unsound graph or an unknown template", 401: "Unauthorized", 403: "Forbidden", 404: "Flow not found" } } })
  .input(FlowIdInput)
  .output(Flow)
  .mutation(({ ctx, input }) => activateFlow(ctx.db, { flowId: input.flowId }));
