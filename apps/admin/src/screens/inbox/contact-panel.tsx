// The inbox's side panel: who the customer is, their tags (editable by agents), attributes, and
// whether automated DMs may reach them (opt-out, consent).
import { Anchor, Avatar, Divider, Group, Stack, Text } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useTRPC, type RouterOutputs } from "../../lib/trpc.ts";
import { useCan } from "../../lib/me.tsx";
import { QueryView } from "../../lib/ui.tsx";
import { AttributesView, ConsentState, TagsEditor } from "../contacts/contact-fields.tsx";

type ContactDetails = RouterOutputs["contacts"]["get"];

export function ContactPanelView({ contact, canEdit, onAddTags, onRemoveTag }: { contact: ContactDetails; canEdit: boolean; onAddTags: (tags: string[]) => Promise<unknown>; onRemoveTag: (tag: string) => Promise<unknown> }) {
  const name = contact.displayName ?? contact.username ?? contact.twitterUserId;
  return (
    <Stack gap="sm" component="section" aria-label="Contact">
      <Group gap="sm" wrap="nowrap">
        <Avatar src={contact.profileImageUrl} alt="" radius="xl" name={name} color="initials" />
        <div style={{ minWidth: 0 }}>
          <Text fw={600} truncate>
            {name}
          </Text>
          {contact.username ? (
            <Text size="sm" c="dimmed" truncate>
              @{contact.username}
            </Text>
          ) : null}
        </div>
      </Group>
      <ConsentState optedOut={contact.optedOut} optedOutAt={contact.optedOutAt} consentAt={contact.consentAt} />
      <Divider />
      <TagsEditor tags={contact.tags} canEdit={canEdit} onAdd={onAddTags} onRemove={onRemoveTag} />
      <AttributesView attributes={contact.attributes} />
      <Divider />
      <Text size="xs" c="dimmed">
        {contact.engagement.messagesReceived} received · {contact.engagement.messagesSent} sent
        {contact.engagement.averageResponseTime ? ` · replies in ${contact.engagement.averageResponseTime} on average` : ""}
      </Text>
      <Anchor size="sm" renderRoot={(props) => <Link {...props} to="/contacts" search={{ contact: contact.id }} />}>
        Open in Contacts
      </Anchor>
    </Stack>
  );
}

export function ContactPanel({ contactId }: { contactId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const canEdit = useCan("inbox");
  const query = useQuery(trpc.contacts.get.queryOptions({ contactId }));
  const refresh = () => queryClient.invalidateQueries(trpc.contacts.pathFilter());
  const addTags = useMutation(trpc.contacts.addTags.mutationOptions({ onSuccess: refresh }));
  const removeTag = useMutation(trpc.contacts.removeTag.mutationOptions({ onSuccess: refresh }));
  return (
    <QueryView query={query}>
      {(contact) => (
        <ContactPanelView
          contact={contact}
          canEdit={canEdit}
          onAddTags={(tags) => addTags.mutateAsync({ contactId, tags })}
          onRemoveTag={(tagName) => removeTag.mutateAsync({ contactId, tagName })}
        />
      )}
    </QueryView>
  );
}
