// How the DM looks to a chosen contact: the API renders the saved template for them
// (templates.preview), and the options or buttons show under the text as X shows them.
import { Alert, Badge, Box, Button, Group, Loader, Paper, Stack, Text } from "@mantine/core";
import type { RouterOutputs } from "../../lib/trpc.ts";

type Template = RouterOutputs["templates"]["get"];
type Preview = RouterOutputs["templates"]["preview"];

export function TemplatePreviewView({ template, preview, error, loading, stale }: { template: Pick<Template, "type" | "quickReplies" | "buttons">; preview: Preview | undefined; error: string | null; loading: boolean; stale: boolean }) {
  return (
    <Stack gap="xs" aria-busy={loading}>
      {stale ? (
        <Text size="xs" c="dimmed">
          The preview shows the saved template: save to see your changes.
        </Text>
      ) : null}
      {error ? (
        <Alert color="red" variant="light" title="Cannot render for this contact" role="alert">
          {error}
        </Alert>
      ) : null}
      {loading && !preview ? (
        <Group gap="xs">
          <Loader size="xs" aria-hidden />
          <Text size="sm" c="dimmed">
            Rendering…
          </Text>
        </Group>
      ) : null}
      {preview && !error ? (
        <Box bg="gray.1" p="md" style={{ borderRadius: 12 }}>
          <Paper p="sm" radius="lg" withBorder maw={360} data-testid="template-preview-message">
            <Text size="sm" style={{ whiteSpace: "pre-wrap", overflowWrap: "anywhere" }}>
              {preview.rendered}
            </Text>
          </Paper>
          {template.type === "quick_reply" && template.quickReplies?.length ? (
            <Group gap={6} mt="xs" aria-label="Quick-reply options" role="list">
              {template.quickReplies.map((q) => (
                <Badge key={q.label} variant="outline" size="lg" role="listitem" tt="none">
                  {q.label}
                </Badge>
              ))}
            </Group>
          ) : null}
          {template.type === "card" && template.buttons?.length ? (
            <Stack gap={4} mt="xs" maw={360} aria-label="Card buttons" role="list">
              {template.buttons.map((b) => (
                <Button key={b.label} role="listitem" variant="default" size="xs" component="span" title={b.url}>
                  {b.label} ↗
                </Button>
              ))}
            </Stack>
          ) : null}
        </Box>
      ) : null}
    </Stack>
  );
}
