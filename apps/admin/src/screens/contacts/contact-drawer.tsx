// One contact in a drawer: tags and attributes editing, consent state, engagement, conversations,
// and the GDPR delete (confirmed by typing DELETE).
import { useState } from "react";
import { ActionIcon, Alert, Anchor, Avatar, Button, Divider, Drawer, Group, Modal, Stack, Table, Text, TextInput } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { AttributesPatch } from "@mkt-x/core";
import { errorMessage, useTRPC, type RouterOutputs } from "../../lib/trpc.ts";
import { IfCan, useCan } from "../../lib/me.tsx";
import { formatDateTime, QueryView } from "../../lib/ui.tsx";
import { AttributesView, ConsentState, TagsEditor } from "./contact-fields.tsx";

type ContactDetails = RouterOutputs["contacts"]["get"];

function AttributesEditor({ contact, onPatch }: { contact: ContactDetails; onPatch: (patch: Record<string, string | null>) => Promise<unknown> }) {
  const [key, setKey] = useState("");
  const [value, setValue] = useState("");
  const [error, setError] = useState<string | null>(null);
  const entries = Object.entries(contact.attributes);
  async function patch(p: Record<string, string | null>) {
    setError(null);
    const parsed = AttributesPatch.safeParse(p);
    if (!parsed.success) {
      setError(parsed.error.issues[0]?.message ?? "Invalid attribute");
      return false;
    }
    try {
      await onPatch(p);
      return true;
    } catch (e) {
      setError(errorMessage(e));
      return false;
    }
  }
  return (
    <Stack gap="xs">
      <Text size="sm" fw={500}>
        Attributes
      </Text>
      {entries.length === 0 ? (
        <Text size="sm" c="dimmed">
          No attributes
        </Text>
      ) : (
        <Table withTableBorder aria-label="Attributes">
          <Table.Tbody>
            {entries.map(([k, v]) => (
              <Table.Tr key={k}>
                <Table.Td c="dimmed">{k}</Table.Td>
                <Table.Td style={{ wordBreak: "break-word" }}>{String(v)}</Table.Td>
                <Table.Td w={40}>
                  <ActionIcon variant="subtle" color="red" aria-label={`Remove attribute ${k}`} onClick={() => void patch({ [k]: null })}>
                    ×
                  </ActionIcon>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <Group gap="xs" align="flex-end" wrap="nowrap" component="form" onSubmit={(e) => {
        e.preventDefault();
        void patch({ [key.trim()]: value }).then((ok) => {
          if (ok) {
            setKey("");
            setValue("");
          }
        });
      }}>
        <TextInput size="xs" label="Attribute" placeholder="tier" value={key} onChange={(e) => setKey(e.currentTarget.value)} style={{ flex: 1 }} />
        <TextInput size="xs" label="Value" placeholder="gold" value={value} onChange={(e) => setValue(e.currentTarget.value)} style={{ flex: 1 }} />
        <Button size="xs" type="submit" disabled={key.trim() === ""}>
          Set
        </Button>
      </Group>
      {error ? (
        <Text size="xs" c="red" role="alert">
          {error}
        </Text>
      ) : null}
    </Stack>
  );
}

function DeleteContact({ contact, onDeleted }: { contact: ContactDetails; onDeleted: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState("");
  const del = useMutation(
    trpc.contacts.delete.mutationOptions({
      onSuccess: () => {
        setOpen(false);
        onDeleted();
        void queryClient.invalidateQueries(trpc.contacts.pathFilter());
        void queryClient.invalidateQueries(trpc.conversations.pathFilter());
      },
    }),
  );
  const name = contact.displayName ?? contact.username ?? contact.twitterUserId;
  return (
    <>
      <Button color="red" variant="light" onClick={() => setOpen(true)}>
        Delete contact (GDPR)
      </Button>
      <Modal opened={open} onClose={() => setOpen(false)} title={`Delete ${name} and all their data?`}>
        <Stack gap="sm">
          <Text size="sm">This erases the contact, their conversations, messages, campaign deliveries, flow runs and AI sessions. It cannot be undone.</Text>
          <TextInput label="Type DELETE to confirm" value={typed} onChange={(e) => setTyped(e.currentTarget.value)} autoComplete="off" data-autofocus />
          {del.error ? (
            <Alert color="red" variant="light" role="alert">
              {errorMessage(del.error)}
            </Alert>
          ) : null}
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setOpen(false)}>
              Cancel
            </Button>
            <Button color="red" disabled={typed !== "DELETE"} loading={del.isPending} onClick={() => del.mutate({ contactId: contact.id })}>
              Delete permanently
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}

function ContactConversations({ contactId }: { contactId: string }) {
  const trpc = useTRPC();
  const q = useQuery(trpc.contacts.conversations.queryOptions({ contactId, take: 10 }));
  if (!q.data || q.data.data.length === 0) return null;
  return (
    <Stack gap={4}>
      <Text size="sm" fw={500}>
        Conversations
      </Text>
      {q.data.data.map((c) => (
        <Anchor key={c.id} size="sm" renderRoot={(props) => <Link {...props} to="/inbox" search={{ status: "all", conversation: c.id }} />}>
          {c.status === "open" ? "Open" : "Closed"} · {c.messageCount} messages · {formatDateTime(c.lastMessageAt ?? c.startedAt)}
        </Anchor>
      ))}
    </Stack>
  );
}

export function ContactDrawer({ contactId, onClose }: { contactId: string | undefined; onClose: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const canEdit = useCan("inbox");
  const query = useQuery({ ...trpc.contacts.get.queryOptions({ contactId: contactId ?? "" }), enabled: contactId !== undefined });
  const refresh = () => queryClient.invalidateQueries(trpc.contacts.pathFilter());
  const addTags = useMutation(trpc.contacts.addTags.mutationOptions({ onSuccess: refresh }));
  const removeTag = useMutation(trpc.contacts.removeTag.mutationOptions({ onSuccess: refresh }));
  const updateAttributes = useMutation(trpc.contacts.updateAttributes.mutationOptions({ onSuccess: refresh }));
  const title = query.data ? (query.data.displayName ?? query.data.username ?? "Contact") : "Contact";
  return (
    <Drawer opened={contactId !== undefined} onClose={onClose} position="right" size="md" title={title}>
      {contactId ? (
        <QueryView query={query}>
          {(c) => (
            <Stack gap="md">
              <Group gap="sm" wrap="nowrap">
                <Avatar src={c.profileImageUrl} alt="" radius="xl" name={c.displayName ?? c.username ?? ""} color="initials" />
                <div>
                  {c.username ? <Text size="sm">@{c.username}</Text> : null}
                  <Text size="xs" c="dimmed">
                    X user {c.twitterUserId} · source {c.source}
                  </Text>
                </div>
              </Group>
              <ConsentState optedOut={c.optedOut} optedOutAt={c.optedOutAt} consentAt={c.consentAt} />
              <Text size="xs" c="dimmed">
                First seen {formatDateTime(c.firstInteractionAt)} · last {formatDateTime(c.lastInteractionAt)} · {c.engagement.messagesReceived} received, {c.engagement.messagesSent} sent
              </Text>
              <Divider />
              <TagsEditor tags={c.tags} canEdit={canEdit} onAdd={(tags) => addTags.mutateAsync({ contactId: c.id, tags })} onRemove={(tagName) => removeTag.mutateAsync({ contactId: c.id, tagName })} />
              {canEdit ? <AttributesEditor contact={c} onPatch={(attributes) => updateAttributes.mutateAsync({ contactId: c.id, attributes })} /> : <AttributesView attributes={c.attributes} />}
              <ContactConversations contactId={c.id} />
              <IfCan permission="inbox">
                <Divider />
                <DeleteContact contact={c} onDeleted={onClose} />
              </IfCan>
            </Stack>
          )}
        </QueryView>
      ) : null}
    </Drawer>
  );
}
