// One flow: the builder, and the log of its executions; activate / deactivate, run it for chosen
// contacts, delete it.
import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate } from "@tanstack/react-router";
import { Anchor, Badge, Button, Group, Modal, MultiSelect, Pagination, Select, Stack, Table, Tabs, Text, Tooltip } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { modals } from "@mantine/modals";
import { notifications } from "@mantine/notifications";
import { FLOW_EXECUTION_STATUSES, type FlowExecutionStatus } from "@mkt-x/core";
import { errorMessage, useTRPC, type RouterOutputs } from "../../lib/trpc.ts";
import { IfCan, useCan } from "../../lib/me.tsx";
import { EmptyState, ErrorState, Loading, PageHeader, QueryView, formatDateTime } from "../../lib/ui.tsx";
import { FlowEditor } from "./flow-editor.tsx";
import { NODE_LABELS, TRIGGER_LABELS, triggerSummary, type FlowDraft } from "./flow-model.ts";
import { FlowStatusBadge, ToggleFlowButton } from "./flows-screen.tsx";
import { flowRoute } from "./route.ts";

type Flow = RouterOutputs["flows"]["get"];
const PAGE = 20;

const toDraft = (f: Flow): FlowDraft => ({ name: f.name, trigger: f.trigger, nodes: f.nodes, connections: f.connections });

export function FlowScreen() {
  const trpc = useTRPC();
  const { flowId } = flowRoute.useParams();
  const search = flowRoute.useSearch();
  const navigate = useNavigate({ from: flowRoute.fullPath });
  const flow = useQuery(trpc.flows.get.queryOptions({ flowId }));

  if (flow.isPending) return <Loading />;
  if (flow.error || !flow.data)
    return (
      <>
        <PageHeader title="Flow" />
        <ErrorState error={flow.error} onRetry={() => void flow.refetch()} title="Could not load this flow" />
        <Anchor component={Link} to="/flows" mt="md" display="block">
          Back to flows
        </Anchor>
      </>
    );
  const f = flow.data;
  return (
    <>
      <Anchor component={Link} to="/flows" size="sm">
        ← Flows
      </Anchor>
      <PageHeader
        title={f.name}
        description={
          <Group gap="xs" component="span">
            <FlowStatusBadge status={f.status} />
            <span>
              {TRIGGER_LABELS[f.trigger.type]}: {triggerSummary(f.trigger)}
            </span>
          </Group>
        }
        actions={
          <IfCan permission="admin">
            <DeleteFlowButton flow={f} />
          </IfCan>
        }
      />
      <Tabs value={search.tab ?? "builder"} onChange={(t) => void navigate({ search: { tab: t === "executions" ? "executions" : undefined } })} keepMounted={false}>
        <Tabs.List mb="md">
          <Tabs.Tab value="builder">Builder</Tabs.Tab>
          <Tabs.Tab value="executions">Executions</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="builder">
          <Builder flow={f} />
        </Tabs.Panel>
        <Tabs.Panel value="executions">
          <Executions flow={f} />
        </Tabs.Panel>
      </Tabs>
    </>
  );
}

function Builder({ flow }: { flow: Flow }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const editable = useCan("admin");
  const templates = useQuery(trpc.templates.list.queryOptions({ take: 100 }));
  const [saveError, setSaveError] = useState<string | undefined>();
  const update = useMutation(
    trpc.flows.update.mutationOptions({
      onSuccess: (saved) => {
        setSaveError(undefined);
        queryClient.setQueryData(trpc.flows.get.queryKey({ flowId: flow.id }), saved);
        void queryClient.invalidateQueries({ queryKey: trpc.flows.list.pathKey() });
        notifications.show({ color: "green", message: "Flow saved" });
      },
      onError: (e) => setSaveError(errorMessage(e)),
    }),
  );
  if (templates.isPending) return <Loading label="Loading templates…" />;
  return (
    <FlowEditor
      saved={toDraft(flow)}
      templates={(templates.data?.data ?? []).map((t) => ({ id: t.id, name: t.name }))}
      editable={editable}
      saving={update.isPending}
      saveError={saveError}
      onSave={(d) => update.mutate({ flowId: flow.id, name: d.name, trigger: d.trigger, nodes: d.nodes, connections: d.connections })}
      actions={(dirty) =>
        editable ? (
          <>
            <ToggleFlowButton flow={flow} disabledReason={dirty && flow.status !== "active" ? "Save your changes first" : flow.nodes.length === 0 ? "Add a step and save first" : undefined} />
            <RunFlowButton flow={flow} />
          </>
        ) : null
      }
    />
  );
}

