import { CreateSegmentInput, Segment } from "@mkt-x/core";
import { createSegment } from "@mkt-x/core/server";
import { adminProcedure } from "../../trpc/init.ts";

export const createSegmentProcedure = adminProcedure
  .meta({ openapi: { method: "POST", path: "/segments", tags: ["segments"], summary: "Create a segment", description: "Conditions are compiled to one SQL predicate over the merchant's contacts; the answer carries how many match now. A faulty condition is a 400 whose details.issues name each one: [{ index, field, reason }] (details.field and details.reason repeat the first).", protect: true, errorResponses: { 400: "Invalid name or conditions (details name each faulty condition by index)", 401: "Unauthorized", 403: "Forbidden" } } })
  .input(CreateSegmentInput)
  .output(Segment)
  .mutation(({ ctx, input }) => createSegment(ctx.db, { merchantId: ctx.merchantId, input }));
