import { Segment, SegmentIdInput } from "@mkt-x/core";
import { getSegment } from "@mkt-x/core/server";
import { readProcedure } from "../../trpc/init.ts";

export const getSegmentProcedure = readProcedure
  .meta({ openapi: { method: "GET", path: "/segments/{segmentId}", tags: ["segments"], summary: "Get a segment", description: "With its contactCount counted afresh.", protect: true, errorResponses: { 401: "Unauthorized", 404: "Segment not found" } } })
  .input(SegmentIdInput)
  .output(Segment)
  .query(({ ctx, input }) => getSegment(ctx.db, { merchantId: ctx.merchantId, segmentId: input.segmentId }));
