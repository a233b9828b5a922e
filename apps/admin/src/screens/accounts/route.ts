import { createRoute, lazyRouteComponent } from "@tanstack/react-router";
import { z } from "zod";
import { appRoute } from "../../app/routes-base.tsx";

/** The outcome of connect with X, as the API's callback redirects back: `connected` + `username`, or `error` + `message`. */
export const AccountsSearch = z.object({
  connected: z.string().max(128).optional().catch(undefined),
  username: z.string().max(100).optional().catch(undefined),
  error: z.string().max(64).optional().catch(undefined),
  message: z.string().max(500).optional().catch(undefined),
});

export const accountsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/accounts",
  validateSearch: AccountsSearch,
  component: lazyRouteComponent(() => import("./accounts-screen.tsx"), "AccountsScreen"),
});
