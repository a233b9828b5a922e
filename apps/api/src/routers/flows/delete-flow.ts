import { z } from "zod";
import { FlowIdInput } from "@mkt-x/core";
import { deleteFlow } from "@mkt-x/core/server";
import { adminProcedure } from "../../trpc/init.ts";

export const deleteFlowProcedure = adminProcedure
  .meta({ openapi: { method: "DELETE", path: "/automation/flows/{flowId}", tags: ["automation"], summary: "Delete an automation flow and its executions", protect: true, errorResponses: { 401: "Unauthorized", 403: "Forbidden", 404: "Flow not found" } } })
  .input(FlowIdInput)
  .output(z.null())
  .mutation(({ ctx, input }) => deleteFlow(ctx.db, { flowId: input.flowId }));
