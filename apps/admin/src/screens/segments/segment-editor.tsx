// One segment: its rule builder, saved as you edit (once every rule is complete), with the number of
// contacts matching now and a preview of them.
import { useEffect, useMemo, useRef, useState } from "react";
import { Anchor, Badge, Button, Grid, Group, Paper, SegmentedControl, Stack, Table, Text, TextInput, Title } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { UpdateSegmentBody } from "@mkt-x/core";
import { ErrorState, Loading, PageHeader, formatNumber } from "../../lib/ui.tsx";
import { errorMessage, useTRPC, useTRPCClient, type RouterOutputs } from "../../lib/trpc.ts";
import { useCan } from "../../lib/me.tsx";
import { segmentRoute } from "./route.ts";
import { RuleBuilder, fromCondition, toConditions, type RuleDraft } from "./rule-builder.tsx";

type Segment = RouterOutputs["segments"]["get"];

export function SegmentEditorScreen() {
  const { segmentId } = segmentRoute.useParams();
  const trpc = useTRPC();
  const segment = useQuery(trpc.segments.get.queryOptions({ segmentId }, { staleTime: Infinity, refetchOnWindowFocus: false }));
  if (segment.isPending) return <Loading />;
  if (segment.error) return <ErrorState error={segment.error} onRetry={() => void segment.refetch()} />;
  return <SegmentEditor key={segment.data.id} segment={segment.data} />;
}

function useSegmentOptions() {
  const trpc = useTRPC();
  const accounts = useQuery(trpc.accounts.list.queryOptions({ take: 100 }));
  const contacts = useQuery(trpc.contacts.list.queryOptions({ take: 100 }));
  return useMemo(
    () => ({
      accounts: (accounts.data?.data ?? []).map((a) => ({ value: a.id, label: `@${a.username}` })),
      tags: [...new Set((contacts.data?.data ?? []).flatMap((c) => c.tags))].sort(),
    }),
    [accounts.data, contacts.data],
  );
}

