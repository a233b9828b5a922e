import type { FastifyRequest } from "fastify";
import { AppError, PREVIEW_MAX_LIMIT, PreviewLimit, PreviewSegmentInput, SegmentPreview } from "@mkt-x/core";
import { previewSegment } from "@mkt-x/core/server";
import { readProcedure } from "../../trpc/init.ts";

/**
 * `?limit=` of POST /segments/{segmentId}/preview. The REST bridge reads a POST's input from its
 * body only, so the seed's query parameter is read here; tRPC clients pass `limit` in the input.
 */
function queryLimit(req: FastifyRequest): number | undefined {
  if ((req.routeOptions.url ?? "").startsWith("/trpc/")) return undefined;
  const query: unknown = req.query;
  const raw = typeof query === "object" && query !== null && "limit" in query ? query.limit : undefined;
  if (raw === undefined) return undefined;
  const parsed = PreviewLimit.safeParse(typeof raw === "string" && /^\d{1,6}$/.test(raw) ? Number(raw) : raw);
  if (!parsed.success) throw new AppError("VALIDATION_ERROR", `limit must be a whole number from 1 to ${PREVIEW_MAX_LIMIT}`, [{ field: "limit", message: parsed.error.issues[0]?.message ?? "invalid" }]);
  return parsed.data;
}

export const previewSegmentProcedure = readProcedure
  .meta({ openapi: { method: "POST", path: "/segments/{segmentId}/preview", tags: ["segments"], summary: "Preview the contacts of a segment", description: `totalMatches (also stored as the segment's contactCount) and the first contacts that match, most recent interaction first. Query parameter limit: 1 to ${PREVIEW_MAX_LIMIT}, default 10 (above ${PREVIEW_MAX_LIMIT} is a 400). No body is needed.`, protect: true, errorResponses: { 400: `limit is not a whole number from 1 to ${PREVIEW_MAX_LIMIT}`, 401: "Unauthorized", 404: "Segment not found" } } })
  .input(PreviewSegmentInput)
  .output(SegmentPreview)
  .mutation(({ ctx, input }) => previewSegment(ctx.db, { merchantId: ctx.merchantId, segmentId: input.segmentId, limit: input.limit ?? queryLimit(ctx.req) }));
