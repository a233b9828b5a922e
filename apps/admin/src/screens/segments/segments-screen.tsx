// Segments: the list (name, rules, how many contacts match now) and creating one, which opens its
// rule builder.
import { useState } from "react";
import { Anchor, Button, Modal, SegmentedControl, Stack, Table, Text, TextInput } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { modals } from "@mantine/modals";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate } from "@tanstack/react-router";
import { CreateSegmentInput } from "@mkt-x/core";
import { EmptyState, PageHeader, QueryView, formatDateTime, formatNumber, FormActions } from "../../lib/ui.tsx";
import { errorMessage, useTRPC } from "../../lib/trpc.ts";
import { IfCan, useCan } from "../../lib/me.tsx";

function NewSegmentDialog({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const trpc = useTRPC();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [name, setName] = useState("");
  const [match, setMatch] = useState<"all" | "any">("all");
  const [error, setError] = useState<string | null>(null);
  const create = useMutation(
    trpc.segments.create.mutationOptions({
      onSuccess: async (segment) => {
        await queryClient.invalidateQueries({ queryKey: trpc.segments.list.queryKey() });
        onClose();
        void navigate({ to: "/segments/$segmentId", params: { segmentId: segment.id } });
      },
      onError: (e) => setError(errorMessage(e)),
    }),
  );
  const submit = () => {
    const parsed = CreateSegmentInput.safeParse({ name, conditions: [], match });
    if (!parsed.success) return setError(parsed.error.issues[0]?.message ?? "Check the form");
    setError(null);
    create.mutate(parsed.data);
  };
  return (
    <Modal opened={opened} onClose={onClose} title="New segment">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <Stack>
          <TextInput label="Name" value={name} onChange={(e) => setName(e.currentTarget.value)} error={error} data-autofocus required />
          <Stack gap={4}>
            <Text size="sm" fw={500} id="new-segment-match">
              Contacts must match
            </Text>
            <SegmentedControl aria-labelledby="new-segment-match" value={match} onChange={(v) => setMatch(v === "any" ? "any" : "all")} data={[{ value: "all", label: "All rules" }, { value: "any", label: "Any rule" }]} />
          </Stack>
          <Text size="sm" c="dimmed">
            You add the rules next, and see how many contacts match as you go.
          </Text>
          <FormActions onCancel={onClose} busy={create.isPending} submit="Create segment" />
        </Stack>
      </form>
    </Modal>
  );
}

export function SegmentsScreen() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const isAdmin = useCan("admin");
  const [creating, setCreating] = useState(false);
  const list = useQuery(trpc.segments.list.queryOptions({ take: 100 }));
  const remove = useMutation(
    trpc.segments.delete.mutationOptions({
      onSuccess: () => {
        notifications.show({ message: "Segment deleted" });
        void queryClient.invalidateQueries({ queryKey: trpc.segments.list.queryKey() });
      },
      onError: (e) => notifications.show({ color: "red", title: "Could not delete the segment", message: errorMessage(e) }),
    }),
  );
  const confirmDelete = (id: string, name: string) =>
    modals.openConfirmModal({
      title: `Delete the segment “${name}”?`,
      children: <Text size="sm">Campaigns keep the contacts they already sent to; a segment an active campaign uses cannot be deleted.</Text>,
      labels: { confirm: "Delete", cancel: "Cancel" },
      confirmProps: { color: "red" },
      onConfirm: () => remove.mutate({ segmentId: id }),
    });
  return (
    <>
      <PageHeader
        title="Segments"
        description="Groups of contacts by rules: tags, activity, attributes. Campaigns send to segments."
        actions={
          <IfCan permission="admin">
            <Button onClick={() => setCreating(true)}>New segment</Button>
          </IfCan>
        }
      />
      <QueryView
        query={list}
        isEmpty={(d) => d.data.length === 0}
        empty={
          <EmptyState title="No segments yet" action={isAdmin ? <Button onClick={() => setCreating(true)}>New segment</Button> : undefined}>
            A segment picks contacts by rules, for example “tag is vip and wrote in the last 30 days”.
          </EmptyState>
        }
      >
        {(data) => (
          <Table.ScrollContainer minWidth={600}>
            <Table striped highlightOnHover>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Name</Table.Th>
                  <Table.Th>Rules</Table.Th>
                  <Table.Th ta="right">Contacts</Table.Th>
                  <Table.Th>Updated</Table.Th>
                  {isAdmin ? <Table.Th>Actions</Table.Th> : null}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {data.data.map((s) => (
                  <Table.Tr key={s.id}>
                    <Table.Td>
                      <Anchor renderRoot={(props) => <Link {...props} to="/segments/$segmentId" params={{ segmentId: s.id }} />}>
                        {s.name}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>{s.conditions.length === 0 ? "every contact" : `${s.conditions.length} rule${s.conditions.length === 1 ? "" : "s"}, ${s.match === "all" ? "all" : "any"}`}</Table.Td>
                    <Table.Td ta="right">{formatNumber(s.contactCount)}</Table.Td>
                    <Table.Td>{formatDateTime(s.updatedAt)}</Table.Td>
                    {isAdmin ? (
                      <Table.Td>
                        <Button size="xs" variant="subtle" color="red" aria-label={`Delete ${s.name}`} onClick={() => confirmDelete(s.id, s.name)}>
                          Delete
                        </Button>
                      </Table.Td>
                    ) : null}
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </QueryView>
      <NewSegmentDialog opened={creating} onClose={() => setCreating(false)} />
    </>
  );
}
