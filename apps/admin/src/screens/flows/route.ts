import { createRoute, lazyRouteComponent } from "@tanstack/react-router";
import { appRoute } from "../../app/routes-base.tsx";

export const flowsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/flows",
  component: lazyRouteComponent(() => import("./flows-screen.tsx"), "FlowsScreen"),
});
