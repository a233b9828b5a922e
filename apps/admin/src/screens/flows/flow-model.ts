// The flow being edited, independent of how it is drawn: its steps and connections as the contract
// types them (a step may hold values the contract refuses while it is being filled in), the
// problems the contract finds in it, keyed by step so the canvas and the step list show them on
// the step, and a layout for steps the contract gives no position.
import type { FLOW_NODE_TYPES, FLOW_TRIGGER_TYPES} from "@mkt-x/core";
import { FlowNode, FlowTrigger, flowEntryNode, flowGraphIssues, formatDuration, type FlowConnection } from "@mkt-x/core";
import type { z } from "zod";

export type FlowNodeType = (typeof FLOW_NODE_TYPES)[number];
export type FlowTriggerType = (typeof FLOW_TRIGGER_TYPES)[number];
export type Branch = "true" | "false";

export interface FlowDraft {
  name: string;
  trigger: FlowTrigger;
  nodes: FlowNode[];
  connections: FlowConnection[];
}

/** The canvas id of the trigger (a flow's trigger is not one of its nodes, but it is drawn as one). */
export const TRIGGER_ID = "__trigger__";

export const NODE_LABELS: Record<FlowNodeType, string> = {
  send_message: "Send message",
  reply_with_dm_link: "Reply with DM link",
  wait: "Wait",
  condition: "Condition",
  add_tag: "Add tag",
  remove_tag: "Remove tag",
  end: "End",
};

export const NODE_HINTS: Record<FlowNodeType, string> = {
  send_message: "Send a template as a DM",
  reply_with_dm_link: "Answer the comment in public with a link that opens a DM to you",
  wait: "Pause before the next step",
  condition: "Branch on tags, opt-out or an attribute",
  add_tag: "Tag the contact",
  remove_tag: "Untag the contact",
  end: "Finish the flow",
};

export const TRIGGER_LABELS: Record<FlowTriggerType, string> = {
  message_received: "Message received",
  post_reply: "Reply to a post",
  new_follower: "New follower",
  manual: "Manual",
};

export const TRIGGER_HINTS: Record<FlowTriggerType, string> = {
  message_received: "A customer DMs the account (optionally with a keyword)",
  post_reply: "Someone replies on X to a chosen post (comment to DM)",
  new_follower: "Someone follows the account",
  manual: "Started by hand for chosen contacts",
};

export const BRANCH_LABELS: Record<Branch, string> = { true: "Yes", false: "No" };

export function newTrigger(type: FlowTriggerType): FlowTrigger {
  if (type === "message_received") return { type, config: { keywords: [] } };
  if (type === "post_reply") return { type, config: { postId: "", keywords: [] } };
  return { type, config: {} };
}

export function newNode(type: FlowNodeType, id: string): FlowNode {
  switch (type) {
    case "send_message":
      return { id, type, config: { templateId: "", delay: 0 } };
    case "reply_with_dm_link":
      return { id, type, config: { text: "", dmText: "" } };
    case "wait":
      return { id, type, config: { duration: 3600 } };
    case "condition":
      return { id, type, config: { field: "tags", operator: "contains", value: "" } };
    case "add_tag":
    case "remove_tag":
      return { id, type, config: { tag: "" } };
    case "end":
      return { id, type, config: {} };
  }
}

/** An id no step of the flow has: the type and the next free number (send_message_2). */
export function nextNodeId(nodes: readonly FlowNode[], type: FlowNodeType): string {
  const taken = new Set(nodes.map((n) => n.id));
  for (let i = 1; ; i++) if (!taken.has(`${type}_${i}`)) return `${type}_${i}`;
}

export function triggerSummary(trigger: FlowTrigger): string {
  if (trigger.type === "message_received") {
    const words = trigger.config.keywords ?? [];
    return words.length ? `Keywords: ${words.join(", ")}` : "Any message";
  }
  if (trigger.type === "post_reply") {
    const words = trigger.config.keywords ?? [];
    return `Replies to post ${trigger.config.postId || "(none chosen)"}${words.length ? ` with ${words.join(", ")}` : ""}`;
  }
  return TRIGGER_HINTS[trigger.type];
}

/** One line saying what a step does, with the template names the screen knows. */
export function nodeSummary(node: FlowNode, templateName: (id: string) => string | undefined): string {
  switch (node.type) {
    case "send_message": {
      if (!node.config.templateId) return "No template chosen";
      const name = templateName(node.config.templateId) ?? "Template";
      return node.config.delay ? `${name}, after ${formatDuration(node.config.delay)}` : name;
    }
    case "reply_with_dm_link":
      return node.config.text ? node.config.text : "No reply written";
    case "wait":
      return node.config.duration > 0 ? `For ${formatDuration(node.config.duration)}` : "No duration";
    case "condition": {
      const { field, value } = node.config;
      if (field === "tags") return value === "" ? "No tag chosen" : `Has tag ${String(value)}`;
      if (field === "optedOut") return value === true ? "Opted out" : "Not opted out";
      return `${field.replace(/^attributes\./, "")} is ${String(value)}`;
    }
    case "add_tag":
    case "remove_tag":
      return node.config.tag ? node.config.tag : "No tag chosen";
    case "end":
      return "The flow ends here";
  }
}

