// Team: who can sign in to the merchant (invite, change role, remove) and the API keys that act
// for it (create: the key shown once; revoke). Owners and admins only: the API refuses the rest.
import { useState } from "react";
import { Alert, Badge, Button, Code, Group, Modal, Select, Stack, Table, Text, TextInput, Title, VisuallyHidden } from "@mantine/core";
import { modals } from "@mantine/modals";
import { notifications } from "@mantine/notifications";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { CreateApiKeyInput, CreateTeamUserInput, ROLES, type Role } from "@mkt-x/core";
import type { z } from "zod";
import { errorMessage, useTRPC, type RouterOutputs } from "../../lib/trpc.ts";
import { useCan, useMe } from "../../lib/me.tsx";
import { EmptyState, formatDateTime, PageHeader, QueryView, FormActions, MutationError } from "../../lib/ui.tsx";
import { OneTimeSecret } from "./one-time-secret.tsx";

type TeamUser = RouterOutputs["team"]["listUsers"]["data"][number];
type ApiKey = RouterOutputs["apiKeys"]["list"]["data"][number];
type CreatedUser = RouterOutputs["team"]["createUser"];
type CreatedKey = RouterOutputs["apiKeys"]["create"];

export const ROLE_LABELS: Record<Role, string> = { owner: "Owner", admin: "Admin", agent: "Agent", viewer: "Viewer" };
const ROLE_HELP: Record<Role, string> = {
  owner: "everything, including other owners",
  admin: "everything but owners: settings, campaigns, team",
  agent: "works the inbox: replies, assigns, tags",
  viewer: "reads everything, changes nothing",
};

/** Roles the signed-in person may hand out: only an owner makes owners. */
function useGrantableRoles(): Role[] {
  const me = useMe();
  return ROLES.filter((r) => r !== "owner" || me.role === "owner");
}

/** zod issues as one message per top-level field. */
function fieldErrors(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = String(issue.path[0] ?? "form");
    out[key] ??= issue.message.replace(/^is required$/, "Required").replace(/^must be an email address$/, "Enter an email address");
  }
  return out;
}

export function OnlyAdmins({ what }: { what: string }) {
  return (
    <Alert color="blue" variant="light" title="Only admins">
      Only admins and owners can see and manage {what}. Ask one of them if you need a change.
    </Alert>
  );
}

function InviteModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const roles = useGrantableRoles();
  const [form, setForm] = useState({ name: "", email: "", role: "agent" as Role });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [created, setCreated] = useState<CreatedUser | null>(null);
  const create = useMutation(
    trpc.team.createUser.mutationOptions({
      onSuccess: (user) => {
        setCreated(user);
        void queryClient.invalidateQueries({ queryKey: trpc.team.listUsers.queryKey() });
      },
    }),
  );
  const close = () => {
    setForm({ name: "", email: "", role: "agent" });
    setErrors({});
    setCreated(null);
    create.reset();
    onClose();
  };
  const submit = () => {
    const parsed = CreateTeamUserInput.safeParse(form);
    if (!parsed.success) return setErrors(fieldErrors(parsed.error));
    setErrors({});
    create.mutate(parsed.data);
  };

  return (
    <Modal opened={opened} onClose={close} title={created ? `${created.name} is invited` : "Invite a team member"} closeButtonProps={{ "aria-label": "Close" }}>
      {created ? (
        <Stack>
          {created.inviteToken ? (
            <OneTimeSecret label="Invitation link" value={`${window.location.origin}/accept-invite?token=${encodeURIComponent(created.inviteToken)}`}>
              <Text size="sm">
                Send it to {created.email}: opening it, they choose their password and are signed in. It works once, until {formatDateTime(created.inviteExpiresAt)}. (Scripts can use the token with POST <Code>/api/v1/auth/accept-invite</Code>.)
              </Text>
            </OneTimeSecret>
          ) : (
            <Text size="sm">{created.email} can sign in now.</Text>
          )}
          <Group justify="flex-end">
            <Button onClick={close}>Done</Button>
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
            <TextInput label="Name" required value={form.name} error={errors.name} onChange={(e) => setForm({ ...form, name: e.currentTarget.value })} data-autofocus />
            <TextInput label="Email" type="email" required value={form.email} error={errors.email} onChange={(e) => setForm({ ...form, email: e.currentTarget.value })} />
            <Select
              label="Role"
              required
              allowDeselect={false}
              data={roles.map((r) => ({ value: r, label: `${ROLE_LABELS[r]}: ${ROLE_HELP[r]}` }))}
              value={form.role}
              onChange={(r) => r && setForm({ ...form, role: r })}
              error={errors.role}
            />
            <MutationError error={create.error} title="Could not invite" />
            <FormActions onCancel={close} busy={create.isPending} submit="Send invite" />
          </Stack>
        </form>
      )}
    </Modal>
  );
}

