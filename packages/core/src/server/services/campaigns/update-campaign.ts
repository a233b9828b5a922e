import { AppError } from "../../../errors.ts";
import type { Campaign, UpdateCampaignInput } from "../../../contract/campaigns.ts";
import type { JobQueue } from "../../jobs/queue.ts";
import type { ScopedDb } from "../../scoped-db.ts";
import { campaignDto, loadCampaign } from "./load-campaign.ts";
import { validateReferences } from "./validate-references.ts";

/** Only drafts and scheduled campaigns change; a scheduled one moved in time is scheduled anew. */
export async function updateCampaign(db: ScopedDb, opts: { merchantId: string; queue: JobQueue; input: UpdateCampaignInput; now?: Date }): Promise<Campaign> {
  const { input } = opts;
  const campaign = await loadCampaign(db, input.campaignId);
  if (campaign.status !== "draft" && campaign.status !== "scheduled") {
    throw new AppError("VALIDATION_ERROR", `Cannot update a ${campaign.status} campaign: only draft and scheduled campaigns can change`, { field: "status", reason: campaign.status });
  }
  await validateReferences(db, input);
  const schedule = input.schedule === null ? { startAt: null, endAt: null, recurrence: null } : input.schedule;
  const startAt = schedule?.startAt !== undefined ? (schedule.startAt ? new Date(schedule.startAt) : null) : campaign.startAt;
  const endAt = schedule?.endAt !== undefined ? (schedule.endAt ? new Date(schedule.endAt) : null) : campaign.endAt;
  if (startAt && endAt && startAt >= endAt) throw new AppError("VALIDATION_ERROR", "endAt must be after startAt", { field: "schedule.endAt", reason: "before startAt" });
  const now = opts.now ?? new Date();
  if (campaign.status === "scheduled" && (!startAt || startAt <= now)) {
    throw new AppError("VALIDATION_ERROR", "A scheduled campaign needs a startAt in the future; pause it or start it instead", { field: "schedule.startAt", reason: "not in the future" });
  }
  // unscoped transaction (it also enqueues): the merchant is named in every statement
  const updated = await db.$transaction(async (tx) => {
    const row = await tx.campaign.update({
      where: { id: campaign.id, merchantId: opts.merchantId },
      data: {
        ...(input.name !== undefined ? { name: input.name } : {}),
        ...(input.type !== undefined ? { type: input.type } : {}),
        ...(input.templateId !== undefined ? { templateId: input.templateId } : {}),
        ...(input.accountId !== undefined ? { accountId: input.accountId } : {}),
        ...(input.variables !== undefined ? { variables: input.variables } : {}),
        startAt,
        endAt,
        ...(schedule?.recurrence !== undefined ? { recurrence: schedule.recurrence } : {}),
      },
    });
    if (input.segmentIds) {
      await tx.campaignSegment.deleteMany({ where: { campaignId: campaign.id, merchantId: opts.merchantId } });
      const ids = [...new Set(input.segmentIds)];
      if (ids.length) await tx.campaignSegment.createMany({ data: ids.map((segmentId) => ({ campaignId: campaign.id, segmentId, merchantId: opts.merchantId })) });
    }
    // a new start time needs its own start job; the old one finds the time changed and does nothing
    if (row.status === "scheduled" && row.startAt && row.startAt.getTime() !== campaign.startAt?.getTime()) {
      await opts.queue.send("campaign.start", { campaignId: row.id, run: row.run + 1, startAt: row.startAt.toISOString() }, { tx, startAfter: row.startAt });
    }
    return row;
  });
  return campaignDto(db, opts.merchantId, updated);
}
