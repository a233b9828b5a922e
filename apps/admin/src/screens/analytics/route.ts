import { createRoute, lazyRouteComponent } from "@tanstack/react-router";
import { appRoute } from "../../app/routes-base.tsx";

export const analyticsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/analytics",
  component: lazyRouteComponent(() => import("./analytics-screen.tsx"), "AnalyticsScreen"),
});
