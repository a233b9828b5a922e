import { FlowExecution, ListFlowExecutionsInput, paginated } from "@mkt-x/core";
import { listFlowExecutions } from "@mkt-x/core/server";
import { markPaginated, readProcedure } from "../../trpc/init.ts";

export const flowExecutionsProcedure = readProcedure
  .meta({ openapi: { method: "GET", path: "/automation/flows/{flowId}/executions", tags: ["automation"], summary: "List a flow's executions", protect: true, errorResponses: { 400: "Invalid query", 401: "Unauthorized", 404: "Flow not found" } } })
  .input(ListFlowExecutionsInput)
  .output(paginated(FlowExecution))
  .query(({ ctx, input }) => {
    markPaginated(ctx);
    return listFlowExecutions(ctx.db, { input });
  });
