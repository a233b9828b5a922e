// The settings of the selected step (or the trigger): one form per contract type, each field showing
// the contract's message for it, plus where each branch leads, so connections can be made with the
// keyboard as well as on the canvas.
import { Button, NumberInput, Select, Stack, TagsInput, Text, TextInput, Title, Group } from "@mantine/core";
import { FLOW_TRIGGER_TYPES, MAX_FLOW_WAIT_SECONDS, formatDuration, type FlowConnection, type FlowNode, type FlowTrigger } from "@mkt-x/core";
import { BRANCH_LABELS, NODE_LABELS, TRIGGER_HINTS, TRIGGER_LABELS, branchesOf, connect, newTrigger, nodeSummary, triggerSummary, type Branch, type FlowDraft } from "./flow-model.ts";

export interface TemplateOption {
  id: string;
  name: string;
}

const isTriggerType = (v: string | null): v is FlowTrigger["type"] => (FLOW_TRIGGER_TYPES as readonly (string | null)[]).includes(v);

export function TriggerSettings({ trigger, errors, editable, onChange }: { trigger: FlowTrigger; errors: Record<string, string> | undefined; editable: boolean; onChange: (t: FlowTrigger) => void }) {
  if (!editable)
    return (
      <Stack gap={4}>
        <Title order={3} size="h5">
          Trigger: {TRIGGER_LABELS[trigger.type]}
        </Title>
        <Text size="sm">{triggerSummary(trigger)}</Text>
      </Stack>
    );
  return (
    <Stack gap="sm">
      <Title order={3} size="h5">
        Trigger
      </Title>
      <Select
        label="Starts when"
        data={FLOW_TRIGGER_TYPES.map((t) => ({ value: t, label: TRIGGER_LABELS[t] }))}
        value={trigger.type}
        allowDeselect={false}
        description={TRIGGER_HINTS[trigger.type]}
        onChange={(v) => isTriggerType(v) && v !== trigger.type && onChange(newTrigger(v))}
      />
      {trigger.type === "message_received" ? (
        <TagsInput
          label="Keywords"
          description="Any of them, anywhere in the message, case-insensitive. None: every message. Press Enter after each."
          value={trigger.config.keywords ?? []}
          error={errors?.keywords}
          onChange={(keywords) => onChange({ type: "message_received", config: { keywords } })}
          clearable
        />
      ) : null}
      {trigger.type === "post_reply" ? <PostReplySettings trigger={trigger} errors={errors} onChange={onChange} /> : null}
    </Stack>
  );
}

/** Comment to DM: the post, its keywords and the time window (ISO 8601, as the API takes them). */
function PostReplySettings({ trigger, errors, onChange }: { trigger: Extract<FlowTrigger, { type: "post_reply" }>; errors: Record<string, string> | undefined; onChange: (t: FlowTrigger) => void }) {
  const set = (patch: Partial<typeof trigger.config>) => {
    const config = { ...trigger.config, ...patch };
    // an emptied date is no bound at all
    if (!config.startsAt) delete config.startsAt;
    if (!config.endsAt) delete config.endsAt;
    onChange({ type: "post_reply", config });
  };
  return (
    <>
      <TextInput label="Post id" description="Your post on X whose replies start the flow" value={trigger.config.postId} error={errors?.postId} onChange={(e) => set({ postId: e.currentTarget.value.trim() })} />
      <TagsInput label="Keywords" description="Any of them in the reply, case-insensitive. None: every reply." value={trigger.config.keywords ?? []} error={errors?.keywords} onChange={(keywords) => set({ keywords })} clearable />
      <TextInput label="Starts at" description="Optional, e.g. 2026-12-24T09:00:00Z" value={trigger.config.startsAt ?? ""} error={errors?.startsAt} onChange={(e) => set({ startsAt: e.currentTarget.value.trim() })} />
      <TextInput label="Ends at" description="Optional, after the start" value={trigger.config.endsAt ?? ""} error={errors?.endsAt} onChange={(e) => set({ endsAt: e.currentTarget.value.trim() })} />
    </>
  );
}

