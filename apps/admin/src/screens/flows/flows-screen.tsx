// The flows: each with its status, trigger and how many times it ran; a new flow starts from a
// name and a trigger and opens in the builder.
import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate } from "@tanstack/react-router";
import { Anchor, Badge, Button, Modal, Pagination, SegmentedControl, Select, Stack, Table, TagsInput, Text, TextInput, VisuallyHidden } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { CreateFlowInput, FLOW_STATUSES, FLOW_TRIGGER_TYPES, type FlowStatus } from "@mkt-x/core";
import { errorMessage, useTRPC, type RouterOutputs } from "../../lib/trpc.ts";
import { IfCan, useCan } from "../../lib/me.tsx";
import { EmptyState, PageHeader, QueryView, formatDateTime, formatNumber, FormActions } from "../../lib/ui.tsx";
import { TRIGGER_LABELS, newTrigger, triggerSummary, type FlowTriggerType } from "./flow-model.ts";
import { flowsRoute } from "./route.ts";

type Flow = RouterOutputs["flows"]["list"]["data"][number];
const PAGE = 20;

export const FLOW_STATUS_COLORS: Record<FlowStatus, string> = { draft: "gray", active: "green", inactive: "orange" };
const STATUS_LABELS: Record<FlowStatus, string> = { draft: "Draft", active: "Active", inactive: "Inactive" };

export function FlowStatusBadge({ status }: { status: FlowStatus }) {
  return (
    <Badge color={FLOW_STATUS_COLORS[status]} variant="light">
      {STATUS_LABELS[status]}
    </Badge>
  );
}

