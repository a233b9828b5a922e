// The template's fields: name, type, content with variables inserted at the cursor, and the
// type's quick-reply options or card buttons. Checked by the contract's CreateTemplateInput.
import { useRef } from "react";
import { ActionIcon, Button, Group, Paper, SegmentedControl, Stack, Text, Textarea, TextInput, Title } from "@mantine/core";
import {
  CreateTemplateInput,
  MAX_BUTTON_LABEL_CHARS,
  MAX_CARD_BUTTONS,
  MAX_QUICK_REPLIES,
  MAX_QUICK_REPLY_DESCRIPTION_CHARS,
  MAX_QUICK_REPLY_LABEL_CHARS,
  MAX_TEMPLATE_CONTENT_CHARS,
  TEMPLATE_TYPES,
  TEMPLATE_VARIABLE_PATTERN,
  templateVariableNames,
  type TemplateType,
} from "@mkt-x/core";

/**
 * The variables every contact has (packages/core resolve-variables: the contact's attributes by
 * key come first, then these built-ins).
 */
export const BUILT_IN_VARIABLES = [
  { name: "first_name", description: "first word of the display name, else the username" },
  { name: "name", description: "display name, else the username" },
  { name: "username", description: "X username" },
  { name: "shop_name", description: "your shop's name" },
] as const;

export const TYPE_LABELS: Record<TemplateType, string> = { text: "Text", quick_reply: "Quick reply", card: "Card" };

export interface TemplateDraft {
  name: string;
  type: TemplateType;
  content: string;
  quickReplies: Array<{ label: string; description: string }>;
  buttons: Array<{ label: string; url: string }>;
}

export const emptyDraft = (): TemplateDraft => ({ name: "", type: "text", content: "", quickReplies: [], buttons: [] });

/** The API's input for a draft: only the parts its type has. */
export function draftInput(d: TemplateDraft) {
  return {
    name: d.name,
    type: d.type,
    content: d.content,
    quickReplies: d.type === "quick_reply" ? d.quickReplies.map((q) => (q.description.trim() ? { label: q.label, description: q.description } : { label: q.label })) : null,
    buttons: d.type === "card" ? d.buttons : null,
  };
}

/** The contract's complaints by field path (content, quickReplies.0.label, …). */
export function draftIssues(d: TemplateDraft): Record<string, string> {
  const parsed = CreateTemplateInput.safeParse(draftInput(d));
  if (parsed.success) return {};
  const issues: Record<string, string> = {};
  for (const issue of parsed.error.issues) issues[issue.path.join(".")] ??= issue.message;
  return issues;
}

/** Inserts `{{name}}` at the textarea's selection (or the end), answering the new content and caret. */
export function insertVariable(content: string, name: string, start: number | null, end: number | null): { content: string; caret: number } {
  const token = `{{${name}}}`;
  const from = start ?? content.length;
  const to = end ?? from;
  return { content: content.slice(0, from) + token + content.slice(to), caret: from + token.length };
}

