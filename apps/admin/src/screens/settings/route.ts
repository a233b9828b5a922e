import { createRoute, lazyRouteComponent } from "@tanstack/react-router";
import { z } from "zod";
import { appRoute } from "../../app/routes-base.tsx";

/** The webhook whose delivery log is open, and the log's page: both survive a reload. */
export const SettingsSearch = z.object({
  webhook: z.string().max(128).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(10_000).optional().catch(undefined),
});

export const settingsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/settings",
  validateSearch: SettingsSearch,
  component: lazyRouteComponent(() => import("./settings-screen.tsx"), "SettingsScreen"),
});
