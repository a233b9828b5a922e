// The flow drawn with React Flow: the trigger on top, each step a node showing what it does and
// the contract's problems with it, connections as edges (Yes / No out of a condition). Dragging
// moves a step; dragging from a step's bottom handle to another step connects them.
import "@xyflow/react/dist/style.css";
import { useMemo } from "react";
import { Background, Controls, Handle, Position as HandlePosition, ReactFlow, type Edge, type Node, type NodeChange, type EdgeChange, type Connection, type NodeProps } from "@xyflow/react";
import { Badge, List, Paper, Text } from "@mantine/core";
import type { FlowConnection, FlowNode, FlowTrigger } from "@mkt-x/core";
import { BRANCH_LABELS, NODE_LABELS, NODE_WIDTH, TRIGGER_ID, TRIGGER_LABELS, connect, nodeSummary, triggerSummary, type Branch, type FlowDraft, type FlowIssues, type Position } from "./flow-model.ts";

type StepData = { title: string; summary: string; issues: string[]; kind: FlowNode["type"] | "trigger" };
type StepNode = Node<StepData, "step">;

function StepNodeView({ data, selected }: NodeProps<StepNode>) {
  const bad = data.issues.length > 0;
  return (
    <Paper
      withBorder
      shadow={selected ? "md" : "xs"}
      p="xs"
      w={NODE_WIDTH}
      style={{
        borderColor: bad ? "var(--mantine-color-red-7)" : selected ? "var(--mantine-color-blue-7)" : undefined,
        borderWidth: bad || selected ? 2 : 1,
        background: data.kind === "trigger" ? "var(--mantine-color-blue-0)" : undefined,
      }}
    >
      {data.kind !== "trigger" ? <Handle type="target" position={HandlePosition.Top} /> : null}
      <Text size="xs" c="dimmed" fw={600} tt="uppercase">
        {data.kind === "trigger" ? "Trigger" : data.title}
      </Text>
      <Text size="sm" fw={500} lineClamp={2}>
        {data.kind === "trigger" ? `${data.title}: ${data.summary}` : data.summary}
      </Text>
      {bad ? (
        <>
          <Badge color="red" variant="light" size="sm" mt={4}>
            {data.issues.length === 1 ? "1 problem" : `${data.issues.length} problems`}
          </Badge>
          <List size="xs" c="red.8" mt={2} spacing={0}>
            {data.issues.map((m) => (
              <List.Item key={m}>{m}</List.Item>
            ))}
          </List>
        </>
      ) : null}
      {data.kind === "condition" ? (
        <>
          <Handle type="source" id="true" position={HandlePosition.Bottom} style={{ left: "30%" }} />
          <Handle type="source" id="false" position={HandlePosition.Bottom} style={{ left: "70%" }} />
          <Text size="xs" c="dimmed" style={{ display: "flex", justifyContent: "space-around" }} mt={4}>
            <span>{BRANCH_LABELS.true}</span>
            <span>{BRANCH_LABELS.false}</span>
          </Text>
        </>
      ) : data.kind !== "end" ? (
        <Handle type="source" position={HandlePosition.Bottom} />
      ) : null}
    </Paper>
  );
}

const nodeTypes = { step: StepNodeView };

export interface FlowCanvasProps {
  draft: FlowDraft;
  positions: Map<string, Position>;
  issues: FlowIssues;
  selected: string | undefined;
  editable: boolean;
  templateName: (id: string) => string | undefined;
  onSelect: (id: string | undefined) => void;
  onMove: (id: string, to: Position) => void;
  onConnections: (connections: FlowConnection[]) => void;
  onRemove: (id: string) => void;
  height: number;
}

const triggerNodeData = (trigger: FlowTrigger, issues: string[]): StepData => ({ title: TRIGGER_LABELS[trigger.type], summary: triggerSummary(trigger), issues, kind: "trigger" });

