// The flow builder: a palette of the contract's triggers and steps, the canvas, the selected step's
// settings and, for the keyboard, the same steps as a list. Saving sends the whole graph; the
// contract's problems are shown on the steps (canvas and list) and listed above, and block saving.
import { useCallback, useMemo, useState } from "react";
import { ReactFlowProvider } from "@xyflow/react";
import { Alert, Anchor, Badge, Button, Grid, Group, List, Paper, Stack, Text, TextInput, Title, UnstyledButton } from "@mantine/core";
import { useMediaQuery } from "@mantine/hooks";
import { FLOW_NODE_TYPES, FLOW_TRIGGER_TYPES, type FlowNode } from "@mkt-x/core";
import { FlowCanvas } from "./flow-canvas.tsx";
import { NodeSettings, TriggerSettings, type TemplateOption } from "./flow-settings.tsx";
import {
  NODE_HINTS,
  NODE_LABELS,
  TRIGGER_HINTS,
  TRIGGER_ID,
  TRIGGER_LABELS,
  addNode,
  layoutFlow,
  newTrigger,
  nodeSummary,
  orderedNodes,
  positionForNew,
  removeNode,
  replaceNode,
  triggerSummary,
  validateFlow,
  type FlowDraft,
  type FlowNodeType,
  type Position,
} from "./flow-model.ts";

export interface FlowEditorProps {
  /** the flow as saved */
  saved: FlowDraft;
  templates: TemplateOption[];
  editable: boolean;
  saving: boolean;
  /** the API's refusal of the last save, if any */
  saveError?: string | undefined;
  onSave: (draft: FlowDraft) => void;
  /** extra actions next to Save (activate, run) that know whether the draft is saved */
  actions?: (dirty: boolean) => React.ReactNode;
}

const PALETTE_GROUPS: { title: string; types: FlowNodeType[] }[] = [
  { title: "Actions", types: ["send_message", "reply_with_dm_link", "add_tag", "remove_tag"] },
  { title: "Logic", types: ["condition", "wait", "end"] },
];
// every node type of the contract is in the palette
void (FLOW_NODE_TYPES satisfies readonly FlowNodeType[]);

