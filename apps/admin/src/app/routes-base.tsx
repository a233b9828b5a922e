// The route tree's trunk: the root, sign-in, and the signed-in layout every screen hangs under.
// Each screen declares its own route in screens/<name>/route.ts (lazy-loaded component).
import { createRootRouteWithContext, createRoute, Outlet, redirect, useNavigate, useRouter } from "@tanstack/react-router";
import type { QueryClient } from "@tanstack/react-query";
import { z } from "zod";
import { session } from "../lib/session.ts";
import { SignIn } from "./sign-in.tsx";
import { AcceptInvite } from "./accept-invite.tsx";
import { AppLayout } from "./shell.tsx";

export interface RouterContext {
  queryClient: QueryClient;
}

export const rootRoute = createRootRouteWithContext<RouterContext>()({ component: Outlet });

/** only same-origin paths: a crafted link cannot send a signed-in user elsewhere */
const safeRedirect = (target: string | undefined) => (target && target.startsWith("/") && !target.startsWith("//") && !target.startsWith("/sign-in") ? target : "/inbox");

export const signInRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/sign-in",
  validateSearch: z.object({ redirect: z.string().optional() }),
  beforeLoad: ({ search }) => {
    if (session.signedIn) throw redirect({ href: safeRedirect(search.redirect) });
  },
  component: function SignInPage() {
    const search = signInRoute.useSearch();
    const router = useRouter();
    const navigate = useNavigate();
    return (
      <SignIn
        onSignedIn={() => {
          router.options.context.queryClient.clear();
          void navigate({ href: safeRedirect(search.redirect), replace: true });
        }}
      />
    );
  },
});

export const acceptInviteRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/accept-invite",
  validateSearch: z.object({ token: z.string().optional() }),
  component: function AcceptInvitePage() {
    const { token } = acceptInviteRoute.useSearch();
    const router = useRouter();
    const navigate = useNavigate();
    return (
      <AcceptInvite
        token={token}
        onAccepted={() => {
          router.options.context.queryClient.clear();
          void navigate({ to: "/inbox", replace: true });
        }}
      />
    );
  },
});

export const appRoute = createRoute({
  getParentRoute: () => rootRoute,
  id: "app",
  beforeLoad: ({ location }) => {
    if (!session.signedIn) throw redirect({ to: "/sign-in", search: { redirect: location.href } });
  },
  component: AppLayout,
});

export const indexRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/",
  beforeLoad: () => {
    throw redirect({ to: "/inbox" });
  },
});
