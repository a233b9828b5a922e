import { Prisma } from "@mkt-x/db";
import { PREVIEW_DEFAULT_LIMIT, type SegmentPreview } from "../../../contract/segments.ts";
import { toAttributes } from "../../../domain/contact-fields.ts";
import type { ScopedDb } from "../../scoped-db.ts";
import { compileSegmentPredicate } from "./compile-segment.ts";
import { findSegment } from "./get-segment.ts";
import { matchOf, storedConditions } from "./segment-dto.ts";

interface PreviewRow {
  id: string;
  username: string | null;
  display_name: string | null;
  tags: string[] | null;
  attributes: unknown;
}

/**
 * How many contacts match now and the first `limit` of them, most recent interaction first. A read:
 * nothing is written.
 */
export async function previewSegment(db: ScopedDb, opts: { merchantId: string; segmentId: string; limit?: number; now?: Date }): Promise<SegmentPreview> {
  const now = opts.now ?? new Date();
  const segment = await findSegment(db, opts.segmentId);
  const predicate = compileSegmentPredicate({ merchantId: opts.merchantId, conditions: storedConditions(segment), match: matchOf(segment.match), now });
  const [counted, rows] = await Promise.all([
    db.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM contacts c WHERE ${predicate}`,
    db.$queryRaw<PreviewRow[]>(Prisma.sql`
      SELECT c.id, c.username, c.display_name, c.tags, c.attributes FROM contacts c
      WHERE ${predicate}
      ORDER BY c.last_interaction_at DESC NULLS LAST, c.id
      LIMIT ${opts.limit ?? PREVIEW_DEFAULT_LIMIT}::int`),
  ]);
  const totalMatches = counted[0]?.n ?? 0;
  return {
    totalMatches,
    preview: rows.map((r) => ({ id: r.id, username: r.username, displayName: r.display_name, tags: r.tags ?? [], attributes: toAttributes(r.attributes) })),
  };
}