function UserRow({ user }: { user: TeamUser }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const me = useMe();
  const roles = useGrantableRoles();
  const isMe = user.id === me.id;
  const refresh = () => void queryClient.invalidateQueries({ queryKey: trpc.team.listUsers.queryKey() });
  const update = useMutation(
    trpc.team.updateUser.mutationOptions({
      onSuccess: (u) => {
        notifications.show({ color: "teal", title: "Role changed", message: `${u.name} is now ${ROLE_LABELS[u.role].toLowerCase()}. It applies from their next sign-in refresh.` });
        refresh();
      },
      onError: (e) => notifications.show({ color: "red", title: `Could not change ${user.name}'s role`, message: errorMessage(e) }),
    }),
  );
  const remove = useMutation(
    trpc.team.removeUser.mutationOptions({
      onSuccess: () => {
        notifications.show({ color: "teal", title: "Removed", message: `${user.name} can no longer sign in.` });
        refresh();
      },
      onError: (e) => notifications.show({ color: "red", title: `Could not remove ${user.name}`, message: errorMessage(e) }),
    }),
  );
  // an admin cannot touch an owner: show the role, not a control that can only fail
  const editable = !isMe && (user.role !== "owner" || me.role === "owner");
  const confirmRemove = () =>
    modals.openConfirmModal({
      title: `Remove ${user.name}?`,
      children: <Text size="sm">{user.email} loses access: they are signed out when their current session ends (within minutes) and cannot sign in again.</Text>,
      labels: { confirm: "Remove", cancel: "Cancel" },
      confirmProps: { color: "red" },
      onConfirm: () => remove.mutate({ userId: user.id }),
    });

  return (
    <Table.Tr>
      <Table.Td>
        <Text size="sm" fw={500}>
          {user.name}
          {isMe ? (
            <Text span c="dimmed" size="xs">
              {" "}
              (you)
            </Text>
          ) : null}
        </Text>
      </Table.Td>
      <Table.Td>
        <Text size="sm" style={{ wordBreak: "break-all" }}>
          {user.email}
        </Text>
      </Table.Td>
      <Table.Td>
        {editable ? (
          <Select
            size="xs"
            w={120}
            aria-label={`Role of ${user.name}`}
            allowDeselect={false}
            data={roles.map((r) => ({ value: r, label: ROLE_LABELS[r] }))}
            value={user.role}
            disabled={update.isPending}
            onChange={(r) => r && r !== user.role && update.mutate({ userId: user.id, role: r })}
          />
        ) : (
          <Text size="sm">{ROLE_LABELS[user.role]}</Text>
        )}
      </Table.Td>
      <Table.Td>
        <Badge variant="light" color={user.status === "active" ? "teal" : "yellow"}>
          {user.status === "active" ? "Active" : "Invited"}
        </Badge>
      </Table.Td>
      <Table.Td visibleFrom="md">
        <Text size="sm">{user.lastLoginAt ? formatDateTime(user.lastLoginAt) : "Never"}</Text>
      </Table.Td>
      <Table.Td>
        {editable ? (
          <Button size="compact-sm" variant="subtle" color="red" loading={remove.isPending} onClick={confirmRemove} aria-label={`Remove ${user.name}`}>
            Remove
          </Button>
        ) : null}
      </Table.Td>
    </Table.Tr>
  );
}

