import { createRoute, lazyRouteComponent } from "@tanstack/react-router";
import { z } from "zod";
import { appRoute } from "../../app/routes-base.tsx";

/** The contacts table's search, tag filter, page and open contact live in the URL. */
export const ContactsSearch = z.object({
  q: z.string().max(100).optional().catch(undefined),
  tags: z.string().max(1_000).optional().catch(undefined),
  account: z.string().max(64).optional().catch(undefined),
  page: z.number().int().min(1).max(100_000).optional().catch(undefined),
  contact: z.string().max(64).optional().catch(undefined),
});
export type ContactsSearch = z.infer<typeof ContactsSearch>;

export const contactsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/contacts",
  validateSearch: ContactsSearch,
  component: lazyRouteComponent(() => import("./contacts-screen.tsx"), "ContactsScreen"),
});
