import type { SegmentModel } from "@mkt-x/db";
import { notFound } from "../../../errors.ts";
import { isUuid } from "../../../contract/common.ts";
import type { Segment } from "../../../contract/segments.ts";
import type { ScopedDb } from "../../scoped-db.ts";
import { currentSegmentCount } from "./count-segment.ts";
import { toSegmentDto } from "./segment-dto.ts";

/** The merchant's segment, or a 404 (also for ids that are not UUIDs and other merchants' segments). */
export async function findSegment(db: ScopedDb, segmentId: string): Promise<SegmentModel> {
  if (!isUuid(segmentId)) throw notFound("Segment", segmentId);
  const segment = await db.segment.findFirst({ where: { id: segmentId } });
  if (!segment) throw notFound("Segment", segmentId);
  return segment;
}

export async function getSegment(db: ScopedDb, opts: { merchantId: string; segmentId: string; now?: Date }): Promise<Segment> {
  const segment = await findSegment(db, opts.segmentId);
  return toSegmentDto(segment, await currentSegmentCount(db, { merchantId: opts.merchantId, segment, now: opts.now }));
}
