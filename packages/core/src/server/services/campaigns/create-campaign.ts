import type { Campaign, CreateCampaignInput } from "../../../contract/campaigns.ts";
import type { ScopedDb } from "../../scoped-db.ts";
import { campaignDto } from "./load-campaign.ts";
import { validateReferences } from "./validate-references.ts";

export async function createCampaign(db: ScopedDb, opts: { merchantId: string; input: CreateCampaignInput }): Promise<Campaign> {
  const { input, merchantId } = opts;
  await validateReferences(db, input);
  const segmentIds = [...new Set(input.segmentIds)];
  const campaign = await db.$transaction(async (tx) => {
    const created = await tx.campaign.create({
      data: {
        merchantId,
        name: input.name,
        type: input.type,
        templateId: input.templateId,
        accountId: input.accountId ?? null,
        variables: input.variables,
        startAt: input.schedule?.startAt ? new Date(input.schedule.startAt) : null,
        endAt: input.schedule?.endAt ? new Date(input.schedule.endAt) : null,
        recurrence: input.schedule?.recurrence ?? null,
      },
    });
    if (segmentIds.length) await tx.campaignSegment.createMany({ data: segmentIds.map((segmentId) => ({ campaignId: created.id, segmentId, merchantId })) });
    return created;
  });
  return campaignDto(db, merchantId, campaign);
}