export function TemplateForm({
  draft,
  onChange,
  issues,
  attributeKeys = [],
  readOnly = false,
}: {
  draft: TemplateDraft;
  onChange: (d: TemplateDraft) => void;
  /** shown once the person tried to save */
  issues: Record<string, string>;
  attributeKeys?: readonly string[];
  readOnly?: boolean;
}) {
  const contentRef = useRef<HTMLTextAreaElement>(null);
  const insert = (name: string) => {
    const el = contentRef.current;
    const next = insertVariable(draft.content, name, el ? el.selectionStart : null, el ? el.selectionEnd : null);
    onChange({ ...draft, content: next.content });
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(next.caret, next.caret);
    });
  };
  const used = templateVariableNames(draft.content);
  const extraVariables = attributeKeys.filter((k) => TEMPLATE_VARIABLE_PATTERN.test(k) && !BUILT_IN_VARIABLES.some((b) => b.name === k));
  return (
    <Stack>
      <TextInput label="Name" value={draft.name} onChange={(e) => onChange({ ...draft, name: e.currentTarget.value })} error={issues["name"]} readOnly={readOnly} required />
      <Stack gap={4}>
        <Text size="sm" fw={500} id="template-type">
          Type
        </Text>
        <SegmentedControl
          aria-labelledby="template-type"
          value={draft.type}
          disabled={readOnly}
          onChange={(v) => onChange({ ...draft, type: TEMPLATE_TYPES.find((t) => t === v) ?? "text" })}
          data={TEMPLATE_TYPES.map((t) => ({ value: t, label: TYPE_LABELS[t] }))}
          w="fit-content"
        />
      </Stack>
      <Textarea
        ref={contentRef}
        label="Message"
        description={`${draft.content.length.toLocaleString()} / ${MAX_TEMPLATE_CONTENT_CHARS.toLocaleString()} characters`}
        value={draft.content}
        onChange={(e) => onChange({ ...draft, content: e.currentTarget.value })}
        error={issues["content"] ?? issues["variables"]}
        autosize
        minRows={4}
        maxRows={14}
        readOnly={readOnly}
        required
      />
      {readOnly ? null : (
        <Stack gap={4}>
          <Text size="sm" fw={500} id="insert-variable">
            Insert a variable
          </Text>
          <Group gap={6} role="group" aria-labelledby="insert-variable">
            {BUILT_IN_VARIABLES.map((v) => (
              <Button key={v.name} size="compact-sm" variant="light" title={v.description} aria-label={`Insert {{${v.name}}}`} onClick={() => insert(v.name)}>
                {`{{${v.name}}}`}
              </Button>
            ))}
            {extraVariables.map((k) => (
              <Button key={k} size="compact-sm" variant="default" title="contact attribute" aria-label={`Insert {{${k}}}`} onClick={() => insert(k)}>
                {`{{${k}}}`}
              </Button>
            ))}
          </Group>
          <Text size="xs" c="dimmed">
            {used.length ? `Uses: ${used.join(", ")}. ` : ""}Write {"{{name|friend}}"} for a fallback when a contact has no value.
          </Text>
        </Stack>
      )}
      {draft.type === "quick_reply" ? (
        <Paper withBorder p="sm">
          <Stack gap="xs">
            <Title order={2} size="h5">
              Quick-reply options
            </Title>
            <Text size="xs" c="dimmed">
              Up to {MAX_QUICK_REPLIES} options the customer taps to answer (labels unique, {MAX_QUICK_REPLY_LABEL_CHARS} characters at most).
            </Text>
            {issues["quickReplies"] ? (
              <Text size="xs" c="red">
                {issues["quickReplies"]}
              </Text>
            ) : null}
            {draft.quickReplies.map((q, i) => (
              <Group key={i} gap="xs" align="flex-start" wrap="nowrap">
                <TextInput
                  aria-label={`Option ${i + 1} label`}
                  placeholder="Label"
                  value={q.label}
                  readOnly={readOnly}
                  maxLength={MAX_QUICK_REPLY_LABEL_CHARS}
                  error={issues[`quickReplies.${i}.label`]}
                  onChange={(e) => onChange({ ...draft, quickReplies: draft.quickReplies.map((x, j) => (j === i ? { ...x, label: e.currentTarget.value } : x)) })}
                />
                <TextInput
                  aria-label={`Option ${i + 1} description`}
                  placeholder="Description (optional)"
                  value={q.description}
                  readOnly={readOnly}
                  maxLength={MAX_QUICK_REPLY_DESCRIPTION_CHARS}
                  error={issues[`quickReplies.${i}.description`]}
                  style={{ flex: 1 }}
                  onChange={(e) => onChange({ ...draft, quickReplies: draft.quickReplies.map((x, j) => (j === i ? { ...x, description: e.currentTarget.value } : x)) })}
                />
                {readOnly ? null : (
                  <ActionIcon variant="subtle" color="red" size="lg" aria-label={`Remove option ${i + 1}`} onClick={() => onChange({ ...draft, quickReplies: draft.quickReplies.filter((_, j) => j !== i) })}>
                    ×
                  </ActionIcon>
                )}
              </Group>
            ))}
            {readOnly || draft.quickReplies.length >= MAX_QUICK_REPLIES ? null : (
              <Group>
                <Button size="xs" variant="light" onClick={() => onChange({ ...draft, quickReplies: [...draft.quickReplies, { label: "", description: "" }] })}>
                  Add option
                </Button>
              </Group>
            )}
          </Stack>
        </Paper>
      ) : null}
      {draft.type === "card" ? (
        <Paper withBorder p="sm">
          <Stack gap="xs">
            <Title order={2} size="h5">
              Card buttons
            </Title>
            <Text size="xs" c="dimmed">
              Up to {MAX_CARD_BUTTONS} buttons that open a web page (http or https).
            </Text>
            {issues["buttons"] ? (
              <Text size="xs" c="red">
                {issues["buttons"]}
              </Text>
            ) : null}
            {draft.buttons.map((b, i) => (
              <Group key={i} gap="xs" align="flex-start" wrap="nowrap">
                <TextInput
                  aria-label={`Button ${i + 1} label`}
                  placeholder="Label"
                  value={b.label}
                  readOnly={readOnly}
                  maxLength={MAX_BUTTON_LABEL_CHARS}
                  error={issues[`buttons.${i}.label`]}
                  onChange={(e) => onChange({ ...draft, buttons: draft.buttons.map((x, j) => (j === i ? { ...x, label: e.currentTarget.value } : x)) })}
                />
                <TextInput
                  aria-label={`Button ${i + 1} URL`}
                  placeholder="https://"
                  value={b.url}
                  readOnly={readOnly}
                  error={issues[`buttons.${i}.url`]}
                  style={{ flex: 1 }}
                  onChange={(e) => onChange({ ...draft, buttons: draft.buttons.map((x, j) => (j === i ? { ...x, url: e.currentTarget.value } : x)) })}
                />
                {readOnly ? null : (
                  <ActionIcon variant="subtle" color="red" size="lg" aria-label={`Remove button ${i + 1}`} onClick={() => onChange({ ...draft, buttons: draft.buttons.filter((_, j) => j !== i) })}>
                    ×
                  </ActionIcon>
                )}
              </Group>
            ))}
            {readOnly || draft.buttons.length >= MAX_CARD_BUTTONS ? null : (
              <Group>
                <Button size="xs" variant="light" onClick={() => onChange({ ...draft, buttons: [...draft.buttons, { label: "", url: "" }] })}>
                  Add button
                </Button>
              </Group>
            )}
          </Stack>
        </Paper>
      ) : null}
    </Stack>
  );
}
