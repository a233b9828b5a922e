import { pagination, type Pagination } from "../../../contract/common.ts";
import type { ListSegmentsInput, Segment } from "../../../contract/segments.ts";
import type { ScopedDb } from "../../scoped-db.ts";
import { currentSegmentCount } from "./count-segment.ts";
import { toSegmentDto } from "./segment-dto.ts";

/** Newest first; each segment on the page is counted afresh (side by side, over the pool). */
export async function listSegments(db: ScopedDb, opts: { merchantId: string; page: ListSegmentsInput; now?: Date }): Promise<{ data: Segment[]; pagination: Pagination }> {
  const [rows, total] = await Promise.all([
    db.segment.findMany({ orderBy: [{ createdAt: "desc" }, { id: "asc" }], skip: opts.page.skip, take: opts.page.take }),
    db.segment.count(),
  ]);
  const data = await Promise.all(rows.map(async (segment) => toSegmentDto(segment, await currentSegmentCount(db, { merchantId: opts.merchantId, segment, now: opts.now }))));
  return { data, pagination: pagination(opts.page, total) };
}
