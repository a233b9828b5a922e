// The AI assistant: its settings (validated by the contract's UpdateAiSettingsInput) and a "try it"
// chat on one of the merchant's conversations, showing what the AI understood (intent, confidence,
// slots) and whether it would hand the conversation to a person.
import { useEffect, useRef, useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, Badge, Button, Grid, Group, NumberInput, Paper, Select, Stack, Switch, Table, Text, TextInput, Textarea, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { AI_MESSAGE_MAX_LENGTH, AI_SYSTEM_PROMPT_MAX_LENGTH, UpdateAiSettingsInput } from "@mkt-x/core";
import { errorMessage, useTRPC, type RouterOutputs } from "../../lib/trpc.ts";
import { useCan } from "../../lib/me.tsx";
import { EmptyState, PageHeader, QueryView, formatDateTime } from "../../lib/ui.tsx";

type Settings = RouterOutputs["ai"]["getSettings"];
type Answer = RouterOutputs["ai"]["message"];

export function AiScreen() {
  const trpc = useTRPC();
  const settings = useQuery(trpc.ai.getSettings.queryOptions());
  return (
    <>
      <PageHeader title="AI" description="The assistant that understands customers' DMs, answers them and hands a conversation to a person when it is unsure." />
      <Grid gap="md">
        <Grid.Col span={{ base: 12, lg: 5 }}>
          <Paper withBorder p="md" component="section" aria-labelledby="ai-settings-title">
            <Title order={2} size="h4" id="ai-settings-title" mb="sm">
              Settings
            </Title>
            <QueryView query={settings}>{(s) => <SettingsForm key={s.updatedAt ?? "defaults"} settings={s} />}</QueryView>
          </Paper>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 7 }}>
          <Paper withBorder p="md" component="section" aria-labelledby="ai-try-title">
            <Title order={2} size="h4" id="ai-try-title" mb="sm">
              Try it
            </Title>
            <TryIt />
          </Paper>
        </Grid.Col>
      </Grid>
    </>
  );
}

type Form = { enabled: boolean; model: string; temperature: number; maxTokens: number; autoEscalationThreshold: number; systemPrompt: string };

const FORM_KEYS = ["enabled", "model", "temperature", "maxTokens", "autoEscalationThreshold", "systemPrompt"] as const;
const toForm = (s: Settings): Form => ({ enabled: s.enabled, model: s.model, temperature: s.temperature, maxTokens: s.maxTokens, autoEscalationThreshold: s.autoEscalationThreshold, systemPrompt: s.systemPrompt ?? "" });
const num = (v: string | number) => (typeof v === "number" ? v : Number.NaN);