function DeleteFlowButton({ flow }: { flow: Flow }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const del = useMutation(
    trpc.flows.delete.mutationOptions({
      onSuccess: () => {
        void queryClient.invalidateQueries({ queryKey: trpc.flows.list.pathKey() });
        notifications.show({ message: `Flow “${flow.name}” deleted` });
        void navigate({ to: "/flows" });
      },
      onError: (e) => notifications.show({ color: "red", title: "Not deleted", message: errorMessage(e) }),
    }),
  );
  return (
    <Button
      variant="subtle"
      color="red"
      loading={del.isPending}
      onClick={() =>
        modals.openConfirmModal({
          title: "Delete this flow?",
          children: <Text size="sm">“{flow.name}” and its executions log will be gone. Running executions stop.</Text>,
          labels: { confirm: "Delete flow", cancel: "Cancel" },
          confirmProps: { color: "red" },
          onConfirm: () => del.mutate({ flowId: flow.id }),
        })
      }
    >
      Delete
    </Button>
  );
}

function RunFlowButton({ flow }: { flow: Flow }) {
  const [open, setOpen] = useState(false);
  const inactive = flow.status !== "active";
  return (
    <>
      <Tooltip label="Activate the flow to run it" disabled={!inactive}>
        <Button size="xs" variant="light" disabled={inactive} onClick={() => setOpen(true)}>
          Run for contacts
        </Button>
      </Tooltip>
      {open ? <RunFlowModal flow={flow} onClose={() => setOpen(false)} /> : null}
    </>
  );
}