export interface FlowIssue {
  /** the step (or TRIGGER_ID) it is about; absent when it is about the whole flow */
  nodeId?: string;
  message: string;
}

export interface FlowIssues {
  all: FlowIssue[];
  /** messages by step id (and TRIGGER_ID) */
  byNode: Map<string, string[]>;
  /** a field's message by step id, then by config field name */
  fields: Map<string, Record<string, string>>;
}

const FIELD_LABELS: Record<string, string> = {
  templateId: "Template",
  delay: "Delay",
  variables: "Variables",
  duration: "Duration",
  field: "Field",
  operator: "Operator",
  value: "Value",
  tag: "Tag",
  keywords: "Keywords",
  postId: "Post id",
  startsAt: "Starts at",
  endsAt: "Ends at",
  text: "Reply",
  dmText: "DM text",
  id: "Step id",
};

/** The contract's message, said the way the field's form would say it. */
function fieldMessage(node: FlowNode | undefined, field: string, issue: z.core.$ZodIssue): string {
  if (node?.type === "send_message" && field === "templateId") return "choose a template";
  const seconds = field === "duration" || field === "delay";
  if (issue.code === "too_small" && issue.origin === "string") return issue.minimum === 1 ? `enter a ${(FIELD_LABELS[field] ?? field).toLowerCase()}` : issue.message;
  if (issue.code === "too_small" && seconds) return `at least ${formatDuration(Number(issue.minimum))}`;
  if (issue.code === "too_big" && seconds) return `at most ${formatDuration(Number(issue.maximum))}`;
  if (issue.code === "too_big" && issue.origin === "string") return `at most ${String(issue.maximum)} characters`;
  return issue.message;
}

function configIssues(issues: readonly z.core.$ZodIssue[], node: FlowNode | undefined): { field: string; message: string }[] {
  return issues.map((i) => {
    const field = String(i.path[1] ?? i.path[0] ?? "");
    return { field, message: fieldMessage(node, field, i) };
  });
}

/** What the contract (and the flow engine's graph rules) refuse in the draft, by step. */
export function validateFlow(draft: FlowDraft): FlowIssues {
  const all: FlowIssue[] = [];
  const fields = new Map<string, Record<string, string>>();
  const add = (issue: FlowIssue, field?: string) => {
    all.push(issue);
    if (issue.nodeId && field) fields.set(issue.nodeId, { ...fields.get(issue.nodeId), [field]: issue.message.replace(/^[^:]+: /, "") });
  };
  if (!draft.name.trim()) all.push({ message: "The flow needs a name" });

  const trigger = FlowTrigger.safeParse(draft.trigger);
  if (!trigger.success) for (const i of configIssues(trigger.error.issues, undefined)) add({ nodeId: TRIGGER_ID, message: `${FIELD_LABELS[i.field] ?? i.field}: ${i.message}` }, i.field);

  for (const node of draft.nodes) {
    const parsed = FlowNode.safeParse(node);
    if (!parsed.success) for (const i of configIssues(parsed.error.issues, node)) add({ nodeId: node.id, message: `${FIELD_LABELS[i.field] ?? i.field}: ${i.message}` }, i.field);
  }

  for (const issue of flowGraphIssues(draft.nodes, draft.connections, trigger.success ? trigger.data : undefined)) {
    const [kind, index] = issue.path;
    const nodeId =
      kind === "nodes" && typeof index === "number" ? draft.nodes[index]?.id : kind === "connections" && typeof index === "number" ? draft.connections[index]?.fromNodeId : undefined;
    all.push(nodeId ? { nodeId, message: issue.message } : { message: issue.message });
  }
  // more than one step without a way in: say so on each of them but the one the flow starts with
  const incoming = new Set(draft.connections.map((c) => c.toNodeId));
  const entries = draft.nodes.filter((n) => !incoming.has(n.id));
  if (entries.length > 1) for (const n of entries.slice(1)) all.push({ nodeId: n.id, message: "Nothing leads to this step: connect a step to it" });

  const byNode = new Map<string, string[]>();
  for (const i of all) if (i.nodeId) byNode.set(i.nodeId, [...(byNode.get(i.nodeId) ?? []), i.message]);
  return { all, byNode, fields };
}

/** The steps in the order a reader follows them: from the entry, depth first, Yes before No; unreachable ones last. */
export function orderedNodes(draft: Pick<FlowDraft, "nodes" | "connections">): FlowNode[] {
  const byId = new Map(draft.nodes.map((n) => [n.id, n]));
  const seen = new Set<string>();
  const out: FlowNode[] = [];
  const next = (id: string) =>
    draft.connections
      .filter((c) => c.fromNodeId === id)
      .sort((a, b) => (a.condition === "false" ? 1 : 0) - (b.condition === "false" ? 1 : 0))
      .map((c) => c.toNodeId);
  const visit = (id: string) => {
    const node = byId.get(id);
    if (!node || seen.has(id)) return;
    seen.add(id);
    out.push(node);
    for (const to of next(id)) visit(to);
  };
  const entry = flowEntryNode(draft.nodes, draft.connections);
  if (entry) visit(entry.id);
  for (const n of draft.nodes) visit(n.id);
  return out;
}

