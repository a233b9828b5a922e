// The pieces every screen shares: its heading, and the loading, empty and error states of what it
// loads, so each screen says the same thing the same way.
import type { ReactNode } from "react";
import { Alert, Button, Center, Group, Loader, Stack, Text, Title } from "@mantine/core";
import { errorMessage } from "./trpc.ts";

/** The screen's heading (the page's only h1) with its actions on the right. */
export function PageHeader({ title, description, actions }: { title: string; description?: ReactNode; actions?: ReactNode }) {
  return (
    <Group justify="space-between" align="flex-start" mb="md" wrap="wrap">
      <Stack gap={2}>
        <Title order={1} size="h2">
          {title}
        </Title>
        {description ? (
          <Text c="dimmed" size="sm">
            {description}
          </Text>
        ) : null}
      </Stack>
      {actions ? <Group gap="xs">{actions}</Group> : null}
    </Group>
  );
}

export function Loading({ label = "Loading…" }: { label?: string }) {
  return (
    <Center py="xl" role="status" aria-live="polite">
      <Group gap="xs">
        <Loader size="sm" aria-hidden />
        <Text c="dimmed" size="sm">
          {label}
        </Text>
      </Group>
    </Center>
  );
}

export function ErrorState({ error, onRetry, title = "Could not load this" }: { error: unknown; onRetry?: () => void; title?: string }) {
  return (
    <Alert color="red" title={title} role="alert" variant="light">
      <Stack gap="xs" align="flex-start">
        <Text size="sm">{errorMessage(error)}</Text>
        {onRetry ? (
          <Button size="xs" variant="light" color="red" onClick={onRetry}>
            Try again
          </Button>
        ) : null}
      </Stack>
    </Alert>
  );
}

export function EmptyState({ title, children, action }: { title: string; children?: ReactNode; action?: ReactNode }) {
  return (
    <Center py="xl">
      <Stack align="center" gap="xs" maw={420}>
        <Text fw={600}>{title}</Text>
        {children ? (
          <Text c="dimmed" size="sm" ta="center">
            {children}
          </Text>
        ) : null}
        {action}
      </Stack>
    </Center>
  );
}

/** Renders a query's three states, and its data when there is some. */
export function QueryView<T>({
  query,
  isEmpty,
  empty,
  children,
}: {
  query: { data: T | undefined; error: unknown; isPending: boolean; refetch: () => unknown };
  isEmpty?: (data: T) => boolean;
  empty?: ReactNode;
  children: (data: T) => ReactNode;
}) {
  if (query.isPending) return <Loading />;
  if (query.error || query.data === undefined) return <ErrorState error={query.error} onRetry={() => void query.refetch()} />;
  if (isEmpty?.(query.data)) return <>{empty}</>;
  return <>{children(query.data)}</>;
}

export const formatDateTime = (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleString() : "—");
export const formatNumber = (n: number) => n.toLocaleString();

/** A dialog form's buttons: Cancel, and the submit (busy while its mutation runs). */
export function FormActions({ onCancel, busy, submit, disabled }: { onCancel: () => void; busy: boolean; submit: string; disabled?: boolean }) {
  return (
    <Group justify="flex-end">
      <Button variant="default" onClick={onCancel}>
        Cancel
      </Button>
      <Button type="submit" loading={busy} disabled={disabled}>
        {submit}
      </Button>
    </Group>
  );
}

/** What the API answered when a form's mutation failed, announced; nothing while it has not. */
export function MutationError({ error, title }: { error: unknown; title: string }) {
  if (!error) return null;
  return (
    <Alert color="red" variant="light" role="alert" title={title}>
      {errorMessage(error)}
    </Alert>
  );
}
