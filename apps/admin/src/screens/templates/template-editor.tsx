// One template: its form, save (create or update), delete (refused while a campaign or an active
// flow uses it, and said so), and its preview for a chosen contact.
import { useMemo, useState } from "react";
import { Alert, Anchor, Button, Grid, Paper, Select, Stack, Text, Title } from "@mantine/core";
import { modals } from "@mantine/modals";
import { notifications } from "@mantine/notifications";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate } from "@tanstack/react-router";
import { ErrorState, Loading, PageHeader } from "../../lib/ui.tsx";
import { errorMessage, useTRPC, useTRPCClient, type RouterOutputs } from "../../lib/trpc.ts";
import { useCan } from "../../lib/me.tsx";
import { templateRoute } from "./route.ts";
import { TemplateForm, draftInput, draftIssues, emptyDraft, type TemplateDraft } from "./template-form.tsx";
import { TemplatePreviewView } from "./template-preview.tsx";

type Template = RouterOutputs["templates"]["get"];

const toDraft = (t: Template): TemplateDraft => ({
  name: t.name,
  type: t.type,
  content: t.content,
  quickReplies: (t.quickReplies ?? []).map((q) => ({ label: q.label, description: q.description ?? "" })),
  buttons: (t.buttons ?? []).map((b) => ({ label: b.label, url: b.url })),
});

export function TemplateEditorScreen() {
  const { templateId } = templateRoute.useParams();
  const trpc = useTRPC();
  const template = useQuery(trpc.templates.get.queryOptions({ templateId }, { enabled: templateId !== "new", refetchOnWindowFocus: false }));
  if (templateId === "new") return <TemplateEditor key="new" template={null} />;
  if (template.isPending) return <Loading />;
  if (template.error) return <ErrorState error={template.error} onRetry={() => void template.refetch()} />;
  return <TemplateEditor key={template.data.id} template={template.data} />;
}

function TemplatePreviewPanel({ template, stale }: { template: Template; stale: boolean }) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const contacts = useQuery(trpc.contacts.list.queryOptions({ take: 100 }));
  const [chosen, setChosen] = useState<string | null>(null);
  const contactId = chosen ?? contacts.data?.data[0]?.id ?? null;
  const preview = useQuery({
    queryKey: [["templates", "preview"], { templateId: template.id, contactId, updatedAt: template.updatedAt }],
    queryFn: () => client.templates.preview.mutate({ templateId: template.id, ...(contactId ? { contactId } : {}) }),
    enabled: !contacts.isPending,
    retry: false,
  });
  const data = (contacts.data?.data ?? []).map((c) => ({ value: c.id, label: c.displayName ? `${c.displayName}${c.username ? ` (@${c.username})` : ""}` : `@${c.username ?? c.id}` }));
  return (
    <Paper withBorder p="md">
      <Stack gap="sm">
        <Title order={2} size="h4">
          Preview
        </Title>
        <Select label="Preview for" placeholder={contacts.isPending ? "Loading contacts…" : "No contacts yet"} data={data} value={contactId} onChange={setChosen} searchable nothingFoundMessage="No such contact" allowDeselect={false} />
        {contacts.data && contacts.data.data.length === 0 ? (
          <Text size="xs" c="dimmed">
            With no contact, variables show their fallback.
          </Text>
        ) : null}
        <TemplatePreviewView template={template} preview={preview.data} error={preview.error ? errorMessage(preview.error) : null} loading={preview.isFetching || contacts.isPending} stale={stale} />
      </Stack>
    </Paper>
  );
}

