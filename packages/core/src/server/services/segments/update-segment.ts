import type { Segment, UpdateSegmentBody } from "../../../contract/segments.ts";
import type { ScopedDb } from "../../scoped-db.ts";
import { refreshSegmentCount } from "./count-segment.ts";
import { findSegment } from "./get-segment.ts";
import { checkConditions, toSegmentDto } from "./segment-dto.ts";

/**
 * Changes the name, the conditions or the match mode (what is left out stays). Campaigns already
 * running keep the recipients they fanned out to; their later runs read the segment as it is then.
 */
export async function updateSegment(db: ScopedDb, opts: { merchantId: string; segmentId: string; changes: UpdateSegmentBody; now?: Date }): Promise<Segment> {
  const { name, match } = opts.changes;
  const conditions = opts.changes.conditions === undefined ? undefined : checkConditions(opts.changes.conditions);
  const current = await findSegment(db, opts.segmentId);
  const segment = await db.segment.update({
    where: { id: current.id },
    data: { ...(name !== undefined ? { name } : {}), ...(conditions !== undefined ? { conditions } : {}), ...(match !== undefined ? { match } : {}) },
  });
  return toSegmentDto(segment, await refreshSegmentCount(db, { merchantId: opts.merchantId, segment, now: opts.now }));
}
