// The signed-in frame: navigation (a `nav` landmark with the screens' links), who is signed in,
// live status, and the page. An ended session returns to sign-in, then back to this page.
import { useEffect } from "react";
import { AppShell, Badge, Burger, Button, Group, NavLink, ScrollArea, Text, Tooltip } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, Outlet, useLocation, useNavigate } from "@tanstack/react-router";
import { session } from "../lib/session.ts";
import { MeProvider } from "../lib/me.tsx";
import { LiveEventsProvider, useLiveStatus } from "../lib/live-events.tsx";
import { ErrorState, Loading } from "../lib/ui.tsx";

export const NAV = [
  ["Inbox", "/inbox"],
  ["Contacts", "/contacts"],
  ["Campaigns", "/campaigns"],
  ["Templates", "/templates"],
  ["Segments", "/segments"],
  ["Flows", "/flows"],
  ["AI", "/ai"],
  ["Analytics", "/analytics"],
  ["Accounts", "/accounts"],
  ["Team", "/team"],
  ["Settings", "/settings"],
] as const;

function useReturnToSignInWhenSignedOut() {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  useEffect(
    () =>
      session.subscribe((signedIn) => {
        if (signedIn) return;
        queryClient.clear();
        const here = window.location.pathname + window.location.search;
        void navigate({ to: "/sign-in", search: { redirect: here }, replace: true });
      }),
    [navigate, queryClient],
  );
}

function LiveBadge() {
  const status = useLiveStatus();
  const [color, label, tip] = status === "live" ? ["teal", "Live", "New messages and changes appear as they happen"] : status === "connecting" ? ["yellow", "Connecting", "Connecting to live updates…"] : ["red", "Offline", "Live updates are off; the page refreshes what it shows when you come back to it"];
  return (
    <Tooltip label={tip}>
      <Badge color={color} variant="dot" aria-label={`Live updates: ${label}`}>
        {label}
      </Badge>
    </Tooltip>
  );
}

export function AppLayout() {
  useReturnToSignInWhenSignedOut();
  const me = useQuery({ queryKey: ["auth", "me"], queryFn: () => session.me(), staleTime: 5 * 60_000 });
  const [opened, { toggle, close }] = useDisclosure();
  const location = useLocation();
  useEffect(close, [location.pathname, close]);

  if (me.isPending) return <Loading label="Signing in…" />;
  if (me.error) return <ErrorState error={me.error} onRetry={() => void me.refetch()} />;
  return (
    <MeProvider me={me.data}>
      <LiveEventsProvider>
        <AppShell header={{ height: 52 }} navbar={{ width: 200, breakpoint: "sm", collapsed: { mobile: !opened } }} padding="md">
          <AppShell.Header>
            <Group h="100%" px="md" justify="space-between" wrap="nowrap">
              <Group gap="sm" wrap="nowrap">
                <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label={opened ? "Close navigation" : "Open navigation"} />
                <Text fw={700} size="lg" c="blue.8">
                  mkt-x
                </Text>
                <LiveBadge />
              </Group>
              <Group gap="sm" wrap="nowrap">
                <Text size="sm" visibleFrom="xs">
                  {me.data.name} <Text span c="dimmed" size="xs">({me.data.role})</Text>
                </Text>
                <Button variant="subtle" size="compact-sm" onClick={() => void session.signOut()}>
                  Sign out
                </Button>
              </Group>
            </Group>
          </AppShell.Header>
          <AppShell.Navbar p="xs" component="nav" aria-label="Main">
            <ScrollArea>
              {NAV.map(([label, to]) => (
                <NavLink key={to} component={Link} to={to} label={label} active={location.pathname === to || location.pathname.startsWith(`${to}/`)} />
              ))}
            </ScrollArea>
          </AppShell.Navbar>
          <AppShell.Main>
            <Outlet />
          </AppShell.Main>
        </AppShell>
      </LiveEventsProvider>
    </MeProvider>
  );
}
