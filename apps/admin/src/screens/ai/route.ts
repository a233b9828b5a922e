import { createRoute, lazyRouteComponent } from "@tanstack/react-router";
import { appRoute } from "../../app/routes-base.tsx";

export const aiRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/ai",
  component: lazyRouteComponent(() => import("./ai-screen.tsx"), "AiScreen"),
});