function TemplateEditor({ template }: { template: Template | null }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const canEdit = useCan("admin");
  const [draft, setDraft] = useState<TemplateDraft>(() => (template ? toDraft(template) : emptyDraft()));
  const [showIssues, setShowIssues] = useState(false);
  const [deleteError, setDeleteError] = useState<string | null>(null);
  const issues = useMemo(() => draftIssues(draft), [draft]);
  const contacts = useQuery(trpc.contacts.list.queryOptions({ take: 100 }));
  const attributeKeys = useMemo(() => [...new Set((contacts.data?.data ?? []).flatMap((c) => Object.keys(c.attributes)))].sort(), [contacts.data]);
  const dirty = template ? JSON.stringify(draft) !== JSON.stringify(toDraft(template)) : true;

  const onSaved = (t: Template) => {
    queryClient.setQueryData(trpc.templates.get.queryKey({ templateId: t.id }), t);
    void queryClient.invalidateQueries({ queryKey: trpc.templates.list.queryKey() });
  };
  const create = useMutation(
    trpc.templates.create.mutationOptions({
      onSuccess: (t) => {
        onSaved(t);
        notifications.show({ message: `Template “${t.name}” created` });
        void navigate({ to: "/templates/$templateId", params: { templateId: t.id }, replace: true });
      },
    }),
  );
  const update = useMutation(
    trpc.templates.update.mutationOptions({
      onSuccess: (t) => {
        onSaved(t);
        notifications.show({ message: "Changes saved" });
      },
    }),
  );
  const remove = useMutation(
    trpc.templates.delete.mutationOptions({
      onSuccess: () => {
        void queryClient.invalidateQueries({ queryKey: trpc.templates.list.queryKey() });
        notifications.show({ message: "Template deleted" });
        void navigate({ to: "/templates" });
      },
      onError: (e) => setDeleteError(errorMessage(e)),
    }),
  );
  const save = () => {
    setShowIssues(true);
    if (Object.keys(issues).length) return;
    const input = draftInput(draft);
    if (template) update.mutate({ templateId: template.id, ...input });
    else create.mutate(input);
  };
  const saveError = create.error ?? update.error;
  const confirmDelete = () => {
    if (!template) return;
    modals.openConfirmModal({
      title: `Delete the template “${template.name}”?`,
      children: <Text size="sm">This cannot be undone. A template that a campaign or an active flow uses cannot be deleted.</Text>,
      labels: { confirm: "Delete", cancel: "Cancel" },
      confirmProps: { color: "red" },
      onConfirm: () => {
        setDeleteError(null);
        remove.mutate({ templateId: template.id });
      },
    });
  };

  return (
    <>
      <PageHeader
        title={template ? template.name : "New template"}
        description={
          <Anchor component={Link} to="/templates" size="sm">
            ← All templates
          </Anchor>
        }
        actions={
          canEdit ? (
            <>
              {template ? (
                <Button variant="default" color="red" onClick={confirmDelete} loading={remove.isPending}>
                  Delete template
                </Button>
              ) : null}
              <Button onClick={save} loading={create.isPending || update.isPending} disabled={!!template && !dirty}>
                {template ? "Save changes" : "Create template"}
              </Button>
            </>
          ) : null
        }
      />
      {deleteError ? (
        <Alert color="red" variant="light" title="This template cannot be deleted" role="alert" mb="md" withCloseButton closeButtonLabel="Dismiss" onClose={() => setDeleteError(null)}>
          {deleteError}
        </Alert>
      ) : null}
      {saveError ? (
        <Alert color="red" variant="light" title="Not saved" role="alert" mb="md">
          {errorMessage(saveError)}
        </Alert>
      ) : null}
      <Grid gap="lg">
        <Grid.Col span={{ base: 12, md: 7 }}>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              save();
            }}
          >
            <TemplateForm draft={draft} onChange={setDraft} issues={showIssues ? issues : {}} attributeKeys={attributeKeys} readOnly={!canEdit} />
          </form>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 5 }}>
          {template ? (
            <TemplatePreviewPanel template={template} stale={dirty} />
          ) : (
            <Paper withBorder p="md">
              <Title order={2} size="h4">
                Preview
              </Title>
              <Text size="sm" c="dimmed" mt="xs">
                Create the template to preview it for any of your contacts.
              </Text>
            </Paper>
          )}
        </Grid.Col>
      </Grid>
    </>
  );
}
