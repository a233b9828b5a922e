// Accounts: the merchant's X accounts, connecting one with X's sign-in (3-legged OAuth: the API
// answers X's authorize URL, the browser goes there and comes back here with the outcome in the
// URL), each account's settings, reconnecting a revoked one, and disconnecting.
import { useState } from "react";
import { Alert, Avatar, Badge, Button, Card, Group, Modal, SimpleGrid, Stack, Text } from "@mantine/core";
import { modals } from "@mantine/modals";
import { notifications } from "@mantine/notifications";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import type { XConnectError } from "@mkt-x/core";
import { errorMessage, useTRPC, type RouterOutputs } from "../../lib/trpc.ts";
import { useCan } from "../../lib/me.tsx";
import { EmptyState, formatDateTime, formatNumber, PageHeader, QueryView } from "../../lib/ui.tsx";
import { accountsRoute } from "./route.ts";
import { AccountSettingsForm } from "./account-settings-form.tsx";
import { describeHours } from "./business-hours-editor.tsx";

type Account = RouterOutputs["accounts"]["list"]["data"][number];

const STATUS: Record<Account["status"], { label: string; color: string }> = {
  active: { label: "Active", color: "teal" },
  inactive: { label: "Disconnected", color: "gray" },
  error: { label: "Error", color: "red" },
  revoked: { label: "Revoked", color: "orange" },
};

const CONNECT_ERRORS: Record<XConnectError, string> = {
  denied: "You cancelled on X's page, so nothing was connected.",
  expired: "That connection attempt expired or was already used. Start again.",
  invalid_request: "X did not accept the authorization. Start again.",
  duplicate: "That X account is already connected.",
  twitter_api_error: "X could not be reached. Try again in a moment.",
  internal_error: "Something went wrong on our side. Try again; if it keeps failing, check the API's logs.",
};
const isConnectError = (code: string): code is XConnectError => code in CONNECT_ERRORS;

/** Starts connect with X: asks the API for X's authorize URL and sends the browser there. */
function useConnectWithX() {
  const trpc = useTRPC();
  return useMutation(
    trpc.accounts.oauthStart.mutationOptions({
      onSuccess: ({ authorizeUrl }) => window.location.assign(authorizeUrl),
      onError: (e) => notifications.show({ color: "red", title: "Could not start connecting with X", message: errorMessage(e) }),
    }),
  );
}

function ConnectOutcome() {
  const search = accountsRoute.useSearch();
  const navigate = useNavigate();
  const dismiss = () => void navigate({ to: "/accounts", search: {}, replace: true });
  if (search.connected) {
    return (
      <Alert color="teal" variant="light" role="status" title="Account connected" withCloseButton closeButtonLabel="Dismiss" onClose={dismiss} mb="md">
        {search.username ? `@${search.username} is connected: its DMs now arrive in the inbox.` : "The X account is connected: its DMs now arrive in the inbox."}
      </Alert>
    );
  }
  if (search.error) {
    const known = isConnectError(search.error) ? CONNECT_ERRORS[search.error] : null;
    return (
      <Alert color="red" variant="light" role="alert" title="Could not connect the X account" withCloseButton closeButtonLabel="Dismiss" onClose={dismiss} mb="md">
        <Stack gap={4}>
          <Text size="sm">{known ?? search.message ?? "The connection failed."}</Text>
          {known && search.message ? (
            <Text size="xs" c="dimmed">
              {search.message}
            </Text>
          ) : null}
        </Stack>
      </Alert>
    );
  }
  return null;
}

function StatusNote({ account }: { account: Account }) {
  if (account.status === "revoked")
    return (
      <Alert color="orange" variant="light" p="xs" title="Access revoked on X">
        X took this app's access back. Sending from @{account.username} is paused (campaigns and flows wait): reconnect to resume.
      </Alert>
    );
  if (account.status === "error")
    return (
      <Alert color="red" variant="light" p="xs" title="X refuses this account's tokens">
        {account.lastError ?? "The last call to X failed."} Reconnect to fix it.
      </Alert>
    );
  if (account.status === "inactive")
    return (
      <Text size="sm" c="dimmed">
        Disconnected {formatDateTime(account.disconnectedAt)}. Its contacts and conversations are kept; reconnect to use it again.
      </Text>
    );
  if (account.webhookStatus === "failed")
    return (
      <Alert color="yellow" variant="light" p="xs" title="Not subscribed to X's events">
        {account.lastError ?? "The webhook subscription with X failed."} New DMs may not arrive until it is fixed.
      </Alert>
    );
  return null;
}

function Statistics({ accountId }: { accountId: string }) {
  const trpc = useTRPC();
  const details = useQuery(trpc.accounts.get.queryOptions({ accountId }));
  if (!details.data) return null;
  const s = details.data.statistics;
  return (
    <Text size="xs" c="dimmed">
      {formatNumber(s.totalContacts)} contacts · {formatNumber(s.totalConversations)} conversations · {formatNumber(s.messagesThisMonth)} messages this month
    </Text>
  );
}