function RunFlowModal({ flow, onClose }: { flow: Flow; onClose: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const navigate = useNavigate({ from: flowRoute.fullPath });
  const [query, setQuery] = useState("");
  const [debounced] = useDebouncedValue(query, 250);
  const [chosen, setChosen] = useState<{ value: string; label: string }[]>([]);
  const contacts = useQuery(trpc.contacts.list.queryOptions({ search: debounced.trim() || undefined, take: 20 }));
  const run = useMutation(
    trpc.flows.run.mutationOptions({
      onSuccess: (r) => {
        void queryClient.invalidateQueries({ queryKey: trpc.flows.executions.pathKey() });
        notifications.show({ color: "green", message: r.started === 1 ? "1 execution started" : `${r.started} executions started` });
        onClose();
        void navigate({ search: { tab: "executions" } });
      },
    }),
  );
  const options = [...chosen, ...(contacts.data?.data ?? []).map((c) => ({ value: c.id, label: c.displayName ? `${c.displayName} (@${c.username ?? c.twitterUserId})` : `@${c.username ?? c.twitterUserId}` }))];
  const unique = [...new Map(options.map((o) => [o.value, o])).values()];
  return (
    <Modal opened onClose={onClose} title={`Run “${flow.name}”`}>
      <Stack>
        <Text size="sm">Starts one execution per contact, from the first step. Its DMs are automated: opt-outs and consent apply.</Text>
        <MultiSelect
          label="Contacts"
          placeholder="Search by name or username"
          searchable
          searchValue={query}
          onSearchChange={setQuery}
          data={unique}
          value={chosen.map((c) => c.value)}
          onChange={(ids) => setChosen(ids.map((id) => unique.find((o) => o.value === id) ?? { value: id, label: id }))}
          nothingFoundMessage={contacts.isPending ? "Searching…" : "No contact found"}
          filter={({ options: o }) => o}
          data-autofocus
        />
        {run.error ? (
          <Text c="red" size="sm" role="alert">
            {errorMessage(run.error)}
          </Text>
        ) : null}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button disabled={chosen.length === 0} loading={run.isPending} onClick={() => run.mutate({ flowId: flow.id, contactIds: chosen.map((c) => c.value) })}>
            {chosen.length === 1 ? "Run for 1 contact" : `Run for ${chosen.length} contacts`}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

const EXECUTION_COLORS: Record<FlowExecutionStatus, string> = { running: "blue", completed: "green", failed: "red", cancelled: "gray" };
const EXECUTION_LABELS: Record<FlowExecutionStatus, string> = { running: "Running", completed: "Completed", failed: "Failed", cancelled: "Cancelled" };

function ContactName({ contactId }: { contactId: string }) {
  const trpc = useTRPC();
  const c = useQuery({ ...trpc.contacts.get.queryOptions({ contactId }), staleTime: 300_000 });
  if (!c.data) return <Text size="sm">{c.isPending ? "…" : "Deleted contact"}</Text>;
  return (
    <Text size="sm">
      {c.data.displayName ?? c.data.username ?? c.data.twitterUserId}
      {c.data.username ? (
        <Text span size="xs" c="dimmed">
          {" "}
          @{c.data.username}
        </Text>
      ) : null}
    </Text>
  );
}

function Executions({ flow }: { flow: Flow }) {
  const trpc = useTRPC();
  const search = flowRoute.useSearch();
  const navigate = useNavigate({ from: flowRoute.fullPath });
  const page = search.page ?? 1;
  const executions = useQuery(trpc.flows.executions.queryOptions({ flowId: flow.id, status: search.status, skip: (page - 1) * PAGE, take: PAGE }));
  const stepName = (id: string | null) => {
    const n = flow.nodes.find((x) => x.id === id);
    return n ? `${NODE_LABELS[n.type]} (${n.id})` : (id ?? "—");
  };
  return (
    <Stack>
      <Group>
        <Select
          label="Status"
          placeholder="Any status"
          clearable
          w={200}
          data={FLOW_EXECUTION_STATUSES.map((s) => ({ value: s, label: EXECUTION_LABELS[s] }))}
          value={search.status ?? null}
          onChange={(v) => void navigate({ search: { tab: "executions", status: FLOW_EXECUTION_STATUSES.find((s) => s === v) } })}
        />
      </Group>
      <QueryView
        query={executions}
        isEmpty={(d) => d.data.length === 0}
        empty={
          <EmptyState title="No executions yet">
            {flow.status === "active" ? "They appear here, live, as the trigger fires or when you run the flow for contacts." : "Activate the flow: executions start when its trigger fires."}
          </EmptyState>
        }
      >
        {(d) => (
          <>
            <Table.ScrollContainer minWidth={640}>
              <Table striped aria-label="Executions">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Status</Table.Th>
                    <Table.Th>Contact</Table.Th>
                    <Table.Th>Started</Table.Th>
                    <Table.Th>Current step</Table.Th>
                    <Table.Th>Error</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {d.data.map((e) => (
                    <Table.Tr key={e.id}>
                      <Table.Td>
                        <Badge color={EXECUTION_COLORS[e.status]} variant="light">
                          {EXECUTION_LABELS[e.status]}
                        </Badge>
                      </Table.Td>
                      <Table.Td>
                        <ContactName contactId={e.contactId} />
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm">{formatDateTime(e.startedAt)}</Text>
                        {e.completedAt ? (
                          <Text size="xs" c="dimmed">
                            ended {formatDateTime(e.completedAt)}
                          </Text>
                        ) : null}
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm">{e.status === "completed" ? "—" : stepName(e.currentNodeId)}</Text>
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm" c={e.error ? "red.8" : undefined}>
                          {e.error ?? "—"}
                        </Text>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            {d.pagination.totalPages > 1 ? (
              <Pagination total={d.pagination.totalPages} value={page} onChange={(p) => void navigate({ search: { ...search, page: p } })} getControlProps={(c) => ({ "aria-label": `${c} page` })} />
            ) : null}
          </>
        )}
      </QueryView>
    </Stack>
  );
}