export function FlowEditor({ saved, templates, editable, saving, saveError, onSave, actions }: FlowEditorProps) {
  const [draft, setDraft] = useState<FlowDraft>(saved);
  const [positions, setPositions] = useState<Map<string, Position>>(() => layoutFlow(saved));
  const [selected, setSelected] = useState<string | undefined>(TRIGGER_ID);
  const [triedToSave, setTriedToSave] = useState(false);
  const wide = useMediaQuery("(min-width: 75em)");

  const issues = useMemo(() => validateFlow(draft), [draft]);
  const dirty = JSON.stringify(draft) !== JSON.stringify(saved);
  const templateById = useMemo(() => new Map(templates.map((t) => [t.id, t.name])), [templates]);
  const templateName = useCallback((id: string) => templateById.get(id), [templateById]);
  const ordered = orderedNodes(draft);
  const selectedNode = draft.nodes.find((n) => n.id === selected);

  const add = (type: FlowNodeType) => {
    const after = selected ?? ordered.at(-1)?.id;
    const { draft: next, id } = addNode(draft, type, after);
    setPositions((p) => new Map(p).set(id, positionForNew(p, after)));
    setDraft(next);
    setSelected(id);
  };
  const remove = (id: string) => {
    setDraft((d) => removeNode(d, id));
    setSelected(TRIGGER_ID);
  };
  const save = () => {
    setTriedToSave(true);
    if (issues.all.length === 0) onSave({ ...draft, name: draft.name.trim() });
  };
  const stepTitle = (n: FlowNode, i: number) => `${i + 1}. ${NODE_LABELS[n.type]}`;

  return (
    <Stack gap="md">
      <Group align="flex-end" wrap="wrap" gap="sm">
        {editable ? (
          <TextInput label="Flow name" value={draft.name} onChange={(e) => setDraft({ ...draft, name: e.currentTarget.value })} error={triedToSave && !draft.name.trim() ? "Enter a name" : undefined} style={{ flex: "1 1 240px" }} />
        ) : null}
        {editable ? (
          <Button onClick={save} loading={saving} disabled={!dirty && !saveError}>
            Save
          </Button>
        ) : null}
        {actions?.(dirty)}
        {dirty ? (
          <Badge color="yellow" variant="light">
            Unsaved changes
          </Badge>
        ) : null}
      </Group>

      {saveError ? (
        <Alert color="red" title="The flow was not saved" role="alert">
          {saveError}
        </Alert>
      ) : null}
      {issues.all.length > 0 ? (
        <Alert color={triedToSave ? "red" : "yellow"} title={issues.all.length === 1 ? "1 problem to fix before saving" : `${issues.all.length} problems to fix before saving`} role={triedToSave ? "alert" : undefined}>
          <List size="sm" spacing={2}>
            {issues.all.map((i, k) => (
              <List.Item key={k}>
                {i.nodeId ? (
                  <Anchor component="button" type="button" size="sm" onClick={() => setSelected(i.nodeId)}>
                    {i.nodeId === TRIGGER_ID ? "Trigger" : i.nodeId}
                  </Anchor>
                ) : null}
                {i.nodeId ? ": " : null}
                {i.message}
              </List.Item>
            ))}
          </List>
        </Alert>
      ) : null}

      <Grid gap="md">
        <Grid.Col span={{ base: 12, lg: 3 }} order={1}>
          <Stack gap="md">
            {editable ? (
              <Paper withBorder p="sm">
                <Title order={2} size="h5" mb={4}>
                  Add a step
                </Title>
                <Text size="xs" c="dimmed" mb="xs">
                  Added after the selected step and connected to it.
                </Text>
                <Stack gap="xs">
                  <Text size="xs" fw={600} c="dimmed">
                    Trigger
                  </Text>
                  <Group gap={6}>
                    {FLOW_TRIGGER_TYPES.map((t) => (
                      <Button
                        key={t}
                        size="compact-sm"
                        variant={draft.trigger.type === t ? "filled" : "default"}
                        title={TRIGGER_HINTS[t]}
                        aria-pressed={draft.trigger.type === t}
                        onClick={() => {
                          if (draft.trigger.type !== t) setDraft({ ...draft, trigger: newTrigger(t) });
                          setSelected(TRIGGER_ID);
                        }}
                      >
                        {TRIGGER_LABELS[t]}
                      </Button>
                    ))}
                  </Group>
                  {PALETTE_GROUPS.map((g) => (
                    <Stack gap={6} key={g.title}>
                      <Text size="xs" fw={600} c="dimmed">
                        {g.title}
                      </Text>
                      <Group gap={6}>
                        {g.types.map((t) => (
                          <Button key={t} size="compact-sm" variant="light" title={NODE_HINTS[t]} onClick={() => add(t)} aria-label={`Add ${NODE_LABELS[t]}`}>
                            + {NODE_LABELS[t]}
                          </Button>
                        ))}
                      </Group>
                    </Stack>
                  ))}
                </Stack>
              </Paper>
            ) : null}
            <Paper withBorder p="sm" component="section" aria-labelledby="flow-steps-title">
              <Title order={2} size="h5" id="flow-steps-title" mb="xs">
                Steps
              </Title>
              <Stack gap={4} component="ol" style={{ listStyle: "none", padding: 0, margin: 0 }} aria-label="Steps">
                <li>
                  <StepButton title={`Trigger: ${TRIGGER_LABELS[draft.trigger.type]}`} summary={triggerSummary(draft.trigger)} problems={issues.byNode.get(TRIGGER_ID)?.length ?? 0} selected={selected === TRIGGER_ID} onClick={() => setSelected(TRIGGER_ID)} />
                </li>
                {ordered.map((n, i) => (
                  <li key={n.id}>
                    <StepButton title={stepTitle(n, i)} summary={nodeSummary(n, templateName)} problems={issues.byNode.get(n.id)?.length ?? 0} selected={selected === n.id} onClick={() => setSelected(n.id)} />
                  </li>
                ))}
              </Stack>
              {draft.nodes.length === 0 ? (
                <Text size="sm" c="dimmed" mt="xs">
                  No steps yet{editable ? ": add one above." : "."}
                </Text>
              ) : null}
            </Paper>
          </Stack>
        </Grid.Col>
        {/* before the canvas in the page order: the keyboard reaches a step's settings right after the step list */}
        <Grid.Col span={{ base: 12, lg: 3 }} order={3}>
          <Paper withBorder p="sm" component="section" aria-label="Step settings">
            {selectedNode ? (
              <NodeSettings
                key={selectedNode.id}
                node={selectedNode}
                draft={draft}
                errors={issues.fields.get(selectedNode.id)}
                templates={templates}
                editable={editable}
                templateName={templateName}
                onChange={(n) => setDraft((d) => replaceNode(d, n))}
                onConnections={(connections) => setDraft((d) => ({ ...d, connections }))}
                onRemove={() => remove(selectedNode.id)}
              />
            ) : selected === TRIGGER_ID ? (
              <TriggerSettings trigger={draft.trigger} errors={issues.fields.get(TRIGGER_ID)} editable={editable} onChange={(trigger) => setDraft((d) => ({ ...d, trigger }))} />
            ) : (
              <Text size="sm" c="dimmed">
                Select a step on the canvas or in the list to see its settings.
              </Text>
            )}
          </Paper>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 6 }} order={2}>
          <Paper withBorder style={{ overflow: "hidden" }}>
            <ReactFlowProvider>
              <FlowCanvas
                draft={draft}
                positions={positions}
                issues={issues}
                selected={selected}
                editable={editable}
                templateName={templateName}
                onSelect={setSelected}
                onMove={(id, to) => setPositions((p) => new Map(p).set(id, to))}
                onConnections={(connections) => setDraft((d) => ({ ...d, connections }))}
                onRemove={remove}
                height={wide ? 600 : 460}
              />
            </ReactFlowProvider>
          </Paper>
        </Grid.Col>
      </Grid>
    </Stack>
  );
}

function StepButton({ title, summary, problems, selected, onClick }: { title: string; summary: string; problems: number; selected: boolean; onClick: () => void }) {
  return (
    <UnstyledButton
      onClick={onClick}
      aria-current={selected ? "step" : undefined}
      p={6}
      w="100%"
      style={{ borderRadius: 4, border: `1px solid ${problems ? "var(--mantine-color-red-7)" : selected ? "var(--mantine-color-blue-7)" : "var(--mantine-color-gray-3)"}`, background: selected ? "var(--mantine-color-blue-0)" : undefined }}
    >
      <Group justify="space-between" wrap="nowrap" gap={4}>
        <Text size="sm" fw={500}>
          {title}
        </Text>
        {problems ? (
          <Badge color="red" variant="light" size="xs">
            {problems === 1 ? "1 problem" : `${problems} problems`}
          </Badge>
        ) : null}
      </Group>
      <Text size="xs" c="dimmed" lineClamp={1}>
        {summary}
      </Text>
    </UnstyledButton>
  );
}
