import { Flow, ListFlowsInput, paginated } from "@mkt-x/core";
import { listFlows } from "@mkt-x/core/server";
import { markPaginated, readProcedure } from "../../trpc/init.ts";

export const listFlowsProcedure = readProcedure
  .meta({ openapi: { method: "GET", path: "/automation/flows", tags: ["automation"], summary: "List automation flows", protect: true, errorResponses: { 400: "Invalid query", 401: "Unauthorized" } } })
  .input(ListFlowsInput)
  .output(paginated(Flow))
  .query(({ ctx, input }) => {
    markPaginated(ctx);
    return listFlows(ctx.db, { input });
  });