function AccountCard({ account, onSettings }: { account: Account; onSettings: (a: Account) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const isAdmin = useCan("admin");
  const connect = useConnectWithX();
  const disconnect = useMutation(
    trpc.accounts.disconnect.mutationOptions({
      onSuccess: () => {
        notifications.show({ color: "teal", title: "Account disconnected", message: `@${account.username} no longer sends or receives DMs here.` });
        void queryClient.invalidateQueries({ queryKey: trpc.accounts.pathKey() });
      },
      onError: (e) => notifications.show({ color: "red", title: `Could not disconnect @${account.username}`, message: errorMessage(e) }),
    }),
  );
  const status = STATUS[account.status];
  const handle = `@${account.username}`;
  const confirmDisconnect = () =>
    modals.openConfirmModal({
      title: `Disconnect ${handle}?`,
      children: (
        <Text size="sm">
          The account stops sending and receiving DMs here, and its tokens are revoked at X. Its contacts and conversations stay; you can reconnect it later.
        </Text>
      ),
      labels: { confirm: "Disconnect", cancel: "Cancel" },
      confirmProps: { color: "red" },
      onConfirm: () => disconnect.mutate({ accountId: account.id }),
    });

  return (
    <Card withBorder padding="md" radius="md" component="article" aria-label={`${account.displayName} (${handle})`}>
      <Stack gap="sm">
        <Group justify="space-between" wrap="nowrap" align="flex-start">
          <Group gap="sm" wrap="nowrap">
            <Avatar src={account.profileImageUrl} alt="" radius="xl" color="blue">
              {account.displayName.slice(0, 2).toUpperCase()}
            </Avatar>
            <div>
              <Text fw={600}>{account.displayName}</Text>
              <Text size="sm" c="dimmed">
                {handle}
              </Text>
            </div>
          </Group>
          <Badge color={status.color} variant="light" aria-label={`Status: ${status.label}`}>
            {status.label}
          </Badge>
        </Group>
        <StatusNote account={account} />
        <Stack gap={2}>
          <Text size="sm">
            <Text span fw={500}>
              Auto-reply:
            </Text>{" "}
            {account.autoReplyEnabled ? "On" : "Off"}
            {" · "}
            <Text span fw={500}>
              Require consent:
            </Text>{" "}
            {account.requireConsent ? "On" : "Off"}
          </Text>
          <Text size="sm">
            <Text span fw={500}>
              Business hours:
            </Text>{" "}
            {describeHours(account.businessHours)}
          </Text>
          <Text size="xs" c="dimmed">
            Connected {formatDateTime(account.connectedAt)}
          </Text>
          {account.status !== "inactive" ? <Statistics accountId={account.id} /> : null}
        </Stack>
        {isAdmin ? (
          <Group gap="xs">
            {account.status !== "active" ? (
              <Button size="xs" loading={connect.isPending} onClick={() => connect.mutate({ returnTo: "/accounts" })} aria-label={`Reconnect ${handle}`}>
                Reconnect
              </Button>
            ) : null}
            {account.status !== "inactive" ? (
              <>
                <Button size="xs" variant="default" onClick={() => onSettings(account)} aria-label={`Settings of ${handle}`}>
                  Settings
                </Button>
                <Button size="xs" variant="subtle" color="red" loading={disconnect.isPending} onClick={confirmDisconnect} aria-label={`Disconnect ${handle}`}>
                  Disconnect
                </Button>
              </>
            ) : null}
          </Group>
        ) : null}
      </Stack>
    </Card>
  );
}

function SettingsModal({ account, onClose }: { account: Account | null; onClose: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const update = useMutation(
    trpc.accounts.update.mutationOptions({
      onSuccess: (saved) => {
        notifications.show({ color: "teal", title: "Settings saved", message: `@${saved.username}'s settings are saved.` });
        void queryClient.invalidateQueries({ queryKey: trpc.accounts.pathKey() });
        onClose();
      },
    }),
  );
  return (
    <Modal opened={account !== null} onClose={onClose} title={account ? `Settings of @${account.username}` : ""} size="lg" closeButtonProps={{ "aria-label": "Close" }}>
      {account ? (
        <AccountSettingsForm
          key={account.id}
          account={account}
          saving={update.isPending}
          error={update.error ? errorMessage(update.error) : null}
          onCancel={onClose}
          onSubmit={(settings) => update.mutate({ accountId: account.id, ...settings })}
        />
      ) : null}
    </Modal>
  );
}

export function AccountsScreen() {
  const trpc = useTRPC();
  const isAdmin = useCan("admin");
  const accounts = useQuery(trpc.accounts.list.queryOptions({ take: 100 }));
  const connect = useConnectWithX();
  const [editing, setEditing] = useState<Account | null>(null);
  const connectButton = isAdmin ? (
    <Button loading={connect.isPending} onClick={() => connect.mutate({ returnTo: "/accounts" })}>
      Connect with X
    </Button>
  ) : null;

  return (
    <>
      <PageHeader title="Accounts" description="The X accounts whose DMs this workspace answers." actions={connectButton} />
      <ConnectOutcome />
      {!isAdmin ? (
        <Alert color="blue" variant="light" mb="md" title="Read only">
          Only admins and owners can connect, change or disconnect accounts.
        </Alert>
      ) : null}
      <QueryView
        query={accounts}
        isEmpty={(d) => d.data.length === 0}
        empty={
          <EmptyState title="No X account connected yet" action={connectButton}>
            Connect the shop's X account to receive its DMs in the inbox and send campaigns from it. You sign in on X and come back here.
          </EmptyState>
        }
      >
        {(d) => (
          <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
            {d.data.map((a) => (
              <AccountCard key={a.id} account={a} onSettings={setEditing} />
            ))}
          </SimpleGrid>
        )}
      </QueryView>
      <SettingsModal account={editing} onClose={() => setEditing(null)} />
    </>
  );
}
