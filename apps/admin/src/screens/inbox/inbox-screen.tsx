// The inbox, the app's home: conversations on the left (filters in the URL), the open conversation
// in the middle, the customer on the right. Two panes from 1200 px; narrower, the list and the
// conversation take turns. Live events refresh both as messages arrive and change.
import { lazy, Suspense } from "react";
import { Box, Grid, Paper, Stack } from "@mantine/core";
import { useMediaQuery } from "@mantine/hooks";
import { useQuery } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { useTRPC } from "../../lib/trpc.ts";
import { useMe } from "../../lib/me.tsx";
import { EmptyState, Loading, PageHeader } from "../../lib/ui.tsx";
import { inboxRoute, type InboxSearch } from "./route.ts";
import { ConversationList, InboxFilters } from "./conversation-list.tsx";
import { Thread } from "./thread.tsx";

// the contact panel (tag editing's combobox) loads beside the conversation, keeping the inbox's first load lean
const ContactPanel = lazy(() => import("./contact-panel.tsx").then((m) => ({ default: m.ContactPanel })));

const PAGE_SIZE = 25;

export function InboxScreen() {
  const trpc = useTRPC();
  const me = useMe();
  const search = inboxRoute.useSearch();
  const navigate = useNavigate({ from: "/inbox" });
  const wide = useMediaQuery("(min-width: 75em)", true) ?? true;
  const page = search.page ?? 1;

  const list = useQuery({
    ...trpc.conversations.list.queryOptions({
      skip: (page - 1) * PAGE_SIZE,
      take: PAGE_SIZE,
      ...(search.status !== "all" ? { status: search.status } : {}),
      ...(search.account ? { accountId: search.account } : {}),
      ...(search.assigned === "mine" ? { assignedTo: me.id } : {}),
      ...(search.assigned === "unassigned" ? { unassigned: true } : {}),
      ...(search.escalated ? { escalated: true } : {}),
      ...(search.channel ? { channel: search.channel } : {}),
      ...(search.q ? { search: search.q } : {}),
    }),
    placeholderData: (prev) => prev,
  });
  const accountsQuery = useQuery(trpc.accounts.list.queryOptions({ take: 100 }));
  const accounts = new Map((accountsQuery.data?.data ?? []).map((a) => [a.id, { username: a.username, status: a.status }]));

  const update = (patch: Partial<InboxSearch>) => void navigate({ search: (prev) => ({ ...prev, ...patch }), replace: true });
  const select = (conversation: string | undefined) => void navigate({ search: (prev) => ({ ...prev, conversation }) });
  const selected = search.conversation;
  const detailsQuery = useQuery({ ...trpc.conversations.get.queryOptions({ conversationId: selected ?? "", includeMessages: false }), enabled: selected !== undefined });
  const contactId = detailsQuery.data?.contactId;
  const filtered = search.status !== "open" || !!search.account || !!search.assigned || !!search.escalated || !!search.channel || !!search.q;

  const listPane = (
    <Stack gap="sm">
      <InboxFilters search={search} accounts={(accountsQuery.data?.data ?? []).map((a) => ({ id: a.id, username: a.username }))} onChange={update} />
      <ConversationList query={list} selectedId={selected} onSelect={select} page={page} onPage={(p) => update({ page: p === 1 ? undefined : p })} meId={me.id} filtered={filtered} />
    </Stack>
  );
  const thread = selected ? <Thread key={selected} conversationId={selected} accounts={accounts} {...(wide ? {} : { onBack: () => select(undefined) })} /> : <EmptyState title="No conversation open">Choose a conversation from the list to read and reply.</EmptyState>;
  const contact = contactId ? (
    <Suspense fallback={<Loading label="Loading the contact…" />}>
      <ContactPanel contactId={contactId} />
    </Suspense>
  ) : null;

  return (
    <>
      <PageHeader title="Inbox" />
      {wide ? (
        <Grid gap="md" align="stretch">
          <Grid.Col span={3.5}>
            <Box component="nav" aria-label="Conversation list" style={{ maxHeight: "calc(100vh - 160px)", overflowY: "auto" }} pr={4}>
              {listPane}
            </Box>
          </Grid.Col>
          <Grid.Col span={selected ? 5.75 : 8.5}>
            <Paper withBorder p="sm" h="calc(100vh - 160px)" style={{ display: "flex", flexDirection: "column" }}>
              {thread}
            </Paper>
          </Grid.Col>
          {selected ? (
            <Grid.Col span={2.75}>
              <Paper withBorder p="sm">
                {contact}
              </Paper>
            </Grid.Col>
          ) : null}
        </Grid>
      ) : selected ? (
        <Stack gap="md">
          <Paper withBorder p="sm" h="calc(100vh - 180px)" style={{ display: "flex", flexDirection: "column" }}>
            {thread}
          </Paper>
          {contact ? (
            <Paper withBorder p="sm">
              {contact}
            </Paper>
          ) : null}
        </Stack>
      ) : (
        <Box component="nav" aria-label="Conversation list">
          {listPane}
        </Box>
      )}
    </>
  );
}
