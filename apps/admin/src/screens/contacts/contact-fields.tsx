// What the inbox's contact panel and the contacts drawer both show and edit: tags, attributes,
// opt-out and consent. Pure views: the screens wire them to the API.
import { useState } from "react";
import { Badge, Group, Stack, TagsInput, Text } from "@mantine/core";
import { formatDateTime } from "../../lib/ui.tsx";

/** Tags as the API keeps them: trimmed and lower-cased. */
export const normalizeTag = (t: string) => t.trim().toLowerCase();

export function TagsEditor({ tags, canEdit, onAdd, onRemove }: { tags: string[]; canEdit: boolean; onAdd: (tags: string[]) => Promise<unknown>; onRemove: (tag: string) => Promise<unknown> }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (!canEdit) {
    return (
      <Stack gap={4}>
        <Text size="sm" fw={500}>
          Tags
        </Text>
        {tags.length === 0 ? (
          <Text size="sm" c="dimmed">
            No tags
          </Text>
        ) : (
          <Group gap={4}>
            {tags.map((t) => (
              <Badge key={t} variant="light">
                {t}
              </Badge>
            ))}
          </Group>
        )}
      </Stack>
    );
  }
  async function change(next: string[]) {
    const wanted = [...new Set(next.map(normalizeTag).filter((t) => t !== ""))];
    const added = wanted.filter((t) => !tags.includes(t));
    const removed = tags.filter((t) => !wanted.includes(t));
    setBusy(true);
    setError(null);
    try {
      if (added.length > 0) await onAdd(added);
      for (const t of removed) await onRemove(t);
    } catch (e) {
      setError(e instanceof Error ? e.message : "Could not save the tags");
    } finally {
      setBusy(false);
    }
  }
  return (
    <TagsInput
      label="Tags"
      description="Enter to add, Backspace or × to remove"
      placeholder="Add a tag"
      value={tags}
      onChange={(next) => void change(next)}
      disabled={busy}
      error={error ?? undefined}
      splitChars={[",", ";", "|"]}
      clearable={false}
    />
  );
}

export function ConsentState({ optedOut, optedOutAt, consentAt }: { optedOut: boolean; optedOutAt?: string | null; consentAt?: string | null }) {
  return (
    <Stack gap={4}>
      <Group gap="xs">
        <Text size="sm" fw={500}>
          Automated DMs
        </Text>
        {optedOut ? (
          <Badge color="red" variant="light">
            Opted out
          </Badge>
        ) : (
          <Badge color="teal" variant="light">
            Subscribed
          </Badge>
        )}
      </Group>
      {optedOut && optedOutAt ? (
        <Text size="xs" c="dimmed">
          Opted out {formatDateTime(optedOutAt)}; agents can still reply by hand.
        </Text>
      ) : null}
      {consentAt !== undefined ? (
        <Text size="xs" c="dimmed">
          {consentAt ? `Consent: wrote first on ${formatDateTime(consentAt)}` : "Consent: has not written to the account yet"}
        </Text>
      ) : null}
    </Stack>
  );
}

export function AttributesView({ attributes }: { attributes: Record<string, string | number | boolean> }) {
  const entries = Object.entries(attributes);
  return (
    <Stack gap={4}>
      <Text size="sm" fw={500}>
        Attributes
      </Text>
      {entries.length === 0 ? (
        <Text size="sm" c="dimmed">
          No attributes
        </Text>
      ) : (
        <dl style={{ margin: 0, display: "grid", gridTemplateColumns: "auto 1fr", gap: "2px 12px" }}>
          {entries.map(([k, v]) => (
            <div key={k} style={{ display: "contents" }}>
              <Text component="dt" size="sm" c="dimmed">
                {k}
              </Text>
              <Text component="dd" size="sm" m={0} style={{ wordBreak: "break-word" }}>
                {String(v)}
              </Text>
            </div>
          ))}
        </dl>
      )}
    </Stack>
  );
}
