import { createRoute, lazyRouteComponent } from "@tanstack/react-router";
import { z } from "zod";
import { appRoute } from "../../app/routes-base.tsx";

/** The inbox's filters and open conversation live in the URL, so a reload or a shared link keeps them. */
export const InboxSearch = z.object({
  status: z.enum(["open", "closed", "all"]).catch("open").default("open"),
  account: z.string().max(64).optional().catch(undefined),
  assigned: z.enum(["mine", "unassigned"]).optional().catch(undefined),
  escalated: z.boolean().optional().catch(undefined),
  channel: z.enum(["direct_message", "mention"]).optional().catch(undefined),
  q: z.string().max(100).optional().catch(undefined),
  page: z.number().int().min(1).max(10_000).optional().catch(undefined),
  conversation: z.string().max(64).optional().catch(undefined),
});
export type InboxSearch = z.infer<typeof InboxSearch>;

export const inboxRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/inbox",
  validateSearch: InboxSearch,
  component: lazyRouteComponent(() => import("./inbox-screen.tsx"), "InboxScreen"),
});
