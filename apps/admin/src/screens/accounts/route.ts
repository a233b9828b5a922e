import { createRoute, lazyRouteComponent } from "@tanstack/react-router";
import { appRoute } from "../../app/routes-base.tsx";

export const accountsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/accounts",
  component: lazyRouteComponent(() => import("./accounts-screen.tsx"), "AccountsScreen"),
});
