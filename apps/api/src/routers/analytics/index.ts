import { router } from "../../trpc/init.ts";
import { analyticsOverviewProcedure } from "./overview.ts";
import { analyticsContactsProcedure } from "./contacts.ts";
import { analyticsConversationsProcedure } from "./conversations.ts";
import { analyticsCampaignsProcedure } from "./campaigns.ts";
import { analyticsAutomationProcedure } from "./automation.ts";

export const analyticsRouter = router({
  overview: analyticsOverviewProcedure,
  contacts: analyticsContactsProcedure,
  conversations: analyticsConversationsProcedure,
  campaigns: analyticsCampaignsProcedure,
  automation: analyticsAutomationProcedure,
});