function SegmentEditor({ segment }: { segment: Segment }) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const canEdit = useCan("admin");
  const options = useSegmentOptions();
  const [name, setName] = useState(segment.name);
  const [match, setMatch] = useState(segment.match);
  const [rules, setRules] = useState<RuleDraft[]>(() => segment.conditions.map(fromCondition));
  const [saved, setSaved] = useState({ name: segment.name, match: segment.match, conditions: JSON.stringify(segment.conditions), count: segment.contactCount, updatedAt: segment.updatedAt });

  const built = useMemo(() => toConditions(rules), [rules]);
  const body = UpdateSegmentBody.safeParse({ name, match, conditions: built.ok ? built.conditions : [] });
  const draftKey = built.ok && body.success ? JSON.stringify({ name: name.trim(), match, conditions: built.conditions }) : null;
  const [debouncedKey] = useDebouncedValue(draftKey, 500);

  const update = useMutation(
    trpc.segments.update.mutationOptions({
      onSuccess: (s) => {
        setSaved({ name: s.name, match: s.match, conditions: JSON.stringify(s.conditions), count: s.contactCount, updatedAt: s.updatedAt });
        queryClient.setQueryData(trpc.segments.get.queryKey({ segmentId: s.id }), s);
        void queryClient.invalidateQueries({ queryKey: trpc.segments.list.queryKey() });
      },
    }),
  );
  const lastSent = useRef<string | null>(null);
  useEffect(() => {
    if (!canEdit || !debouncedKey || debouncedKey !== draftKey) return;
    const draft = JSON.parse(debouncedKey) as { name: string; match: "all" | "any"; conditions: unknown[] };
    const same = draft.name === saved.name && draft.match === saved.match && JSON.stringify(draft.conditions) === saved.conditions;
    if (same || lastSent.current === debouncedKey) return;
    lastSent.current = debouncedKey;
    update.mutate({ segmentId: segment.id, ...draft });
  }, [debouncedKey, draftKey, saved, canEdit, segment.id, update]);

  // the preview reads the saved segment: it follows each save (and contact changes, through live events)
  const preview = useQuery({
    queryKey: [["segments", "preview"], { segmentId: segment.id, updatedAt: saved.updatedAt }],
    queryFn: () => client.segments.preview.mutate({ segmentId: segment.id, limit: 10 }),
    placeholderData: (prev) => prev,
  });
  const count = preview.data?.totalMatches ?? saved.count;
  const dirty = draftKey === null || draftKey !== JSON.stringify({ name: saved.name, match: saved.match, conditions: JSON.parse(saved.conditions) as unknown });
  const status = !canEdit ? null : update.isPending ? "Saving…" : update.error ? `Not saved: ${errorMessage(update.error)}` : draftKey === null ? "Complete the rules to save" : dirty ? "Unsaved changes" : "All changes saved";

  return (
    <>
      <PageHeader
        title={segment.name}
        description={
          <Anchor component={Link} to="/segments" size="sm">
            ← All segments
          </Anchor>
        }
      />
      <Grid gap="lg">
        <Grid.Col span={{ base: 12, md: 7 }}>
          <Stack>
            <TextInput label="Name" value={name} onChange={(e) => setName(e.currentTarget.value)} readOnly={!canEdit} error={body.success || !built.ok ? undefined : body.error.issues[0]?.message} />
            <Stack gap={4}>
              <Text size="sm" fw={500} id="segment-match">
                Contacts must match
              </Text>
              <SegmentedControl
                aria-labelledby="segment-match"
                value={match}
                onChange={(v) => setMatch(v === "any" ? "any" : "all")}
                disabled={!canEdit}
                data={[
                  { value: "all", label: "All rules (AND)" },
                  { value: "any", label: "Any rule (OR)" },
                ]}
                w="fit-content"
              />
            </Stack>
            <Title order={2} size="h4">
              Rules
            </Title>
            <RuleBuilder rules={rules} onChange={setRules} problems={built.ok ? {} : built.problems} options={options} disabled={!canEdit} />
            {status ? (
              <Text size="sm" c={update.error ? "red" : "dimmed"} role="status" aria-live="polite">
                {status}
              </Text>
            ) : null}
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 5 }}>
          <Paper withBorder p="md">
            <Stack gap="xs">
              <Group justify="space-between">
                <Title order={2} size="h4">
                  Matching contacts
                </Title>
                {preview.isFetching ? (
                  <Badge variant="light" color="gray">
                    counting…
                  </Badge>
                ) : null}
              </Group>
              <Text size="xl" fw={700} aria-live="polite" data-testid="segment-count">
                {formatNumber(count)} {count === 1 ? "contact matches" : "contacts match"}
              </Text>
              {preview.error ? <ErrorState error={preview.error} onRetry={() => void preview.refetch()} title="Could not preview" /> : null}
              {preview.data && preview.data.preview.length > 0 ? (
                <Table aria-label="Preview of matching contacts">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>Contact</Table.Th>
                      <Table.Th>Tags</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {preview.data.preview.map((c) => (
                      <Table.Tr key={c.id}>
                        <Table.Td>
                          <Text size="sm">{c.displayName ?? c.username ?? c.id}</Text>
                          {c.username ? (
                            <Text size="xs" c="dimmed">
                              @{c.username}
                            </Text>
                          ) : null}
                        </Table.Td>
                        <Table.Td>
                          <Group gap={4}>
                            {c.tags.slice(0, 4).map((t) => (
                              <Badge key={t} size="sm" variant="light" tt="none">
                                {t}
                              </Badge>
                            ))}
                          </Group>
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              ) : preview.data ? (
                <Text size="sm" c="dimmed">
                  No contact matches these rules yet.
                </Text>
              ) : null}
              {preview.data && preview.data.totalMatches > preview.data.preview.length ? (
                <Text size="xs" c="dimmed">
                  Showing {preview.data.preview.length} of {formatNumber(preview.data.totalMatches)}.
                </Text>
              ) : null}
            </Stack>
          </Paper>
          {canEdit && dirty && draftKey ? (
            <Button mt="sm" variant="light" onClick={() => update.mutate({ segmentId: segment.id, ...(JSON.parse(draftKey) as { name: string; match: "all" | "any"; conditions: unknown[] }) })}>
              Save now
            </Button>
          ) : null}
        </Grid.Col>
      </Grid>
    </>
  );
}
