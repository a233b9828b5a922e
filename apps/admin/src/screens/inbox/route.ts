import { createRoute, lazyRouteComponent } from "@tanstack/react-router";
import { appRoute } from "../../app/routes-base.tsx";

export const inboxRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/inbox",
  component: lazyRouteComponent(() => import("./inbox-screen.tsx"), "InboxScreen"),
});
