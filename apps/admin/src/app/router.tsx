import { createRouter } from "@tanstack/react-router";
import type { QueryClient } from "@tanstack/react-query";
import { acceptInviteRoute, appRoute, indexRoute, rootRoute, signInRoute } from "./routes-base.tsx";
import { inboxRoute } from "../screens/inbox/route.ts";
import { contactsRoute } from "../screens/contacts/route.ts";
import { campaignRoute, campaignsRoute } from "../screens/campaigns/route.ts";
import { templateRoute, templatesRoute } from "../screens/templates/route.ts";
import { segmentRoute, segmentsRoute } from "../screens/segments/route.ts";
import { flowRoute, flowsRoute } from "../screens/flows/route.ts";
import { aiRoute } from "../screens/ai/route.ts";
import { analyticsRoute } from "../screens/analytics/route.ts";
import { accountsRoute } from "../screens/accounts/route.ts";
import { teamRoute } from "../screens/team/route.ts";
import { settingsRoute } from "../screens/settings/route.ts";

const routeTree = rootRoute.addChildren([
  signInRoute,
  acceptInviteRoute,
  appRoute.addChildren([indexRoute, inboxRoute, contactsRoute, campaignsRoute, campaignRoute, templatesRoute, templateRoute, segmentsRoute, segmentRoute, flowsRoute, flowRoute, aiRoute, analyticsRoute, accountsRoute, teamRoute, settingsRoute]),
]);

export function createAppRouter(queryClient: QueryClient) {
  return createRouter({ routeTree, context: { queryClient }, defaultPreload: "intent", scrollRestoration: true });
}

declare module "@tanstack/react-router" {
  interface Register {
    router: ReturnType<typeof createAppRouter>;
  }
}
