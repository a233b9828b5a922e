import { Flow, UpdateFlowInput } from "@mkt-x/core";
import { updateFlow } from "@mkt-x/core/server";
import { adminProcedure } from "../../trpc/init.ts";

export const updateFlowProcedure = adminProcedure
  .meta({ openapi: { method: "PUT", path: "/automation/flows/{flowId}", tags: ["automation"], summary: "Update a draft or inactive automation flow", protect: true, errorResponses: { 400: "Cannot update active flows (deactivate first), or invalid input", 401: "Unauthorized", 403: "Forbidden", 404: "Flow not found" } } })
  .input(UpdateFlowInput)
  .output(Flow)
  .mutation(({ ctx, input }) => updateFlow(ctx.db, { input }));
