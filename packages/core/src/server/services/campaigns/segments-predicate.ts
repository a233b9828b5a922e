// The union of a campaign's segments as one SQL predicate over contacts `c`.
import { Prisma } from "@mkt-x/db";
import { compileSegmentPredicate } from "../segments/compile-segment.ts";
import { SegmentConditions } from "../../../contract/segments.ts";

export function segmentsPredicate(merchantId: string, segments: { conditions: unknown; match: string }[]): Prisma.Sql {
  if (segments.length === 0) return Prisma.sql`false`;
  const parts = segments.map((s) => {
    const parsed = SegmentConditions.safeParse(s.conditions);
    // a segment stored before a rule changed and no longer valid matches nobody rather than everybody
    if (!parsed.success) return Prisma.sql`false`;
    return Prisma.sql`(${compileSegmentPredicate({ merchantId, conditions: parsed.data, match: s.match === "any" ? "any" : "all" })})`;
  });
  return Prisma.join(parts, " OR ");
}
