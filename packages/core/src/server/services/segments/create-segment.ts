import type { CreateSegmentInput, Segment } from "../../../contract/segments.ts";
import type { ScopedDb } from "../../scoped-db.ts";
import { countSegmentContacts } from "./count-segment.ts";
import { checkConditions, toSegmentDto } from "./segment-dto.ts";

/** A new segment, answered with the number of contacts it holds now. */
export async function createSegment(db: ScopedDb, opts: { merchantId: string; input: CreateSegmentInput; now?: Date }): Promise<Segment> {
  const now = opts.now ?? new Date();
  const { name, match } = opts.input;
  const conditions = checkConditions(opts.input.conditions);
  const contactCount = await countSegmentContacts(db, { merchantId: opts.merchantId, conditions, match, now });
  const row = await db.segment.create({ data: { merchantId: opts.merchantId, name, conditions, match, contactCount, countedAt: now } });
  return toSegmentDto(row, contactCount);
}
