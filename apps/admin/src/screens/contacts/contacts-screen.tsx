// Contacts: a searchable, tag-filtered, paged table; a contact opens in a drawer to edit tags and
// attributes or erase them (GDPR); CSV import with upload progress and per-row errors; CSV export.
import { useEffect, useState } from "react";
import { Avatar, Badge, Button, Group, Pagination, Select, Stack, Table, TagsInput, Text, TextInput, UnstyledButton } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { useTRPC } from "../../lib/trpc.ts";
import { IfCan } from "../../lib/me.tsx";
import { session } from "../../lib/session.ts";
import { EmptyState, ErrorState, formatDateTime, Loading, PageHeader } from "../../lib/ui.tsx";
import { contactsRoute, type ContactsSearch } from "./route.ts";
import { ContactDrawer } from "./contact-drawer.tsx";
import { ImportDialog } from "./import-dialog.tsx";
import { normalizeTag } from "./contact-fields.tsx";

const PAGE_SIZE = 25;

async function exportCsv(accountId: string, username: string) {
  const token = await session.accessToken();
  const res = await fetch(`/api/v1/mkt-x/contacts/export?accountId=${encodeURIComponent(accountId)}`, { headers: { authorization: `Bearer ${token ?? ""}` } });
  if (!res.ok) throw new Error(`Export failed (${res.status})`);
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement("a");
  a.href = url;
  a.download = `contacts-${username}.csv`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function ContactsScreen() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const search = contactsRoute.useSearch();
  const navigate = useNavigate({ from: "/contacts" });
  const update = (patch: Partial<ContactsSearch>, replace = true) => void navigate({ search: (prev) => ({ ...prev, ...patch }), replace });
  const page = search.page ?? 1;
  const [text, setText] = useState(search.q ?? "");
  const [debounced] = useDebouncedValue(text, 300);
  useEffect(() => {
    if ((search.q ?? "") !== debounced.trim()) update({ q: debounced.trim() || undefined, page: undefined });
  }, [debounced]);
  const [importing, setImporting] = useState(false);
  const [exporting, setExporting] = useState(false);
  const [exportError, setExportError] = useState<string | null>(null);

  const tags = search.tags ? search.tags.split(",").filter((t) => t !== "") : [];
  const list = useQuery({
    ...trpc.contacts.list.queryOptions({
      skip: (page - 1) * PAGE_SIZE,
      take: PAGE_SIZE,
      ...(search.q ? { search: search.q } : {}),
      ...(tags.length > 0 ? { tags: tags.join(",") } : {}),
      ...(search.account ? { accountId: search.account } : {}),
    }),
    placeholderData: (prev) => prev,
  });
  const accountsQuery = useQuery(trpc.accounts.list.queryOptions({ take: 100 }));
  const accounts = (accountsQuery.data?.data ?? []).map((a) => ({ id: a.id, username: a.username }));
  const exportAccount = accounts.find((a) => a.id === search.account) ?? (accounts.length === 1 ? accounts[0] : undefined);

  const filtered = !!search.q || tags.length > 0 || !!search.account;
  return (
    <>
      <PageHeader
        title="Contacts"
        description={list.data ? `${list.data.pagination.total.toLocaleString()} contact${list.data.pagination.total === 1 ? "" : "s"}${filtered ? " match" : ""}` : undefined}
        actions={
          <>
            <Button
              variant="default"
              disabled={!exportAccount}
              loading={exporting}
              title={exportAccount ? undefined : "Choose an account to export"}
              onClick={() => {
                if (!exportAccount) return;
                setExporting(true);
                setExportError(null);
                exportCsv(exportAccount.id, exportAccount.username)
                  .catch((e: unknown) => setExportError(e instanceof Error ? e.message : "Export failed"))
                  .finally(() => setExporting(false));
              }}
            >
              Export CSV
            </Button>
            <IfCan permission="inbox">
              <Button onClick={() => setImporting(true)} disabled={accounts.length === 0}>
                Import CSV
              </Button>
            </IfCan>
          </>
        }
      />
      {exportError ? (
        <Text c="red" size="sm" role="alert" mb="sm">
          {exportError}
        </Text>
      ) : null}
      <Group gap="sm" mb="md" align="flex-end" wrap="wrap" component="search" aria-label="Filter contacts">
        <TextInput label="Search contacts" placeholder="Name or @username" value={text} onChange={(e) => setText(e.currentTarget.value)} style={{ flex: "1 1 200px" }} />
        <TagsInput
          label="Tags"
          placeholder={tags.length === 0 ? "All tags must match" : undefined}
          value={tags}
          onChange={(next) => update({ tags: [...new Set(next.map(normalizeTag).filter((t) => t !== ""))].join(",") || undefined, page: undefined })}
          style={{ flex: "1 1 200px" }}
          clearable
          clearButtonProps={{ "aria-label": "Clear tag filter" }}
        />
        <Select
          label="Account"
          placeholder="All accounts"
          data={accounts.map((a) => ({ value: a.id, label: `@${a.username}` }))}
          value={search.account ?? null}
          onChange={(v) => update({ account: v ?? undefined, page: undefined })}
          clearable
          style={{ flex: "0 1 200px" }}
          comboboxProps={{ withinPortal: true }}
        />
      </Group>
      {list.isPending ? (
        <Loading label="Loading contacts…" />
      ) : list.error || !list.data ? (
        <ErrorState error={list.error} onRetry={() => void list.refetch()} title="Could not load the contacts" />
      ) : list.data.data.length === 0 ? (
        <EmptyState title={filtered ? "No contact matches" : "No contacts yet"}>{filtered ? "Try another search or fewer tags." : "Contacts appear when customers write to a connected account, or import them from a CSV file."}</EmptyState>
      ) : (
        <Stack gap="sm">
          <Table.ScrollContainer minWidth={640}>
            <Table striped highlightOnHover aria-label="Contacts">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Contact</Table.Th>
                  <Table.Th>Tags</Table.Th>
                  <Table.Th>Automated DMs</Table.Th>
                  <Table.Th>Conversations</Table.Th>
                  <Table.Th>Last interaction</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {list.data.data.map((c) => {
                  const name = c.displayName ?? (c.username ? `@${c.username}` : c.twitterUserId);
                  return (
                    <Table.Tr key={c.id}>
                      <Table.Td>
                        <UnstyledButton onClick={() => update({ contact: c.id }, false)}>
                          <Group gap="sm" wrap="nowrap">
                            <Avatar src={c.profileImageUrl} alt="" radius="xl" size="sm" name={name} color="initials" aria-hidden />
                            <div>
                              <Text size="sm" fw={500} c="blue.8">
                                {name}
                              </Text>
                              {c.username && c.displayName ? (
                                <Text size="xs" c="dimmed">
                                  @{c.username}
                                </Text>
                              ) : null}
                            </div>
                          </Group>
                        </UnstyledButton>
                      </Table.Td>
                      <Table.Td>
                        <Group gap={4}>
                          {c.tags.slice(0, 5).map((t) => (
                            <Badge key={t} variant="light" size="sm">
                              {t}
                            </Badge>
                          ))}
                          {c.tags.length > 5 ? (
                            <Text size="xs" c="dimmed">
                              +{c.tags.length - 5}
                            </Text>
                          ) : null}
                        </Group>
                      </Table.Td>
                      <Table.Td>
                        {c.optedOut ? (
                          <Badge color="red" variant="light" size="sm">
                            Opted out
                          </Badge>
                        ) : (
                          <Text size="sm">Subscribed</Text>
                        )}
                      </Table.Td>
                      <Table.Td>{c.conversationCount}</Table.Td>
                      <Table.Td>
                        <Text size="sm">{formatDateTime(c.lastInteractionAt)}</Text>
                      </Table.Td>
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          {list.data.pagination.totalPages > 1 ? (
            <Pagination total={list.data.pagination.totalPages} value={page} onChange={(p) => update({ page: p === 1 ? undefined : p }, false)} getControlProps={(control) => ({ "aria-label": `${control} page` })} getItemProps={(p) => ({ "aria-label": `Page ${p}` })} />
          ) : null}
        </Stack>
      )}
      <ContactDrawer contactId={search.contact} onClose={() => update({ contact: undefined }, false)} />
      {importing ? <ImportDialog opened onClose={() => setImporting(false)} accounts={accounts} defaultAccountId={search.account} onImported={() => void queryClient.invalidateQueries(trpc.contacts.pathFilter())} /> : null}
    </>
  );
}
