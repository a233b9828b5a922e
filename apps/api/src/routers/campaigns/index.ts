import { router } from "../../trpc/init.ts";
import { createCampaignProcedure } from "./create-campaign.ts";
import { listCampaignsProcedure } from "./list-campaigns.ts";
import { getCampaignProcedure } from "./get-campaign.ts";
import { updateCampaignProcedure } from "./update-campaign.ts";
import { startCampaignProcedure } from "./start-campaign.ts";
import { pauseCampaignProcedure } from "./pause-campaign.ts";
import { resumeCampaignProcedure } from "./resume-campaign.ts";
import { cancelCampaignProcedure } from "./cancel-campaign.ts";
import { campaignMetricsProcedure } from "./campaign-metrics.ts";
import { testCampaignProcedure } from "./test-campaign.ts";
import { estimateCampaignProcedure } from "./estimate-campaign.ts";

export const campaignsRouter = router({
  create: createCampaignProcedure,
  list: listCampaignsProcedure,
  get: getCampaignProcedure,
  update: updateCampaignProcedure,
  start: startCampaignProcedure,
  pause: pauseCampaignProcedure,
  resume: resumeCampaignProcedure,
  cancel: cancelCampaignProcedure,
  metrics: campaignMetricsProcedure,
  test: testCampaignProcedure,
  estimate: estimateCampaignProcedure,
});