export function FlowCanvas({ draft, positions, issues, selected, editable, templateName, onSelect, onMove, onConnections, onRemove, height }: FlowCanvasProps) {
  const nodes = useMemo<StepNode[]>(() => {
    const trigger: StepNode = {
      id: TRIGGER_ID,
      type: "step",
      position: positions.get(TRIGGER_ID) ?? { x: 0, y: 0 },
      data: triggerNodeData(draft.trigger, issues.byNode.get(TRIGGER_ID) ?? []),
      deletable: false,
      selected: selected === TRIGGER_ID,
      ariaLabel: `Trigger: ${TRIGGER_LABELS[draft.trigger.type]}`,
    };
    return [
      trigger,
      ...draft.nodes.map(
        (n): StepNode => ({
          id: n.id,
          type: "step",
          position: positions.get(n.id) ?? { x: 0, y: 0 },
          data: { title: NODE_LABELS[n.type], summary: nodeSummary(n, templateName), issues: issues.byNode.get(n.id) ?? [], kind: n.type },
          selected: selected === n.id,
          deletable: editable,
          draggable: true,
          ariaLabel: `${NODE_LABELS[n.type]} step ${n.id}${issues.byNode.has(n.id) ? ", has problems" : ""}`,
        }),
      ),
    ];
  }, [draft, positions, issues, selected, editable, templateName]);

  const edges = useMemo<Edge[]>(() => {
    const incoming = new Set(draft.connections.map((c) => c.toNodeId));
    const entry = draft.nodes.find((n) => !incoming.has(n.id));
    const fromTrigger: Edge[] = entry ? [{ id: `${TRIGGER_ID}->${entry.id}`, source: TRIGGER_ID, target: entry.id, deletable: false, selectable: false, style: { strokeDasharray: "4 4" } }] : [];
    return [
      ...fromTrigger,
      ...draft.connections.map(
        (c): Edge => ({
          id: `${c.fromNodeId}->${c.toNodeId}:${c.condition ?? ""}`,
          source: c.fromNodeId,
          target: c.toNodeId,
          sourceHandle: c.condition ?? null,
          label: c.condition ? BRANCH_LABELS[c.condition] : undefined,
          deletable: editable,
          ariaLabel: `From ${c.fromNodeId}${c.condition ? ` (${BRANCH_LABELS[c.condition]})` : ""} to ${c.toNodeId}`,
        }),
      ),
    ];
  }, [draft, editable]);

  const onNodesChange = (changes: NodeChange<StepNode>[]) => {
    for (const ch of changes) {
      if (ch.type === "position" && ch.position) onMove(ch.id, ch.position);
      else if (ch.type === "select" && ch.selected) onSelect(ch.id);
      else if (ch.type === "remove" && editable && ch.id !== TRIGGER_ID) onRemove(ch.id);
    }
  };
  const onEdgesChange = (changes: EdgeChange[]) => {
    if (!editable) return;
    const removed = new Set(changes.filter((c) => c.type === "remove").map((c) => c.id));
    if (removed.size) onConnections(draft.connections.filter((c) => !removed.has(`${c.fromNodeId}->${c.toNodeId}:${c.condition ?? ""}`)));
  };
  const onConnect = (c: Connection) => {
    if (!editable || c.source === TRIGGER_ID || c.source === c.target) return;
    const branch: Branch | undefined = c.sourceHandle === "true" || c.sourceHandle === "false" ? c.sourceHandle : undefined;
    onConnections(connect(draft.connections, c.source, branch, c.target));
  };

  return (
    <div style={{ height, width: "100%" }} aria-label="Flow canvas" role="region">
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        onPaneClick={() => onSelect(undefined)}
        nodesConnectable={editable}
        nodesDraggable
        deleteKeyCode={editable ? ["Backspace", "Delete"] : null}
        fitView
        fitViewOptions={{ padding: 0.2, maxZoom: 1 }}
        minZoom={0.3}
        proOptions={{ hideAttribution: true }}
      >
        <Background gap={16} />
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
  );
}