const WAIT_UNITS = [
  { value: "60", label: "minutes" },
  { value: "3600", label: "hours" },
  { value: "86400", label: "days" },
];
const unitOf = (seconds: number) => (seconds > 0 && seconds % 86400 === 0 ? 86400 : seconds > 0 && seconds % 3600 === 0 ? 3600 : 60);

/** A duration in seconds, entered as a number of minutes, hours or days. */
function DurationInput({ label, value, error, description, min, onChange }: { label: string; value: number; error?: string | undefined; description?: string; min: number; onChange: (seconds: number) => void }) {
  const unit = unitOf(value);
  return (
    <Group align="flex-start" gap="xs" wrap="nowrap">
      <NumberInput
        label={label}
        description={description}
        value={value / unit}
        min={min}
        max={MAX_FLOW_WAIT_SECONDS / unit}
        allowDecimal={false}
        error={error}
        onChange={(v) => onChange(Math.round((typeof v === "number" ? v : Number(v) || 0) * unit))}
        style={{ flex: 1 }}
      />
      <Select label={`${label} unit`} data={WAIT_UNITS} value={String(unit)} allowDeselect={false} w={110} onChange={(u) => onChange(Math.round((value / unit) * Number(u ?? 60)))} />
    </Group>
  );
}

function ConfigFields({ node, errors, templates, onChange }: { node: FlowNode; errors: Record<string, string>; templates: TemplateOption[]; onChange: (n: FlowNode) => void }) {
  switch (node.type) {
    case "send_message":
      return (
        <>
          <Select
            label="Template"
            placeholder="Choose a template"
            searchable
            data={templates.map((t) => ({ value: t.id, label: t.name }))}
            value={node.config.templateId || null}
            error={errors.templateId}
            nothingFoundMessage="No template by that name"
            onChange={(v) => onChange({ ...node, config: { ...node.config, templateId: v ?? "" } })}
          />
          <DurationInput label="Delay" description="Hold the DM back this long (0: at once)" min={0} value={node.config.delay} error={errors.delay} onChange={(delay) => onChange({ ...node, config: { ...node.config, delay } })} />
        </>
      );
    case "reply_with_dm_link":
      return (
        <>
          <TextInput label="Reply" description="Posted in public under the person's comment, followed by the DM link (one reply per person per post)" value={node.config.text} error={errors.text} onChange={(e) => onChange({ ...node, config: { ...node.config, text: e.currentTarget.value } })} />
          <TextInput label="DM text" description="What the link fills in; the person sends it, so they write first" value={node.config.dmText} error={errors.dmText} onChange={(e) => onChange({ ...node, config: { ...node.config, dmText: e.currentTarget.value } })} />
        </>
      );
    case "wait":
      return <DurationInput label="Wait for" min={1} value={node.config.duration} error={errors.duration} description={`1 minute to ${formatDuration(MAX_FLOW_WAIT_SECONDS)}`} onChange={(duration) => onChange({ ...node, config: { duration } })} />;
    case "condition": {
      const { field, value } = node.config;
      const kind = field === "tags" ? "tags" : field === "optedOut" ? "optedOut" : "attribute";
      return (
        <>
          <Select
            label="Check"
            data={[
              { value: "tags", label: "Has a tag" },
              { value: "optedOut", label: "Opted out" },
              { value: "attribute", label: "An attribute equals" },
            ]}
            value={kind}
            allowDeselect={false}
            onChange={(k) => {
              if (k === "tags") onChange({ ...node, config: { field: "tags", operator: "contains", value: "" } });
              else if (k === "optedOut") onChange({ ...node, config: { field: "optedOut", operator: "equals", value: true } });
              else if (k === "attribute") onChange({ ...node, config: { field: "attributes.", operator: "equals", value: "" } });
            }}
          />
          {kind === "attribute" ? (
            <TextInput
              label="Attribute"
              placeholder="e.g. city"
              value={field.replace(/^attributes\./, "")}
              error={errors.field}
              onChange={(e) => onChange({ ...node, config: { ...node.config, field: `attributes.${e.currentTarget.value.trim()}` } })}
            />
          ) : null}
          {kind === "optedOut" ? (
            <Select
              label="Is"
              data={[
                { value: "true", label: "Opted out" },
                { value: "false", label: "Not opted out" },
              ]}
              value={String(value === true)}
              allowDeselect={false}
              onChange={(v) => onChange({ ...node, config: { ...node.config, value: v === "true" } })}
            />
          ) : (
            <TextInput
              label={kind === "tags" ? "Tag" : "Value"}
              value={String(value)}
              error={errors.value ?? errors.operator}
              onChange={(e) => onChange({ ...node, config: { ...node.config, value: e.currentTarget.value } })}
            />
          )}
        </>
      );
    }
    case "add_tag":
    case "remove_tag":
      return <TextInput label="Tag" value={node.config.tag} error={errors.tag} onChange={(e) => onChange({ ...node, config: { tag: e.currentTarget.value } })} />;
    case "end":
      return (
        <Text size="sm" c="dimmed">
          The execution completes here.
        </Text>
      );
  }
}