export function FlowsScreen() {
  const trpc = useTRPC();
  const search = flowsRoute.useSearch();
  const navigate = useNavigate({ from: flowsRoute.fullPath });
  const page = search.page ?? 1;
  const [creating, setCreating] = useState(false);
  const flows = useQuery(trpc.flows.list.queryOptions({ status: search.status, skip: (page - 1) * PAGE, take: PAGE }));

  return (
    <>
      <PageHeader
        title="Flows"
        description="Automations that start on a DM, a new follower or by hand, and send, wait, branch and tag."
        actions={
          <IfCan permission="admin">
            <Button onClick={() => setCreating(true)}>New flow</Button>
          </IfCan>
        }
      />
      <SegmentedControl
        mb="md"
        aria-label="Status"
        value={search.status ?? "all"}
        data={[{ value: "all", label: "All" }, ...FLOW_STATUSES.map((s) => ({ value: s, label: STATUS_LABELS[s] }))]}
        onChange={(v) => void navigate({ search: { status: FLOW_STATUSES.find((s) => s === v), page: undefined } })}
      />
      <QueryView
        query={flows}
        isEmpty={(d) => d.data.length === 0}
        empty={
          <EmptyState title={search.status ? `No ${STATUS_LABELS[search.status].toLowerCase()} flows` : "No flows yet"}>
            A flow answers a keyword, welcomes a new follower or follows up after a purchase, on its own.
          </EmptyState>
        }
      >
        {(d) => (
          <Stack>
            <Table.ScrollContainer minWidth={640}>
              <Table striped highlightOnHover>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Name</Table.Th>
                    <Table.Th>Status</Table.Th>
                    <Table.Th>Trigger</Table.Th>
                    <Table.Th>Steps</Table.Th>
                    <Table.Th>Executions</Table.Th>
                    <Table.Th>Updated</Table.Th>
                    <Table.Th>
                      <VisuallyHidden>Actions</VisuallyHidden>
                    </Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {d.data.map((f) => (
                    <FlowRow key={f.id} flow={f} />
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            {d.pagination.totalPages > 1 ? (
              <Pagination total={d.pagination.totalPages} value={page} onChange={(p) => void navigate({ search: { ...search, page: p } })} getControlProps={(c) => ({ "aria-label": `${c} page` })} />
            ) : null}
          </Stack>
        )}
      </QueryView>
      <NewFlowModal opened={creating} onClose={() => setCreating(false)} />
    </>
  );
}

function ExecutionCount({ flowId }: { flowId: string }) {
  const trpc = useTRPC();
  const q = useQuery(trpc.flows.executions.queryOptions({ flowId, take: 1 }));
  return <>{q.data ? formatNumber(q.data.pagination.total) : "…"}</>;
}

export function ToggleFlowButton({ flow, disabledReason }: { flow: Pick<Flow, "id" | "name" | "status">; disabledReason?: string | undefined }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const done = () => void queryClient.invalidateQueries({ queryKey: trpc.flows.pathKey() });
  const fail = (e: unknown) => notifications.show({ color: "red", title: "Not changed", message: errorMessage(e) });
  const activate = useMutation(trpc.flows.activate.mutationOptions({ onSuccess: done, onError: fail }));
  const deactivate = useMutation(trpc.flows.deactivate.mutationOptions({ onSuccess: done, onError: fail }));
  if (flow.status === "active")
    return (
      <Button size="xs" variant="default" loading={deactivate.isPending} onClick={() => deactivate.mutate({ flowId: flow.id })} aria-label={`Deactivate ${flow.name}`}>
        Deactivate
      </Button>
    );
  return (
    <Button size="xs" color="green" loading={activate.isPending} disabled={Boolean(disabledReason)} title={disabledReason} onClick={() => activate.mutate({ flowId: flow.id })} aria-label={`Activate ${flow.name}`}>
      Activate
    </Button>
  );
}

function FlowRow({ flow }: { flow: Flow }) {
  const canAdmin = useCan("admin");
  return (
    <Table.Tr>
      <Table.Td>
        <Anchor fw={500} renderRoot={(props) => <Link {...props} to="/flows/$flowId" params={{ flowId: flow.id }} />}>
          {flow.name}
        </Anchor>
      </Table.Td>
      <Table.Td>
        <FlowStatusBadge status={flow.status} />
      </Table.Td>
      <Table.Td>
        <Text size="sm">{TRIGGER_LABELS[flow.trigger.type]}</Text>
        <Text size="xs" c="dimmed">
          {triggerSummary(flow.trigger)}
        </Text>
      </Table.Td>
      <Table.Td>{flow.nodes.length}</Table.Td>
      <Table.Td>
        <ExecutionCount flowId={flow.id} />
      </Table.Td>
      <Table.Td>
        <Text size="sm">{formatDateTime(flow.updatedAt)}</Text>
      </Table.Td>
      <Table.Td>{canAdmin ? <ToggleFlowButton flow={flow} disabledReason={flow.nodes.length === 0 ? "Add a step first" : undefined} /> : null}</Table.Td>
    </Table.Tr>
  );
}

const isTriggerType = (v: string | null): v is FlowTriggerType => (FLOW_TRIGGER_TYPES as readonly (string | null)[]).includes(v);

function NewFlowModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const trpc = useTRPC();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [name, setName] = useState("");
  const [type, setType] = useState<FlowTriggerType>("message_received");
  const [keywords, setKeywords] = useState<string[]>([]);
  const [postId, setPostId] = useState("");
  const [error, setError] = useState<string | undefined>();
  const create = useMutation(
    trpc.flows.create.mutationOptions({
      onSuccess: (flow) => {
        void queryClient.invalidateQueries({ queryKey: trpc.flows.list.pathKey() });
        onClose();
        void navigate({ to: "/flows/$flowId", params: { flowId: flow.id } });
      },
      onError: (e) => setError(errorMessage(e)),
    }),
  );
  const submit = () => {
    const trigger = type === "message_received" ? { type, config: { keywords } } : type === "post_reply" ? { type, config: { postId: postId.trim(), keywords } } : newTrigger(type);
    const parsed = CreateFlowInput.safeParse({ name, trigger });
    if (!parsed.success) return setError(parsed.error.issues.map((i) => `${i.path.join(".") || "flow"}: ${i.message}`).join("; "));
    setError(undefined);
    create.mutate(parsed.data);
  };
  return (
    <Modal opened={opened} onClose={onClose} title="New flow">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <Stack>
          <TextInput label="Name" required value={name} onChange={(e) => setName(e.currentTarget.value)} data-autofocus />
          <Select label="Starts when" data={FLOW_TRIGGER_TYPES.map((t) => ({ value: t, label: TRIGGER_LABELS[t] }))} value={type} allowDeselect={false} onChange={(v) => isTriggerType(v) && setType(v)} />
          {type === "message_received" ? <TagsInput label="Keywords" description="Press Enter after each. None: every message starts it." value={keywords} onChange={setKeywords} /> : null}
          {type === "post_reply" ? (
            <>
              <TextInput label="Post id" description="The id of your post on X (the digits at the end of its link)" required value={postId} onChange={(e) => setPostId(e.currentTarget.value)} />
              <TagsInput label="Keywords" description="Press Enter after each. None: every reply starts it." value={keywords} onChange={setKeywords} />
            </>
          ) : null}
          {error ? (
            <Text c="red" size="sm" role="alert">
              {error}
            </Text>
          ) : null}
          <FormActions onCancel={onClose} busy={create.isPending} submit="Create and open the builder" />
        </Stack>
      </form>
    </Modal>
  );
}
