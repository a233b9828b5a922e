import { z } from "zod";
import { SegmentIdInput } from "@mkt-x/core";
import { deleteSegment } from "@mkt-x/core/server";
import { adminProcedure } from "../../trpc/init.ts";

export const deleteSegmentProcedure = adminProcedure
  .meta({ openapi: { method: "DELETE", path: "/segments/{segmentId}", tags: ["segments"], summary: "Delete a segment", description: "Refused with 409 while a scheduled, running or paused campaign uses it (details.campaignIds); draft, completed and cancelled campaigns just lose the segment.", protect: true, errorResponses: { 401: "Unauthorized", 403: "Forbidden", 404: "Segment not found", 409: "Segment is being used by active campaigns" } } })
  .input(SegmentIdInput)
  .output(z.null())
  .mutation(({ ctx, input }) => deleteSegment(ctx.db, { merchantId: ctx.merchantId, segmentId: input.segmentId }));