function UsersSection() {
  const trpc = useTRPC();
  const users = useQuery(trpc.team.listUsers.queryOptions({ take: 100 }));
  const [inviting, setInviting] = useState(false);
  return (
    <section aria-labelledby="team-users">
      <Group justify="space-between" mb="sm">
        <Title order={2} size="h4" id="team-users">
          Users
        </Title>
        <Button onClick={() => setInviting(true)}>Invite user</Button>
      </Group>
      <QueryView query={users} isEmpty={(d) => d.data.length === 0} empty={<EmptyState title="No users yet" />}>
        {(d) => (
          <Table.ScrollContainer minWidth={500}>
            <Table verticalSpacing="xs" highlightOnHover aria-labelledby="team-users">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Name</Table.Th>
                  <Table.Th>Email</Table.Th>
                  <Table.Th>Role</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th visibleFrom="md">Last sign-in</Table.Th>
                  <Table.Th>
                    <VisuallyHidden>Actions</VisuallyHidden>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {d.data.map((u) => (
                  <UserRow key={u.id} user={u} />
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </QueryView>
      <InviteModal opened={inviting} onClose={() => setInviting(false)} />
    </section>
  );
}

function CreateKeyModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const roles = useGrantableRoles();
  const [form, setForm] = useState({ name: "", role: "agent" as Role });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [created, setCreated] = useState<CreatedKey | null>(null);
  const create = useMutation(
    trpc.apiKeys.create.mutationOptions({
      onSuccess: (key) => {
        setCreated(key);
        void queryClient.invalidateQueries({ queryKey: trpc.apiKeys.list.queryKey() });
      },
    }),
  );
  const close = () => {
    setForm({ name: "", role: "agent" });
    setErrors({});
    setCreated(null);
    create.reset();
    onClose();
  };
  const submit = () => {
    const parsed = CreateApiKeyInput.safeParse(form);
    if (!parsed.success) return setErrors(fieldErrors(parsed.error));
    setErrors({});
    create.mutate(parsed.data);
  };
  return (
    <Modal opened={opened} onClose={close} title={created ? `API key “${created.name}” created` : "Create an API key"} closeButtonProps={{ "aria-label": "Close" }}>
      {created ? (
        <Stack>
          <OneTimeSecret label="API key" value={created.key}>
            <Text size="sm">
              Send it as <Code>Authorization: Bearer {created.prefix}…</Code>. It acts with the {ROLE_LABELS[created.role].toLowerCase()} role.
            </Text>
          </OneTimeSecret>
          <Group justify="flex-end">
            <Button onClick={close}>Done</Button>
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
            <TextInput label="Name" required value={form.name} error={errors.name} onChange={(e) => setForm({ ...form, name: e.currentTarget.value })} data-autofocus />
            <Select
              label="Role"
              required
              allowDeselect={false}
              data={roles.map((r) => ({ value: r, label: `${ROLE_LABELS[r]}: ${ROLE_HELP[r]}` }))}
              value={form.role}
              onChange={(r) => r && setForm({ ...form, role: r })}
              error={errors.role}
            />
            <MutationError error={create.error} title="Could not create the key" />
            <FormActions onCancel={close} busy={create.isPending} submit="Create key" />
          </Stack>
        </form>
      )}
    </Modal>
  );
}

function KeyRow({ apiKey }: { apiKey: ApiKey }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const revoke = useMutation(
    trpc.apiKeys.revoke.mutationOptions({
      onSuccess: () => {
        notifications.show({ color: "teal", title: "Key revoked", message: `“${apiKey.name}” no longer works.` });
        void queryClient.invalidateQueries({ queryKey: trpc.apiKeys.list.queryKey() });
      },
      onError: (e) => notifications.show({ color: "red", title: `Could not revoke “${apiKey.name}”`, message: errorMessage(e) }),
    }),
  );
  const confirmRevoke = () =>
    modals.openConfirmModal({
      title: `Revoke “${apiKey.name}”?`,
      children: <Text size="sm">Whatever uses this key gets 401 from its next request on. This cannot be undone.</Text>,
      labels: { confirm: "Revoke", cancel: "Cancel" },
      confirmProps: { color: "red" },
      onConfirm: () => revoke.mutate({ id: apiKey.id }),
    });
  return (
    <Table.Tr>
      <Table.Td>
        <Text size="sm" fw={500}>
          {apiKey.name}
        </Text>
      </Table.Td>
      <Table.Td>
        <Code>{apiKey.prefix}…</Code>
      </Table.Td>
      <Table.Td>{ROLE_LABELS[apiKey.role]}</Table.Td>
      <Table.Td>
        <Text size="sm">{apiKey.lastUsedAt ? formatDateTime(apiKey.lastUsedAt) : "Never"}</Text>
      </Table.Td>
      <Table.Td visibleFrom="md">
        <Text size="sm">{formatDateTime(apiKey.createdAt)}</Text>
      </Table.Td>
      <Table.Td>
        <Button size="compact-sm" variant="subtle" color="red" loading={revoke.isPending} onClick={confirmRevoke} aria-label={`Revoke ${apiKey.name}`}>
          Revoke
        </Button>
      </Table.Td>
    </Table.Tr>
  );
}

function ApiKeysSection() {
  const trpc = useTRPC();
  const keys = useQuery(trpc.apiKeys.list.queryOptions({ take: 100 }));
  const [creating, setCreating] = useState(false);
  const createButton = <Button onClick={() => setCreating(true)}>Create API key</Button>;
  return (
    <section aria-labelledby="team-keys">
      <Group justify="space-between" mb="sm">
        <Stack gap={0}>
          <Title order={2} size="h4" id="team-keys">
            API keys
          </Title>
          <Text size="sm" c="dimmed">
            For your own systems calling the REST API. A key is shown once, when it is created.
          </Text>
        </Stack>
        {createButton}
      </Group>
      <QueryView query={keys} isEmpty={(d) => d.data.length === 0} empty={<EmptyState title="No API keys">Create one to call the API from your shop or your scripts.</EmptyState>}>
        {(d) => (
          <Table.ScrollContainer minWidth={500}>
            <Table verticalSpacing="xs" highlightOnHover aria-labelledby="team-keys">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Name</Table.Th>
                  <Table.Th>Key</Table.Th>
                  <Table.Th>Role</Table.Th>
                  <Table.Th>Last used</Table.Th>
                  <Table.Th visibleFrom="md">Created</Table.Th>
                  <Table.Th>
                    <VisuallyHidden>Actions</VisuallyHidden>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {d.data.map((k) => (
                  <KeyRow key={k.id} apiKey={k} />
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </QueryView>
      <CreateKeyModal opened={creating} onClose={() => setCreating(false)} />
    </section>
  );
}

export function TeamScreen() {
  const isAdmin = useCan("admin");
  return (
    <>
      <PageHeader title="Team" description="Who can sign in, with which role, and the API keys that act for this workspace." />
      {isAdmin ? (
        <Stack gap="xl">
          <UsersSection />
          <ApiKeysSection />
        </Stack>
      ) : (
        <OnlyAdmins what="the team and API keys" />
      )}
    </>
  );
}