function SettingsForm({ settings }: { settings: Settings }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const canAdmin = useCan("admin");
  const [form, setForm] = useState<Form>(() => toForm(settings));
  const [errors, setErrors] = useState<Partial<Record<keyof Form, string>>>({});
  const save = useMutation(
    trpc.ai.updateSettings.mutationOptions({
      onSuccess: (saved) => {
        queryClient.setQueryData(trpc.ai.getSettings.queryKey(), saved);
        notifications.show({ color: "green", message: "AI settings saved" });
      },
    }),
  );
  const set = <K extends keyof Form>(key: K, value: Form[K]) => setForm((f) => ({ ...f, [key]: value }));
  const dirty = JSON.stringify(form) !== JSON.stringify(toForm(settings));

  if (!canAdmin)
    return (
      <Table variant="vertical" withTableBorder>
        <Table.Tbody>
          {(
            [
              ["Automatic replies", settings.enabled ? "On" : "Off"],
              ["Model", settings.model],
              ["Temperature", String(settings.temperature)],
              ["Max tokens", String(settings.maxTokens)],
              ["Escalation threshold", `${Math.round(settings.autoEscalationThreshold * 100)}%`],
              ["System prompt", settings.systemPrompt ?? "—"],
              ["Last saved", settings.updatedAt ? formatDateTime(settings.updatedAt) : "Never (defaults)"],
            ] as const
          ).map(([k, v]) => (
            <Table.Tr key={k}>
              <Table.Th w={170}>{k}</Table.Th>
              <Table.Td style={{ whiteSpace: "pre-wrap" }}>{v}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    );

  const submit = () => {
    const parsed = UpdateAiSettingsInput.safeParse({ ...form, systemPrompt: form.systemPrompt.trim() ? form.systemPrompt : null });
    if (!parsed.success) {
      const next: Partial<Record<keyof Form, string>> = {};
      for (const i of parsed.error.issues) {
        const key = FORM_KEYS.find((k) => k === i.path[0]);
        if (key) next[key] = i.message;
      }
      return setErrors(next);
    }
    setErrors({});
    save.mutate(parsed.data);
  };

  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <Stack gap="sm">
        <Switch label="Automatic replies" description="The AI answers customers' DMs on its own (outside a flow and when nobody is assigned)." checked={form.enabled} onChange={(e) => set("enabled", e.currentTarget.checked)} />
        <TextInput label="Model" description="The language model asked when one is configured (e.g. gpt-4o-mini); the built-in understanding is used otherwise." value={form.model} error={errors.model} onChange={(e) => set("model", e.currentTarget.value)} />
        <Group grow align="flex-start">
          <NumberInput label="Temperature" description="0 (focused) to 2 (creative)" min={0} max={2} step={0.1} decimalScale={2} value={form.temperature} error={errors.temperature} onChange={(v) => set("temperature", num(v))} />
          <NumberInput label="Max tokens" description="Length of an answer, 1 to 4,000" min={1} max={4000} allowDecimal={false} value={form.maxTokens} error={errors.maxTokens} onChange={(v) => set("maxTokens", num(v))} />
        </Group>
        <NumberInput
          label="Escalation threshold"
          description="Below this confidence (0 to 1) the conversation goes to a person"
          min={0}
          max={1}
          step={0.05}
          decimalScale={2}
          value={form.autoEscalationThreshold}
          error={errors.autoEscalationThreshold}
          onChange={(v) => set("autoEscalationThreshold", num(v))}
        />
        <Textarea
          label="System prompt"
          description={`How the assistant should speak and what it should know about the shop. ${form.systemPrompt.length.toLocaleString()} / ${AI_SYSTEM_PROMPT_MAX_LENGTH.toLocaleString()} characters`}
          autosize
          minRows={4}
          maxRows={12}
          value={form.systemPrompt}
          error={errors.systemPrompt}
          onChange={(e) => set("systemPrompt", e.currentTarget.value)}
        />
        {save.error ? (
          <Alert color="red" role="alert" title="Not saved">
            {errorMessage(save.error)}
          </Alert>
        ) : null}
        <Group justify="space-between">
          <Text size="xs" c="dimmed">
            {settings.updatedAt ? `Last saved ${formatDateTime(settings.updatedAt)}` : "Defaults: never saved"}
          </Text>
          <Button type="submit" loading={save.isPending} disabled={!dirty}>
            Save settings
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

type Exchange = { id: number; message: string; answer?: Answer; error?: string };

const conversationLabel = (c: RouterOutputs["conversations"]["list"]["data"][number]) => {
  const who = c.contact.displayName ?? (c.contact.username ? `@${c.contact.username}` : "Unknown contact");
  return `${who}${c.contact.username && c.contact.displayName ? ` (@${c.contact.username})` : ""} · ${c.status}`;
};

function TryIt() {
  const trpc = useTRPC();
  const canInbox = useCan("inbox");
  const conversations = useQuery(trpc.conversations.list.queryOptions({ take: 100 }));
  const [conversationId, setConversationId] = useState<string | null>(null);
  const list = conversations.data?.data;
  useEffect(() => {
    if (!conversationId && list?.[0]) setConversationId(list[0].id);
  }, [conversationId, list]);

  if (!canInbox)
    return (
      <Text size="sm" c="dimmed">
        Trying the AI is for agents, admins and owners.
      </Text>
    );
  return (
    <QueryView
      query={conversations}
      isEmpty={(d) => d.data.length === 0}
      empty={<EmptyState title="No conversation to try it on yet">The AI answers within a conversation: once a customer has written, try it here.</EmptyState>}
    >
      {(d) => (
        <Stack gap="sm">
          <Select
            label="Conversation"
            description="The AI answers in this conversation's context. Nothing is sent to the customer; the exchange is kept in the conversation's AI session, and an escalation flags it for a person."
            searchable
            allowDeselect={false}
            data={d.data.map((c) => ({ value: c.id, label: conversationLabel(c) }))}
            value={conversationId}
            onChange={setConversationId}
          />
          {conversationId ? <Chat key={conversationId} conversationId={conversationId} /> : null}
        </Stack>
      )}
    </QueryView>
  );
}

function Chat({ conversationId }: { conversationId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const context = useQuery(trpc.ai.context.queryOptions({ conversationId }));
  const [text, setText] = useState("");
  const [exchanges, setExchanges] = useState<Exchange[]>([]);
  const seq = useRef(0);
  const end = useRef<HTMLDivElement>(null);
  const ask = useMutation(trpc.ai.message.mutationOptions());

  const send = () => {
    const message = text.trim();
    if (!message) return;
    const id = ++seq.current;
    setExchanges((x) => [...x, { id, message }]);
    setText("");
    ask.mutate(
      { conversationId, message },
      {
        onSuccess: (answer) => {
          setExchanges((x) => x.map((e) => (e.id === id ? { ...e, answer } : e)));
          void queryClient.invalidateQueries({ queryKey: trpc.ai.context.queryKey({ conversationId }) });
        },
        onError: (e) => setExchanges((x) => x.map((ex) => (ex.id === id ? { ...ex, error: errorMessage(e) } : ex))),
      },
    );
  };
  // a block body: Chromium's scrollIntoView returns a promise now, which React would take for a cleanup
  useEffect(() => {
    void end.current?.scrollIntoView?.({ block: "nearest" });
  }, [exchanges]);

  const earlier = exchanges.length === 0 ? (context.data?.context ?? []) : [];
  return (
    <Stack gap="sm">
      {context.data?.escalated ? (
        <Alert color="orange" title="This conversation is escalated">
          {context.data.escalationReason ?? "A person should take it over."} The AI keeps flagging its answers for a person.
        </Alert>
      ) : null}
      <Paper withBorder p="sm" bg="gray.0" mih={180} mah={440} style={{ overflowY: "auto" }} role="log" aria-label="AI conversation" aria-live="polite">
        <Stack gap="xs">
          {earlier.length > 0 ? (
            <Text size="xs" c="dimmed">
              Earlier in this conversation&apos;s AI session:
            </Text>
          ) : null}
          {earlier.map((t, i) => (
            <Bubble key={i} who={t.role === "user" ? "customer" : "ai"}>
              {t.content}
            </Bubble>
          ))}
          {exchanges.map((e) => (
            <Stack gap={4} key={e.id}>
              <Bubble who="customer">{e.message}</Bubble>
              {e.answer ? (
                <AnswerView answer={e.answer} />
              ) : e.error ? (
                <Text c="red.8" size="sm" role="alert">
                  {e.error}
                </Text>
              ) : (
                <Text size="sm" c="dimmed">
                  Thinking…
                </Text>
              )}
            </Stack>
          ))}
          {earlier.length === 0 && exchanges.length === 0 ? (
            <Text size="sm" c="dimmed">
              Write as the customer would, e.g. “where is my order #12345?”
            </Text>
          ) : null}
          <div ref={end} />
        </Stack>
      </Paper>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          send();
        }}
      >
        <Stack gap="xs">
          <Textarea
            label="Message as the customer"
            autosize
            minRows={2}
            maxRows={6}
            maxLength={AI_MESSAGE_MAX_LENGTH}
            value={text}
            onChange={(e) => setText(e.currentTarget.value)}
            onKeyDown={(e) => {
              if (e.key === "Enter" && !e.shiftKey) {
                e.preventDefault();
                send();
              }
            }}
          />
          <Group justify="flex-end">
            <Button type="submit" loading={ask.isPending} disabled={!text.trim()}>
              Ask the AI
            </Button>
          </Group>
        </Stack>
      </form>
    </Stack>
  );
}

function Bubble({ who, children }: { who: "customer" | "ai"; children: React.ReactNode }) {
  return (
    <Group justify={who === "customer" ? "flex-end" : "flex-start"}>
      <Paper p="xs" radius="md" maw="85%" bg={who === "customer" ? "blue.0" : "white"} withBorder>
        <Text size="xs" fw={600} c="dimmed">
          {who === "customer" ? "Customer" : "AI"}
        </Text>
        <Text size="sm" style={{ whiteSpace: "pre-wrap" }}>
          {children}
        </Text>
      </Paper>
    </Group>
  );
}

const SOURCE_LABEL = { faq: "FAQ", product: "Product", order: "Order" } as const;

export function AnswerView({ answer }: { answer: Answer }) {
  const slots = Object.entries(answer.slots);
  return (
    <Stack gap={4} align="flex-start">
      <Bubble who="ai">{answer.response}</Bubble>
      <Group gap={6} aria-label="What the AI understood" role="group">
        <Badge variant="light" color="blue">
          Intent: {answer.intent.replace(/_/g, " ")}
        </Badge>
        <Badge variant="light" color={answer.confidence >= 0.7 ? "green" : answer.confidence >= 0.4 ? "yellow" : "red"}>
          Confidence: {Math.round(answer.confidence * 100)}%
        </Badge>
        <Badge variant="light" color={answer.requiresEscalation ? "red" : "gray"}>
          {answer.requiresEscalation ? "Escalation: hand to a person" : "No escalation"}
        </Badge>
        {slots.map(([k, v]) => (
          <Badge key={k} variant="outline" color="gray" tt="none">
            {k}: {v}
          </Badge>
        ))}
      </Group>
      {answer.sources.length > 0 ? (
        <Group gap={6} component="ul" aria-label="What the answer used" style={{ listStyle: "none", padding: 0, margin: 0 }}>
          {answer.sources.map((s) => (
            <Badge key={`${s.type}:${s.id}`} component="li" variant="outline" color="gray" tt="none">
              {SOURCE_LABEL[s.type]} {s.type === "order" ? s.id : s.id.slice(0, 8)}
            </Badge>
          ))}
        </Group>
      ) : null}
    </Stack>
  );
}

