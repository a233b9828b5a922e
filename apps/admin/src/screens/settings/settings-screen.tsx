// Settings: outgoing webhooks to the merchant's own systems (which live events go where, the
// signing secret shown once), and each webhook's delivery log with redeliver.
import { useState } from "react";
import { Alert, Anchor, Badge, Button, Checkbox, Code, Group, Modal, Pagination, SimpleGrid, Stack, Table, Text, TextInput, Textarea, Title, VisuallyHidden } from "@mantine/core";
import { modals } from "@mantine/modals";
import { notifications } from "@mantine/notifications";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate } from "@tanstack/react-router";
import { CreateWebhookInput, LIVE_EVENT_TYPES, WebhookChanges, type LiveEventType } from "@mkt-x/core";
import { errorMessage, useTRPC, type RouterOutputs } from "../../lib/trpc.ts";
import { useCan } from "../../lib/me.tsx";
import { EmptyState, formatDateTime, PageHeader, QueryView, MutationError } from "../../lib/ui.tsx";
import { OneTimeSecret } from "../team/one-time-secret.tsx";
import { OnlyAdmins } from "../team/team-screen.tsx";
import { settingsRoute } from "./route.ts";

type Webhook = RouterOutputs["webhooks"]["list"]["data"][number];
type Delivery = RouterOutputs["webhooks"]["deliveries"]["data"][number];
type CreatedWebhook = RouterOutputs["webhooks"]["create"];

const EVENT_HELP: Record<LiveEventType, string> = {
  "message.created": "a DM arrives or is sent",
  "message.updated": "a message is delivered, read or fails",
  "conversation.created": "a new conversation starts",
  "conversation.updated": "assigned, closed, reopened, escalated",
  "contact.created": "a new contact (first DM, import, API)",
  "contact.updated": "tags, attributes, opt-out or consent change",
  "campaign.updated": "a campaign starts, progresses or ends",
  "flow.execution.updated": "a flow run starts, advances or ends",
  "suggestion.created": "the AI drafts a reply for an agent (reply mode draft)",
  "conversation.typing": "a customer is typing a DM (X's typing indicator)",
  "conversation.read": "a customer read your DMs (X's read receipt)",
};

const DELIVERY_STATUS: Record<Delivery["status"], { label: string; color: string }> = {
  pending: { label: "Pending", color: "yellow" },
  succeeded: { label: "Succeeded", color: "teal" },
  failed: { label: "Failed", color: "red" },
};

const LOG_PAGE_SIZE = 20;

function webhookState(w: Webhook): { label: string; color: string } {
  if (w.active) return { label: "Active", color: "teal" };
  return w.disabledAt ? { label: "Disabled", color: "red" } : { label: "Paused", color: "gray" };
}

