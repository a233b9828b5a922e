import { createRoute, lazyRouteComponent } from "@tanstack/react-router";
import { appRoute } from "../../app/routes-base.tsx";

export const contactsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/contacts",
  component: lazyRouteComponent(() => import("./contacts-screen.tsx"), "ContactsScreen"),
});
