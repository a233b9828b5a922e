// The reply box: text with X's 10,000-character counter, and optionally quick-reply options or card
// buttons (the send body's quick_reply and card types). The body is checked by the contract's schema
// before Send is enabled, so what the API would refuse cannot be sent.
import { useState } from "react";
import { ActionIcon, Alert, Button, Group, SegmentedControl, Stack, Text, Textarea, TextInput } from "@mantine/core";
import { MAX_CARD_BUTTONS, MAX_MESSAGE_CHARS, MAX_POST_WEIGHT, MAX_QUICK_REPLIES, SendMessageBody, postWeight } from "@mkt-x/core";

type Kind = "text" | "quick_reply" | "card";
export type ComposerBody = SendMessageBody;

export interface ComposerProps {
  onSend: (body: ComposerBody) => Promise<unknown>;
  /** why sending is not possible now (a disconnected account): shown, and Send stays disabled */
  blockedReason?: string | null;
  /** a mention conversation: the reply is posted in public, plain text within X's weighted 280 */
  publicReply?: boolean;
}

const counterFormat = new Intl.NumberFormat("en-US");

export function Composer({ onSend, blockedReason, publicReply = false }: ComposerProps) {
  const [content, setContent] = useState("");
  const [kind, setKind] = useState<Kind>("text");
  const [options, setOptions] = useState<string[]>([""]);
  const [buttons, setButtons] = useState<{ label: string; url: string }[]>([{ label: "", url: "" }]);
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const body = {
    content,
    type: kind,
    ...(kind === "quick_reply" ? { quickReplies: options.filter((o) => o.trim() !== "").map((label) => ({ label: label.trim() })) } : {}),
    ...(kind === "card" ? { buttons: buttons.filter((b) => b.label.trim() !== "" || b.url.trim() !== "").map((b) => ({ label: b.label.trim(), url: b.url.trim() })) } : {}),
  };
  const parsed = SendMessageBody.safeParse(body);
  // a post counts as X weighs it (URLs 23, CJK and emoji 2); a DM in characters
  const used = publicReply ? postWeight(content) : content.length;
  const limit = publicReply ? MAX_POST_WEIGHT : MAX_MESSAGE_CHARS;
  const over = used > limit;
  const blank = content.trim() === "";
  const missingOptions = (kind === "quick_reply" && (body.quickReplies?.length ?? 0) === 0) || (kind === "card" && (body.buttons?.length ?? 0) === 0);
  const problem = blank ? null : over ? (publicReply ? `This reply counts ${counterFormat.format(used)} of X's ${MAX_POST_WEIGHT} for a post (links count 23, CJK characters and emoji 2): shorten it by ${counterFormat.format(used - limit)}` : `X allows at most ${counterFormat.format(MAX_MESSAGE_CHARS)} characters`) : missingOptions ? (kind === "card" ? "Add at least one button" : "Add at least one option") : parsed.success ? null : (parsed.error.issues[0]?.message ?? "Check the message");
  const canSend = !blockedReason && !sending && !blank && !over && parsed.success && !missingOptions;

  async function send() {
    if (!canSend || !parsed.success) return;
    setSending(true);
    setError(null);
    try {
      await onSend(parsed.data);
      setContent("");
      setOptions([""]);
      setButtons([{ label: "", url: "" }]);
      setKind("text");
    } catch (e) {
      setError(e instanceof Error ? e.message : "Could not send");
    } finally {
      setSending(false);
    }
  }

  return (
    <Stack gap="xs" component="form" onSubmit={(e) => { e.preventDefault(); void send(); }}>
      <Textarea
        label={publicReply ? "Public reply" : "Reply"}
        description={publicReply ? "Posted on X under the thread's latest post, visible to everyone" : undefined}
        placeholder={blockedReason ?? (publicReply ? "Write a public reply… (Ctrl+Enter posts)" : "Write a reply… (Ctrl+Enter sends)")}
        autosize
        minRows={2}
        maxRows={8}
        value={content}
        onChange={(e) => setContent(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
            e.preventDefault();
            void send();
          }
        }}
        error={problem ?? undefined}
        aria-describedby="reply-counter"
      />
      <Group justify="space-between" wrap="wrap" gap="xs">
        {publicReply ? <span /> : <SegmentedControl
          size="xs"
          aria-label="Message type"
          value={kind}
          onChange={(v) => setKind(v === "quick_reply" || v === "card" ? v : "text")}
          data={[
            { value: "text", label: "Text" },
            { value: "quick_reply", label: "Quick replies" },
            { value: "card", label: "Card buttons" },
          ]}
        />}
        <Group gap="sm">
          <Text id="reply-counter" size="xs" c={over ? "red" : "dimmed"} aria-live="polite">
            {counterFormat.format(used)} / {counterFormat.format(limit)}
          </Text>
          <Button type="submit" size="sm" disabled={!canSend} loading={sending}>
            {publicReply ? "Post reply" : "Send"}
          </Button>
        </Group>
      </Group>
      {kind === "quick_reply" ? (
        <Stack gap={4}>
          {options.map((o, i) => (
            <Group key={i} gap={4} wrap="nowrap">
              <TextInput size="xs" style={{ flex: 1 }} aria-label={`Option ${i + 1}`} placeholder={`Option ${i + 1}`} value={o} onChange={(e) => { const v = e.currentTarget.value; setOptions((all) => all.map((x, j) => (j === i ? v : x))); }} />
              <ActionIcon variant="subtle" color="gray" aria-label={`Remove option ${i + 1}`} onClick={() => setOptions((all) => (all.length > 1 ? all.filter((_, j) => j !== i) : [""]))}>
                ×
              </ActionIcon>
            </Group>
          ))}
          {options.length < MAX_QUICK_REPLIES ? (
            <Button variant="subtle" size="compact-xs" onClick={() => setOptions((all) => [...all, ""])} style={{ alignSelf: "flex-start" }}>
              Add option
            </Button>
          ) : null}
        </Stack>
      ) : null}
      {kind === "card" ? (
        <Stack gap={4}>
          {buttons.map((b, i) => (
            <Group key={i} gap={4} wrap="nowrap">
              <TextInput size="xs" style={{ flex: 1 }} aria-label={`Button ${i + 1} label`} placeholder="Label" value={b.label} onChange={(e) => { const v = e.currentTarget.value; setButtons((all) => all.map((x, j) => (j === i ? { ...x, label: v } : x))); }} />
              <TextInput size="xs" style={{ flex: 2 }} aria-label={`Button ${i + 1} URL`} placeholder="https://" value={b.url} onChange={(e) => { const v = e.currentTarget.value; setButtons((all) => all.map((x, j) => (j === i ? { ...x, url: v } : x))); }} />
              <ActionIcon variant="subtle" color="gray" aria-label={`Remove button ${i + 1}`} onClick={() => setButtons((all) => (all.length > 1 ? all.filter((_, j) => j !== i) : [{ label: "", url: "" }]))}>
                ×
              </ActionIcon>
            </Group>
          ))}
          {buttons.length < MAX_CARD_BUTTONS ? (
            <Button variant="subtle" size="compact-xs" onClick={() => setButtons((all) => [...all, { label: "", url: "" }])} style={{ alignSelf: "flex-start" }}>
              Add button
            </Button>
          ) : null}
        </Stack>
      ) : null}
      {blockedReason ? (
        <Alert color="orange" variant="light" role="status" p="xs">
          {blockedReason}
        </Alert>
      ) : null}
      {error ? (
        <Text size="sm" c="red" role="alert">
          {error}
        </Text>
      ) : null}
    </Stack>
  );
}