function branchLabel(node: FlowNode, branch: Branch | undefined) {
  if (node.type === "condition" && branch) return branch === "true" ? `If ${BRANCH_LABELS.true.toLowerCase()}, go to` : `If ${BRANCH_LABELS.false.toLowerCase()}, go to`;
  return "Next step";
}

export function NodeSettings({
  node,
  draft,
  errors,
  templates,
  editable,
  templateName,
  onChange,
  onConnections,
  onRemove,
}: {
  node: FlowNode;
  draft: FlowDraft;
  errors: Record<string, string> | undefined;
  templates: TemplateOption[];
  editable: boolean;
  templateName: (id: string) => string | undefined;
  onChange: (n: FlowNode) => void;
  onConnections: (c: FlowConnection[]) => void;
  onRemove: () => void;
}) {
  const others = draft.nodes.filter((n) => n.id !== node.id);
  const target = (b: Branch | undefined) => draft.connections.find((c) => c.fromNodeId === node.id && c.condition === b)?.toNodeId ?? null;
  const nameOf = (id: string | null) => {
    const n = draft.nodes.find((x) => x.id === id);
    return n ? `${NODE_LABELS[n.type]} (${n.id})` : "Nothing: the flow ends";
  };
  if (!editable)
    return (
      <Stack gap={4}>
        <Title order={3} size="h5">
          {NODE_LABELS[node.type]} ({node.id})
        </Title>
        <Text size="sm">{nodeSummary(node, templateName)}</Text>
        {branchesOf(node).map((b) => (
          <Text size="sm" key={b ?? "next"}>
            {branchLabel(node, b)}: {nameOf(target(b))}
          </Text>
        ))}
      </Stack>
    );
  return (
    <Stack gap="sm">
      <Title order={3} size="h5">
        {NODE_LABELS[node.type]} ({node.id})
      </Title>
      <ConfigFields node={node} errors={errors ?? {}} templates={templates} onChange={onChange} />
      {branchesOf(node).map((b) => (
        <Select
          key={b ?? "next"}
          label={branchLabel(node, b)}
          placeholder="Nothing: the flow ends"
          data={others.map((n) => ({ value: n.id, label: `${NODE_LABELS[n.type]} (${n.id})` }))}
          value={target(b)}
          clearable
          onChange={(to) => onConnections(connect(draft.connections, node.id, b, to ?? undefined))}
        />
      ))}
      <Button color="red" variant="light" onClick={onRemove}>
        Delete step
      </Button>
    </Stack>
  );
}
