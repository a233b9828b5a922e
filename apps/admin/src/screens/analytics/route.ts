import { createRoute, lazyRouteComponent } from "@tanstack/react-router";
import { appRoute } from "../../app/routes-base.tsx";
import { AnalyticsSearch } from "./period.ts";

export const analyticsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/analytics",
  validateSearch: AnalyticsSearch,
  component: lazyRouteComponent(() => import("./analytics-screen.tsx"), "AnalyticsScreen"),
});
