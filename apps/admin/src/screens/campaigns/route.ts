import { createRoute, lazyRouteComponent } from "@tanstack/react-router";
import { z } from "zod";
import { CAMPAIGN_STATUSES } from "@mkt-x/core";
import { appRoute } from "../../app/routes-base.tsx";

export const campaignsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/campaigns",
  validateSearch: z.object({ status: z.enum(CAMPAIGN_STATUSES).optional() }),
  component: lazyRouteComponent(() => import("./campaigns-screen.tsx"), "CampaignsScreen"),
});

export const campaignRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/campaigns/$campaignId",
  component: lazyRouteComponent(() => import("./campaign-detail.tsx"), "CampaignDetailScreen"),
});