export interface Position {
  x: number;
  y: number;
}

export const NODE_WIDTH = 220;
const ROW = 150;
const COLUMN = 260;

/** Layers by distance from the trigger, each layer centred: the contract keeps no positions. */
export function layoutFlow(draft: Pick<FlowDraft, "nodes" | "connections">): Map<string, Position> {
  const depth = new Map<string, number>();
  const incoming = new Set(draft.connections.map((c) => c.toNodeId));
  const queue = draft.nodes.filter((n) => !incoming.has(n.id)).map((n) => n.id);
  for (const id of queue) depth.set(id, 1);
  while (queue.length) {
    const id = queue.shift() ?? "";
    for (const c of draft.connections)
      if (c.fromNodeId === id && !depth.has(c.toNodeId)) {
        depth.set(c.toNodeId, (depth.get(id) ?? 1) + 1);
        queue.push(c.toNodeId);
      }
  }
  for (const n of draft.nodes) if (!depth.has(n.id)) depth.set(n.id, 1);
  const layers = new Map<number, string[]>();
  for (const n of orderedNodes(draft)) {
    const d = depth.get(n.id) ?? 1;
    layers.set(d, [...(layers.get(d) ?? []), n.id]);
  }
  const positions = new Map<string, Position>([[TRIGGER_ID, { x: -NODE_WIDTH / 2, y: 0 }]]);
  for (const [d, ids] of layers) ids.forEach((id, i) => positions.set(id, { x: (i - (ids.length - 1) / 2) * COLUMN - NODE_WIDTH / 2, y: d * ROW }));
  return positions;
}

/** Where a new step goes: under the selected one, or under the lowest step. */
export function positionForNew(positions: Map<string, Position>, after: string | undefined): Position {
  const base = after ? positions.get(after) : undefined;
  if (base) return { x: base.x, y: base.y + ROW };
  const lowest = Math.max(0, ...[...positions.values()].map((p) => p.y));
  return { x: -NODE_WIDTH / 2, y: lowest + ROW };
}

/** The outgoing branches a step has: one for most, Yes and No for a condition, none for an end. */
export function branchesOf(node: FlowNode): (Branch | undefined)[] {
  if (node.type === "end") return [];
  if (node.type === "condition") return ["true", "false"];
  return [undefined];
}

/** Points the step's branch at `to` (or nowhere when undefined), replacing what it pointed at. */
export function connect(connections: readonly FlowConnection[], from: string, branch: Branch | undefined, to: string | undefined): FlowConnection[] {
  const kept = connections.filter((c) => !(c.fromNodeId === from && c.condition === branch));
  if (!to) return kept;
  return [...kept, branch ? { fromNodeId: from, toNodeId: to, condition: branch } : { fromNodeId: from, toNodeId: to }];
}

/** Adds a step after `after`: on its first free branch, or between it and its next step; unconnected after a full condition or an end. */
export function addNode(draft: FlowDraft, type: FlowNodeType, after: string | undefined): { draft: FlowDraft; id: string } {
  const id = nextNodeId(draft.nodes, type);
  const nodes = [...draft.nodes, newNode(type, id)];
  let connections = draft.connections;
  const from = draft.nodes.find((n) => n.id === after);
  if (from) {
    const branches = branchesOf(from);
    const free = branches.filter((b) => !connections.some((c) => c.fromNodeId === from.id && c.condition === b));
    if (free.length) connections = connect(connections, from.id, free[0], id);
    else if (from.type !== "condition" && branches.length) {
      const old = connections.find((c) => c.fromNodeId === from.id);
      connections = connect(connections, from.id, undefined, id);
      if (old && type !== "end") connections = connect(connections, id, type === "condition" ? "true" : undefined, old.toNodeId);
    }
  } else if (after === TRIGGER_ID) {
    // before the current entry: the new step becomes the entry
    const entry = flowEntryNode(draft.nodes, draft.connections);
    if (entry && type !== "end") connections = connect(connections, id, type === "condition" ? "true" : undefined, entry.id);
  }
  return { draft: { ...draft, nodes, connections }, id };
}

export function removeNode(draft: FlowDraft, id: string): FlowDraft {
  return { ...draft, nodes: draft.nodes.filter((n) => n.id !== id), connections: draft.connections.filter((c) => c.fromNodeId !== id && c.toNodeId !== id) };
}

export function replaceNode(draft: FlowDraft, node: FlowNode): FlowDraft {
  return { ...draft, nodes: draft.nodes.map((n) => (n.id === node.id ? node : n)) };
}