function WebhookFormModal({ webhook, opened, onClose }: { webhook: Webhook | null; opened: boolean; onClose: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [form, setForm] = useState(() => ({ url: webhook?.url ?? "", description: webhook?.description ?? "", events: webhook?.events ?? (["message.created"] as LiveEventType[]) }));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [created, setCreated] = useState<CreatedWebhook | null>(null);
  const refresh = () => void queryClient.invalidateQueries({ queryKey: trpc.webhooks.pathKey() });
  const create = useMutation(
    trpc.webhooks.create.mutationOptions({
      onSuccess: (w) => {
        setCreated(w);
        refresh();
      },
    }),
  );
  const update = useMutation(
    trpc.webhooks.update.mutationOptions({
      onSuccess: () => {
        notifications.show({ color: "teal", title: "Webhook saved", message: "The changes apply to the next events." });
        refresh();
        onClose();
      },
    }),
  );
  const mutation = webhook ? update : create;

  const submit = () => {
    const input = { url: form.url, events: form.events, description: form.description.trim() || undefined };
    const parsed = webhook ? WebhookChanges.safeParse({ ...input, description: form.description.trim() || null }) : CreateWebhookInput.safeParse(input);
    if (!parsed.success) {
      const out: Record<string, string> = {};
      for (const issue of parsed.error.issues) out[String(issue.path[0] ?? "form")] ??= issue.message;
      return setErrors(out);
    }
    setErrors({});
    if (webhook) update.mutate({ id: webhook.id, ...WebhookChanges.parse({ ...input, description: form.description.trim() || null }) });
    else create.mutate(CreateWebhookInput.parse(input));
  };

  const allChecked = form.events.length === LIVE_EVENT_TYPES.length;
  return (
    <Modal opened={opened} onClose={onClose} size="lg" title={created ? "Webhook created" : webhook ? "Edit webhook" : "Add a webhook"} closeButtonProps={{ "aria-label": "Close" }}>
      {created ? (
        <Stack>
          <OneTimeSecret label="Signing secret" value={created.secret}>
            <Text size="sm">
              Each delivery is a POST to <Code>{created.url}</Code> signed in the <Code>Mktx-Webhook-Signature</Code> header: <Code>v1=</Code> and the hex HMAC-SHA256 of <Code>{"${Mktx-Webhook-Timestamp}.${raw body}"}</Code> keyed with this secret. Deduplicate by <Code>Mktx-Webhook-Id</Code>.
            </Text>
          </OneTimeSecret>
          <Group justify="flex-end">
            <Button onClick={onClose}>Done</Button>
          </Group>
        </Stack>
      ) : (
        <form
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            submit();
          }}
        >
          <Stack>
            <TextInput label="URL" placeholder="https://example.com/hooks/mktx" required value={form.url} error={errors.url} onChange={(e) => setForm({ ...form, url: e.currentTarget.value })} data-autofocus />
            <Textarea label="Description" autosize minRows={1} maxRows={3} value={form.description} error={errors.description} onChange={(e) => setForm({ ...form, description: e.currentTarget.value })} />
            <Checkbox.Group label="Events" required value={form.events} error={errors.events} onChange={(v) => setForm({ ...form, events: v.filter((t): t is LiveEventType => (LIVE_EVENT_TYPES as readonly string[]).includes(t)) })}>
              <Stack gap={6} mt="xs">
                <Checkbox
                  label="All events"
                  checked={allChecked}
                  indeterminate={!allChecked && form.events.length > 0}
                  onChange={() => setForm({ ...form, events: allChecked ? [] : [...LIVE_EVENT_TYPES] })}
                  value="__all__"
                />
                <SimpleGrid cols={{ base: 1, sm: 2 }} spacing={6}>
                  {LIVE_EVENT_TYPES.map((t) => (
                    <Checkbox key={t} value={t} label={t} description={EVENT_HELP[t]} />
                  ))}
                </SimpleGrid>
              </Stack>
            </Checkbox.Group>
            <MutationError error={mutation.error} title="Could not save the webhook" />
            <Group justify="flex-end">
              <Button variant="default" onClick={onClose}>
                Cancel
              </Button>
              <Button type="submit" loading={mutation.isPending}>
                {webhook ? "Save webhook" : "Add webhook"}
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}

function WebhookRow({ webhook, onEdit, selected }: { webhook: Webhook; onEdit: (w: Webhook) => void; selected: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const refresh = () => void queryClient.invalidateQueries({ queryKey: trpc.webhooks.pathKey() });
  const setActive = useMutation(
    trpc.webhooks.update.mutationOptions({
      onSuccess: (w) => {
        notifications.show({ color: "teal", title: w.active ? "Webhook on" : "Webhook paused", message: w.active ? "Events are sent to it again." : "No events are sent to it until you resume it." });
        refresh();
      },
      onError: (e) => notifications.show({ color: "red", title: "Could not change the webhook", message: errorMessage(e) }),
    }),
  );
  const remove = useMutation(
    trpc.webhooks.delete.mutationOptions({
      onSuccess: () => {
        notifications.show({ color: "teal", title: "Webhook deleted", message: "Nothing more is sent to it." });
        if (selected) void navigate({ to: "/settings", search: {}, replace: true });
        refresh();
      },
      onError: (e) => notifications.show({ color: "red", title: "Could not delete the webhook", message: errorMessage(e) }),
    }),
  );
  const state = webhookState(webhook);
  const confirmDelete = () =>
    modals.openConfirmModal({
      title: "Delete this webhook?",
      children: (
        <Text size="sm" style={{ wordBreak: "break-all" }}>
          Nothing more is sent to {webhook.url}, and its delivery log is deleted with it.
        </Text>
      ),
      labels: { confirm: "Delete", cancel: "Cancel" },
      confirmProps: { color: "red" },
      onConfirm: () => remove.mutate({ id: webhook.id }),
    });
  return (
    <Table.Tr bg={selected ? "var(--mantine-color-blue-light)" : undefined}>
      <Table.Td>
        <Text size="sm" fw={500} style={{ wordBreak: "break-all" }}>
          {webhook.url}
        </Text>
        {webhook.description ? (
          <Text size="xs" c="dimmed">
            {webhook.description}
          </Text>
        ) : null}
      </Table.Td>
      <Table.Td>
        <Group gap={4}>
          {webhook.events.map((e) => (
            <Badge key={e} variant="outline" color="gray" size="sm" tt="none">
              {e}
            </Badge>
          ))}
        </Group>
      </Table.Td>
      <Table.Td>
        <Badge color={state.color} variant="light">
          {state.label}
        </Badge>
        {webhook.disabledReason ? (
          <Text size="xs" c="red">
            {webhook.disabledReason}
          </Text>
        ) : webhook.consecutiveFailures > 0 ? (
          <Text size="xs" c="dimmed">
            {webhook.consecutiveFailures} failed in a row
          </Text>
        ) : null}
      </Table.Td>
      <Table.Td>
        <Group gap={4} wrap="wrap">
          <Anchor renderRoot={(props) => <Link {...props} to="/settings" search={{ webhook: webhook.id }} />} size="sm" aria-label={`Deliveries of ${webhook.url}`} aria-current={selected ? "true" : undefined}>
            Deliveries
          </Anchor>
          <Button size="compact-sm" variant="subtle" onClick={() => onEdit(webhook)} aria-label={`Edit ${webhook.url}`}>
            Edit
          </Button>
          <Button size="compact-sm" variant="subtle" loading={setActive.isPending} onClick={() => setActive.mutate({ id: webhook.id, active: !webhook.active })} aria-label={`${webhook.active ? "Pause" : webhook.disabledAt ? "Re-enable" : "Resume"} ${webhook.url}`}>
            {webhook.active ? "Pause" : webhook.disabledAt ? "Re-enable" : "Resume"}
          </Button>
          <Button size="compact-sm" variant="subtle" color="red" loading={remove.isPending} onClick={confirmDelete} aria-label={`Delete ${webhook.url}`}>
            Delete
          </Button>
        </Group>
      </Table.Td>
    </Table.Tr>
  );
}

function DeliveryRow({ webhookId, delivery }: { webhookId: string; delivery: Delivery }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const redeliver = useMutation(
    trpc.webhooks.redeliver.mutationOptions({
      onSuccess: () => {
        notifications.show({ color: "teal", title: "Sent again", message: `The ${delivery.eventType} delivery is queued again.` });
        void queryClient.invalidateQueries({ queryKey: trpc.webhooks.deliveries.pathKey() });
      },
      onError: (e) => notifications.show({ color: "red", title: "Could not redeliver", message: errorMessage(e) }),
    }),
  );
  const status = DELIVERY_STATUS[delivery.status];
  return (
    <Table.Tr>
      <Table.Td>
        <Code>{delivery.eventType}</Code>
      </Table.Td>
      <Table.Td>
        <Badge color={status.color} variant="light">
          {status.label}
        </Badge>
        {delivery.error ? (
          <Text size="xs" c="red" maw={260} style={{ wordBreak: "break-word" }}>
            {delivery.error}
          </Text>
        ) : null}
      </Table.Td>
      <Table.Td>{delivery.attempts}</Table.Td>
      <Table.Td>{delivery.responseCode ?? "—"}</Table.Td>
      <Table.Td visibleFrom="md">{delivery.durationMs === null ? "—" : `${delivery.durationMs} ms`}</Table.Td>
      <Table.Td>
        <Text size="sm">{formatDateTime(delivery.lastAttemptAt ?? delivery.createdAt)}</Text>
        {delivery.status === "pending" && delivery.nextAttemptAt ? (
          <Text size="xs" c="dimmed">
            next try {formatDateTime(delivery.nextAttemptAt)}
          </Text>
        ) : null}
      </Table.Td>
      <Table.Td>
        <Button
          size="compact-sm"
          variant="light"
          disabled={delivery.status === "pending"}
          loading={redeliver.isPending}
          onClick={() => redeliver.mutate({ id: webhookId, deliveryId: delivery.id })}
          aria-label={`Redeliver ${delivery.eventType} of ${formatDateTime(delivery.createdAt)}`}
        >
          Redeliver
        </Button>
      </Table.Td>
    </Table.Tr>
  );
}

function DeliveryLog({ webhook }: { webhook: Webhook }) {
  const trpc = useTRPC();
  const search = settingsRoute.useSearch();
  const navigate = useNavigate();
  const page = search.page ?? 1;
  const deliveries = useQuery({
    ...trpc.webhooks.deliveries.queryOptions({ id: webhook.id, skip: (page - 1) * LOG_PAGE_SIZE, take: LOG_PAGE_SIZE }),
    placeholderData: keepPreviousData,
    // deliveries are not live events: poll while the log is open, faster while some are pending
    refetchInterval: (q) => (q.state.data?.data.some((d) => d.status === "pending") ? 2_000 : 10_000),
  });
  return (
    <section aria-labelledby="delivery-log">
      <Group justify="space-between" mb="sm" wrap="wrap">
        <Stack gap={0} style={{ minWidth: 0 }}>
          <Title order={2} size="h4" id="delivery-log">
            Delivery log
          </Title>
          <Text size="sm" c="dimmed" style={{ wordBreak: "break-all" }}>
            {webhook.url}
          </Text>
        </Stack>
        <Group gap="xs">
          <Button size="xs" variant="default" loading={deliveries.isFetching} onClick={() => void deliveries.refetch()}>
            Refresh
          </Button>
          <Button size="xs" variant="subtle" onClick={() => void navigate({ to: "/settings", search: {} })}>
            Close log
          </Button>
        </Group>
      </Group>
      <QueryView query={deliveries} isEmpty={(d) => d.data.length === 0} empty={<EmptyState title="No deliveries yet">Deliveries appear here as soon as one of its events happens.</EmptyState>}>
        {(d) => (
          <Stack>
            <Table.ScrollContainer minWidth={620}>
              <Table verticalSpacing="xs" aria-labelledby="delivery-log">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Event</Table.Th>
                    <Table.Th>Status</Table.Th>
                    <Table.Th>Attempts</Table.Th>
                    <Table.Th>Response</Table.Th>
                    <Table.Th visibleFrom="md">Duration</Table.Th>
                    <Table.Th>Time</Table.Th>
                    <Table.Th>
                      <VisuallyHidden>Actions</VisuallyHidden>
                    </Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {d.data.map((delivery) => (
                    <DeliveryRow key={delivery.id} webhookId={webhook.id} delivery={delivery} />
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            {d.pagination.totalPages > 1 ? (
              <Pagination
                total={d.pagination.totalPages}
                value={page}
                onChange={(p) => void navigate({ to: "/settings", search: { webhook: webhook.id, page: p } })}
                getControlProps={(control) => ({ "aria-label": control === "previous" ? "Previous page" : control === "next" ? "Next page" : control === "first" ? "First page" : "Last page" })}
                getItemProps={(p) => ({ "aria-label": `Page ${p}` })}
              />
            ) : null}
          </Stack>
        )}
      </QueryView>
    </section>
  );
}

function WebhooksSection() {
  const trpc = useTRPC();
  const search = settingsRoute.useSearch();
  const webhooks = useQuery(trpc.webhooks.list.queryOptions({ take: 100 }));
  const [editing, setEditing] = useState<{ webhook: Webhook | null } | null>(null);
  const selected = webhooks.data?.data.find((w) => w.id === search.webhook) ?? null;
  const addButton = <Button onClick={() => setEditing({ webhook: null })}>Add webhook</Button>;
  return (
    <Stack gap="xl">
      <section aria-labelledby="webhooks">
        <Group justify="space-between" mb="sm" wrap="wrap">
          <Stack gap={0}>
            <Title order={2} size="h4" id="webhooks">
              Outgoing webhooks
            </Title>
            <Text size="sm" c="dimmed">
              Your own systems get the events they subscribe to as signed POST requests, retried for 24 hours.
            </Text>
          </Stack>
          {addButton}
        </Group>
        <QueryView
          query={webhooks}
          isEmpty={(d) => d.data.length === 0}
          empty={
            <EmptyState title="No webhooks yet" action={addButton}>
              Add one to send new messages, contacts or campaign progress to your CRM, shop or Slack bridge.
            </EmptyState>
          }
        >
          {(d) => (
            <Table.ScrollContainer minWidth={640}>
              <Table verticalSpacing="xs" aria-labelledby="webhooks">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>URL</Table.Th>
                    <Table.Th>Events</Table.Th>
                    <Table.Th>Status</Table.Th>
                    <Table.Th>
                      <VisuallyHidden>Actions</VisuallyHidden>
                    </Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {d.data.map((w) => (
                    <WebhookRow key={w.id} webhook={w} selected={w.id === search.webhook} onEdit={(webhook) => setEditing({ webhook })} />
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )}
        </QueryView>
      </section>
      {selected ? <DeliveryLog key={selected.id} webhook={selected} /> : null}
      {search.webhook && webhooks.data && !selected ? (
        <Alert color="yellow" variant="light" title="Webhook not found">
          That webhook no longer exists. <Anchor renderRoot={(props) => <Link {...props} to="/settings" search={{}} />}>Back to all webhooks</Anchor>
        </Alert>
      ) : null}
      {editing ? <WebhookFormModal key={editing.webhook?.id ?? "new"} webhook={editing.webhook} opened onClose={() => setEditing(null)} /> : null}
    </Stack>
  );
}

export function SettingsScreen() {
  const isAdmin = useCan("admin");
  return (
    <>
      <PageHeader title="Settings" description="Integrations with your own systems." />
      {isAdmin ? <WebhooksSection /> : <OnlyAdmins what="outgoing webhooks" />}
    </>
  );
}
