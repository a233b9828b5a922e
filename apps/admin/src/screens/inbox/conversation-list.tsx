// The inbox's left pane: filters (kept in the URL by the screen) and the conversations, most recent
// activity first, each with its unread count, escalation and assignment.
import { useEffect, useState } from "react";
import { Avatar, Badge, Box, Checkbox, Group, NativeSelect, Pagination, SegmentedControl, Stack, Text, TextInput, UnstyledButton, VisuallyHidden } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import type { RouterOutputs } from "../../lib/trpc.ts";
import { EmptyState, ErrorState, Loading } from "../../lib/ui.tsx";
import type { InboxSearch } from "./route.ts";

type ListAnswer = RouterOutputs["conversations"]["list"];
type Item = ListAnswer["data"][number];

const timeFormat = (iso: string | null) => {
  if (!iso) return "";
  const d = new Date(iso);
  return d.toDateString() === new Date().toDateString() ? d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) : d.toLocaleDateString([], { month: "short", day: "numeric" });
};

export function InboxFilters({ search, accounts, onChange }: { search: InboxSearch; accounts: { id: string; username: string }[]; onChange: (patch: Partial<InboxSearch>) => void }) {
  const [text, setText] = useState(search.q ?? "");
  const [debounced] = useDebouncedValue(text, 300);
  useEffect(() => {
    if ((search.q ?? "") !== debounced.trim()) onChange({ q: debounced.trim() || undefined, page: undefined });
    // only the typed text drives this; the URL is the source of the other filters
  }, [debounced]);
  return (
    <Stack gap="xs" component="search" aria-label="Filter conversations">
      <TextInput label="Search conversations" placeholder="Name or @username" value={text} onChange={(e) => setText(e.currentTarget.value)} size="sm" />
      <SegmentedControl
        size="xs"
        fullWidth
        aria-label="Status"
        value={search.status}
        onChange={(v) => onChange({ status: v === "closed" || v === "all" ? v : "open", page: undefined })}
        data={[
          { value: "open", label: "Open" },
          { value: "closed", label: "Closed" },
          { value: "all", label: "All" },
        ]}
      />
      <SegmentedControl
        size="xs"
        fullWidth
        aria-label="Assignment"
        value={search.assigned ?? "any"}
        onChange={(v) => onChange({ assigned: v === "mine" || v === "unassigned" ? v : undefined, page: undefined })}
        data={[
          { value: "any", label: "Everyone" },
          { value: "mine", label: "Mine" },
          { value: "unassigned", label: "Unassigned" },
        ]}
      />
      <SegmentedControl
        size="xs"
        fullWidth
        aria-label="Channel"
        value={search.channel ?? "any"}
        onChange={(v) => onChange({ channel: v === "direct_message" || v === "mention" ? v : undefined, page: undefined })}
        data={[
          { value: "any", label: "All channels" },
          { value: "direct_message", label: "DMs" },
          { value: "mention", label: "Mentions" },
        ]}
      />
      <Group gap="sm" wrap="nowrap" align="flex-end">
        <NativeSelect
          size="xs"
          label="Account"
          style={{ flex: 1 }}
          value={search.account ?? ""}
          onChange={(e) => onChange({ account: e.currentTarget.value || undefined, page: undefined })}
          data={[{ value: "", label: "All accounts" }, ...accounts.map((a) => ({ value: a.id, label: `@${a.username}` }))]}
        />
        <Checkbox size="xs" label="Escalated" checked={search.escalated === true} onChange={(e) => onChange({ escalated: e.currentTarget.checked ? true : undefined, page: undefined })} mb={6} />
      </Group>
    </Stack>
  );
}

function Row({ c, selected, onSelect, meId }: { c: Item; selected: boolean; onSelect: () => void; meId: string }) {
  const name = c.contact.displayName ?? (c.contact.username ? `@${c.contact.username}` : "Unknown contact");
  return (
    <UnstyledButton
      onClick={onSelect}
      aria-current={selected ? "true" : undefined}
      p="xs"
      style={{ borderRadius: 6, background: selected ? "var(--mantine-color-blue-0)" : undefined, display: "block", width: "100%" }}
    >
      <Group gap="sm" wrap="nowrap" align="flex-start">
        <Avatar src={c.contact.profileImageUrl} alt="" radius="xl" size="md" name={name} color="initials" />
        <Box style={{ flex: 1, minWidth: 0 }}>
          <Group justify="space-between" wrap="nowrap" gap={4}>
            <Text size="sm" fw={c.unreadCount > 0 ? 700 : 500} truncate>
              {name}
            </Text>
            <Text size="xs" c="dimmed" style={{ flexShrink: 0 }}>
              {timeFormat(c.lastMessageAt ?? c.startedAt)}
            </Text>
          </Group>
          <Group gap={4} mt={2} wrap="wrap">
            {c.contact.username && c.contact.displayName ? (
              <Text size="xs" c="dimmed" truncate>
                @{c.contact.username}
              </Text>
            ) : null}
            {c.unreadCount > 0 ? (
              <Badge size="sm" color="blue" variant="filled">
                {c.unreadCount}
                <VisuallyHidden> unread</VisuallyHidden>
              </Badge>
            ) : null}
            {c.channel === "mention" ? (
              <Badge size="sm" color="cyan" variant="light" title="A public thread on X: replies are posted in public">
                Mention
              </Badge>
            ) : null}
            {c.escalated ? (
              <Badge size="sm" color="orange" variant="light">
                AI escalated
              </Badge>
            ) : null}
            {c.status === "closed" ? (
              <Badge size="sm" color="gray" variant="light">
                Closed
              </Badge>
            ) : null}
            {c.assignedToUserId === meId ? (
              <Badge size="sm" color="grape" variant="light">
                Mine
              </Badge>
            ) : null}
          </Group>
        </Box>
      </Group>
    </UnstyledButton>
  );
}

export function ConversationList({
  query,
  selectedId,
  onSelect,
  page,
  onPage,
  meId,
  filtered,
}: {
  query: { data: ListAnswer | undefined; error: unknown; isPending: boolean; refetch: () => unknown };
  selectedId: string | undefined;
  onSelect: (id: string) => void;
  page: number;
  onPage: (page: number) => void;
  meId: string;
  filtered: boolean;
}) {
  if (query.isPending) return <Loading label="Loading conversations…" />;
  if (query.error || !query.data) return <ErrorState error={query.error} onRetry={() => void query.refetch()} title="Could not load the conversations" />;
  const { data, pagination } = query.data;
  if (data.length === 0)
    return (
      <EmptyState title={filtered ? "No conversation matches" : "No conversations yet"}>
        {filtered ? "Try other filters." : "When a customer writes to a connected X account, the conversation appears here."}
      </EmptyState>
    );
  return (
    <Stack gap={2}>
      <Text size="xs" c="dimmed" aria-live="polite">
        {pagination.total} conversation{pagination.total === 1 ? "" : "s"}
      </Text>
      <Stack gap={2} component="ul" aria-label="Conversations" style={{ listStyle: "none", padding: 0, margin: 0 }}>
        {data.map((c) => (
          <li key={c.id}>
            <Row c={c} selected={c.id === selectedId} onSelect={() => onSelect(c.id)} meId={meId} />
          </li>
        ))}
      </Stack>
      {pagination.totalPages > 1 ? <Pagination size="sm" mt="xs" total={pagination.totalPages} value={page} onChange={onPage} getControlProps={(control) => ({ "aria-label": `${control} page` })} /> : null}
    </Stack>
  );
}
