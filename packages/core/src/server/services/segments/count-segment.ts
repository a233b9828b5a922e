import type { SegmentModel, Tx } from "@mkt-x/db";
import { compileSegmentPredicate, type CompileSegmentOptions } from "./compile-segment.ts";
import { matchOf, storedConditions } from "./segment-dto.ts";

type RawDb = Pick<Tx, "$queryRaw" | "$executeRaw">;

/** How many of the merchant's contacts match the conditions now: one indexed count in SQL. */
export async function countSegmentContacts(db: Pick<Tx, "$queryRaw">, opts: CompileSegmentOptions): Promise<number> {
  const rows = await db.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM contacts c WHERE ${compileSegmentPredicate(opts)}`;
  return rows[0]?.n ?? 0;
}

/** contactCount as a read shows it: counted afresh, nothing written (a viewer's read writes nothing). */
export async function currentSegmentCount(db: Pick<Tx, "$queryRaw">, opts: { merchantId: string; segment: SegmentModel; now?: Date }): Promise<number> {
  const { segment } = opts;
  return countSegmentContacts(db, { merchantId: opts.merchantId, conditions: storedConditions(segment), match: matchOf(segment.match), now: opts.now ?? new Date() });
}

/**
 * After a write of the segment: counts it afresh and stores the figure with its moment
 * (segments.contact_count, counted_at). The store is skipped when the segment changed since it was
 * read, so a slow count never overwrites a newer definition's.
 */
export async function refreshSegmentCount(db: RawDb, opts: { merchantId: string; segment: SegmentModel; now?: Date }): Promise<number> {
  const now = opts.now ?? new Date();
  const { segment } = opts;
  const count = await countSegmentContacts(db, { merchantId: opts.merchantId, conditions: storedConditions(segment), match: matchOf(segment.match), now });
  await db.$executeRaw`
    UPDATE segments SET contact_count = ${count}::int, counted_at = ${now}::timestamptz
    WHERE id = ${segment.id}::uuid AND merchant_id = ${opts.merchantId}::text AND updated_at = ${segment.updatedAt}::timestamptz`;
  return count;
}
