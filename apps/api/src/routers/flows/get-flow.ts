import { Flow, FlowIdInput } from "@mkt-x/core";
import { loadFlow, toFlowDto } from "@mkt-x/core/server";
import { readProcedure } from "../../trpc/init.ts";

export const getFlowProcedure = readProcedure
  .meta({ openapi: { method: "GET", path: "/automation/flows/{flowId}", tags: ["automation"], summary: "Get an automation flow", protect: true, errorResponses: { 401: "Unauthorized", 404: "Flow not found" } } })
  .input(FlowIdInput)
  .output(Flow)
  .query(async ({ ctx, input }) => toFlowDto(await loadFlow(ctx.db, input.flowId)));
