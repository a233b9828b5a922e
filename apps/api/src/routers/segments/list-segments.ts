import { ListSegmentsInput, Segment, paginated } from "@mkt-x/core";
import { listSegments } from "@mkt-x/core/server";
import { markPaginated, readProcedure } from "../../trpc/init.ts";

export const listSegmentsProcedure = readProcedure
  .meta({ openapi: { method: "GET", path: "/segments", tags: ["segments"], summary: "List segments", description: "Newest first, skip/take. Each segment's contactCount is counted afresh.", protect: true, errorResponses: { 400: "Invalid query", 401: "Unauthorized" } } })
  .input(ListSegmentsInput)
  .output(paginated(Segment))
  .query(({ ctx, input }) => {
    markPaginated(ctx);
    return listSegments(ctx.db, { merchantId: ctx.merchantId, page: input });
  });
