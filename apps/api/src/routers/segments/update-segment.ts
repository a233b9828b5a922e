import { Segment, UpdateSegmentInput } from "@mkt-x/core";
import { updateSegment } from "@mkt-x/core/server";
import { adminProcedure } from "../../trpc/init.ts";

export const updateSegmentProcedure = adminProcedure
  .meta({ openapi: { method: "PUT", path: "/segments/{segmentId}", tags: ["segments"], summary: "Update a segment", description: "name, conditions and match, each optional: what is left out stays. Conditions replace the old ones as a whole.", protect: true, errorResponses: { 400: "Invalid name or conditions (details name each faulty condition by index)", 401: "Unauthorized", 403: "Forbidden", 404: "Segment not found" } } })
  .input(UpdateSegmentInput)
  .output(Segment)
  .mutation(({ ctx, input }) => {
    const { segmentId, ...changes } = input;
    return updateSegment(ctx.db, { merchantId: ctx.merchantId, segmentId, changes });
  });
