import { pagination, type Pagination } from "../../../contract/common.ts";
import type { Campaign, ListCampaignsInput } from "../../../contract/campaigns.ts";
import type { ScopedDb } from "../../scoped-db.ts";
import { campaignDtos } from "./load-campaign.ts";

export async function listCampaigns(db: ScopedDb, opts: { merchantId: string; input: ListCampaignsInput }): Promise<{ data: Campaign[]; pagination: Pagination }> {
  const { input } = opts;
  const where = { ...(input.status ? { status: input.status } : {}), ...(input.type ? { type: input.type } : {}) };
  const [rows, total] = await Promise.all([
    db.campaign.findMany({ where, orderBy: [{ createdAt: "desc" }, { id: "asc" }], skip: input.skip, take: input.take }),
    db.campaign.count({ where }),
  ]);
  return { data: await campaignDtos(db, opts.merchantId, rows), pagination: pagination(input, total) };
}
