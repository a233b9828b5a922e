import type { CampaignModel, Tx } from "@mkt-x/db";
import { notFound } from "../../../errors.ts";
import { isUuid } from "../../../contract/common.ts";
import type { Campaign } from "../../../contract/campaigns.ts";
import type { ScopedDb } from "../../scoped-db.ts";
import { campaignMetrics } from "./campaign-metrics.ts";
import { toCampaignDto } from "./campaign-dto.ts";

export async function loadCampaign(db: ScopedDb, campaignId: string): Promise<CampaignModel> {
  if (!isUuid(campaignId)) throw notFound("Campaign", campaignId);
  const campaign = await db.campaign.findFirst({ where: { id: campaignId } });
  if (!campaign) throw notFound("Campaign", campaignId);
  return campaign;
}

export async function campaignDtos(db: ScopedDb | Tx, merchantId: string, campaigns: CampaignModel[]): Promise<Campaign[]> {
  const ids = campaigns.map((c) => c.id);
  const [links, metrics] = await Promise.all([
    db.campaignSegment.findMany({ where: { campaignId: { in: ids } }, select: { campaignId: true, segmentId: true } }),
    campaignMetrics(db, merchantId, ids),
  ]);
  return campaigns.map((c) => {
    const segmentIds = links.filter((l) => l.campaignId === c.id).map((l) => l.segmentId);
    const m = metrics.get(c.id) ?? { delivered: 0, failed: 0, opened: 0, clicked: 0, replied: 0, skipped: 0, skippedByReason: {} };
    return toCampaignDto(c, segmentIds, m);
  });
}

export async function campaignDto(db: ScopedDb, merchantId: string, campaign: CampaignModel): Promise<Campaign> {
  const [dto] = await campaignDtos(db, merchantId, [campaign]);
  if (!dto) throw notFound("Campaign", campaign.id);
  return dto;
}
