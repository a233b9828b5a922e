import { AppError } from "../../../errors.ts";
import type { ScopedDb } from "../../scoped-db.ts";
import { findSegment } from "./get-segment.ts";

/** Campaign states in which a campaign still reads its segments. */
const ACTIVE_CAMPAIGN_STATUSES = ["scheduled", "running", "paused"];

/**
 * Deletes a segment, or answers 409 CONFLICT naming the scheduled, running or paused campaigns that
 * use it. Draft, completed and cancelled campaigns just lose the link. The segment row is locked
 * first, so a campaign cannot link it meanwhile (its foreign key check waits on the lock and then
 * fails), and the linked campaigns are locked, so none starts between the check and the delete.
 */
export async function deleteSegment(db: ScopedDb, opts: { merchantId: string; segmentId: string }): Promise<null> {
  const { id } = await findSegment(db, opts.segmentId);
  await db.$transaction(async (tx) => {
    const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM segments WHERE id = ${id}::uuid AND merchant_id = ${opts.merchantId}::text FOR UPDATE`;
    if (locked.length === 0) throw new AppError("RESOURCE_NOT_FOUND", "Segment not found", { field: "segmentId", reason: `Segment ${id} not found` });
    const campaigns = await tx.$queryRaw<{ id: string; status: string }[]>`
      SELECT k.id, k.status FROM campaigns k
      JOIN campaign_segments cs ON cs.campaign_id = k.id
      WHERE cs.segment_id = ${id}::uuid AND cs.merchant_id = ${opts.merchantId}::text AND k.merchant_id = ${opts.merchantId}::text
      ORDER BY k.id
      FOR UPDATE OF k`;
    const active = campaigns.filter((k) => ACTIVE_CAMPAIGN_STATUSES.includes(k.status));
    if (active.length > 0) {
      throw new AppError("CONFLICT", "Segment is being used by active campaigns", {
        field: "segmentId",
        reason: `used by ${active.length} scheduled, running or paused campaign(s); pause does not release it: complete or cancel them first`,
        campaignIds: active.map((k) => k.id),
      });
    }
    await tx.$executeRaw`DELETE FROM campaign_segments WHERE segment_id = ${id}::uuid AND merchant_id = ${opts.merchantId}::text`;
    await tx.$executeRaw`DELETE FROM segments WHERE id = ${id}::uuid AND merchant_id = ${opts.merchantId}::text`;
  });
  return null;
}
