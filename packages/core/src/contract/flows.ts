import { z } from "zod";
import { EntityId, JsonBoolean, PageInput, Uuid } from "./common.ts";
import { MAX_POST_WEIGHT, POST_URL_WEIGHT, postWeight } from "../domain/post-length.ts";

export const FLOW_STATUSES = ["draft", "active", "inactive"] as const;
export type FlowStatus = (typeof FLOW_STATUSES)[number];
export const isFlowStatus = (v: string): v is FlowStatus => (FLOW_STATUSES as readonly string[]).includes(v);

export const FLOW_EXECUTION_STATUSES = ["running", "completed", "failed", "cancelled"] as const;
export type FlowExecutionStatus = (typeof FLOW_EXECUTION_STATUSES)[number];
export const isFlowExecutionStatus = (v: string): v is FlowExecutionStatus => (FLOW_EXECUTION_STATUSES as readonly string[]).includes(v);

export const MAX_FLOW_WAIT_SECONDS = 30 * 86400;
export const FLOW_TRIGGER_TYPES = ["new_follower", "message_received", "post_reply", "manual"] as const;
export const FLOW_NODE_TYPES = ["send_message", "reply_with_dm_link", "wait", "condition", "add_tag", "remove_tag", "end"] as const;

const EmptyConfig = z.object({}).strict().default({});
const Keywords = z.array(z.string().trim().min(1).max(100)).max(50);

/** X's link that opens a DM to the account with the text filled in: the person sends it (and so writes first). */
export const dmDeepLink = (accountXUserId: string, text: string): string => `https://x.com/messages/compose?recipient_id=${encodeURIComponent(accountXUserId)}&text=${encodeURIComponent(text)}`;
/** the reply's words leave room for the link (X counts every URL 23) and a space in X's weighted 280 */
export const MAX_DM_LINK_REPLY_WEIGHT = MAX_POST_WEIGHT - POST_URL_WEIGHT - 1;

export const FlowTrigger = z.discriminatedUnion("type", [
  z.object({ type: z.literal("new_follower"), config: EmptyConfig }).strict(),
  z
    .object({
      type: z.literal("message_received"),
      config: z
        .object({ keywords: Keywords.optional().meta({ description: "match when the message contains any of them (case-insensitive); none: every message" }) })
        .strict()
        .default({}),
    })
    .strict(),
  z
    .object({
      type: z.literal("post_reply"),
      config: z
        .object({
          postId: z.string().regex(/^\d{1,19}$/, { message: "an X post id (digits)" }).meta({ description: "the account's post whose replies (comments) start the flow" }),
          keywords: Keywords.optional().meta({ description: "match when the reply contains any of them (case-insensitive); none: every reply" }),
          startsAt: z.iso.datetime({ offset: true }).optional().meta({ description: "replies posted before this are left alone" }),
          endsAt: z.iso.datetime({ offset: true }).optional().meta({ description: "replies posted after this are left alone" }),
        })
        .strict()
        .refine((c) => c.startsAt === undefined || c.endsAt === undefined || Date.parse(c.endsAt) > Date.parse(c.startsAt), { message: "endsAt must be after startsAt", path: ["endsAt"] }),
    })
    .strict()
    .meta({ description: "a reply on X to the chosen post (comment to DM): answer it in public with reply_with_dm_link" }),
  z.object({ type: z.literal("manual"), config: EmptyConfig }).strict(),
]);
export type FlowTrigger = z.infer<typeof FlowTrigger>;

const NodeId = z.string().trim().min(1).max(64);
const FlowVariables = z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_.]{0,63}$/, { message: "variable names are letters, digits, _ and ." }), z.union([z.string().max(1000), z.number(), JsonBoolean]));
const ConditionValue = z.union([z.string().max(1000), z.number(), JsonBoolean]);

export const ConditionConfig = z
  .object({
    field: z.string().regex(/^(tags|optedOut|attributes\.[A-Za-z_][A-Za-z0-9_]{0,63})$/, { message: "tags, optedOut or attributes.<key>" }),
    operator: z.enum(["contains", "equals"]),
    value: ConditionValue,
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.field === "tags" && (c.operator !== "contains" || typeof c.value !== "string")) ctx.addIssue({ code: "custom", path: ["operator"], message: "tags takes operator contains with a string value" });
    if (c.field === "optedOut" && (c.operator !== "equals" || typeof c.value !== "boolean")) ctx.addIssue({ code: "custom", path: ["operator"], message: "optedOut takes operator equals with a boolean value" });
    if (c.field.startsWith("attributes.") && c.operator !== "equals") ctx.addIssue({ code: "custom", path: ["operator"], message: "attributes take operator equals" });
  });
export type ConditionConfig = z.infer<typeof ConditionConfig>;

export const FlowNode = z.discriminatedUnion("type", [
  z
    .object({
      id: NodeId,
      type: z.literal("send_message"),
      config: z
        .object({
          templateId: Uuid,
          delay: z.number().int().min(0).max(MAX_FLOW_WAIT_SECONDS).default(0).meta({ description: "seconds to hold the DM back" }),
          variables: FlowVariables.optional(),
        })
        .strict(),
    })
    .strict(),
  z
    .object({
      id: NodeId,
      type: z.literal("reply_with_dm_link"),
      config: z
        .object({
          text: z
            .string()
            .trim()
            .min(1)
            .refine((t) => postWeight(t) <= MAX_DM_LINK_REPLY_WEIGHT, { message: `the reply counts more than ${MAX_DM_LINK_REPLY_WEIGHT} of X's weighted 280 (the DM link takes ${POST_URL_WEIGHT} and a space)` })
            .meta({ description: `the public reply's words; the DM link follows them (X's weighted count, at most ${MAX_DM_LINK_REPLY_WEIGHT})` }),
          dmText: z.string().trim().min(1).max(1000).meta({ description: "the DM the link fills in for the person to send (they send it: consent follows from their first message)" }),
        })
        .strict(),
    })
    .strict()
    .meta({ description: "post_reply flows only: a public reply to the person's post with a DM deep link (https://x.com/messages/compose?recipient_id=…&text=…); at most one per person per post" }),
  z
    .object({ id: NodeId, type: z.literal("wait"), config: z.object({ duration: z.number().int().min(1).max(MAX_FLOW_WAIT_SECONDS).meta({ description: "seconds, 1 to 30 days" }) }).strict() })
    .strict(),
  z.object({ id: NodeId, type: z.literal("condition"), config: ConditionConfig }).strict(),
  z.object({ id: NodeId, type: z.literal("add_tag"), config: z.object({ tag: z.string().trim().min(1).max(64) }).strict() }).strict(),
  z.object({ id: NodeId, type: z.literal("remove_tag"), config: z.object({ tag: z.string().trim().min(1).max(64) }).strict() }).strict(),
  z.object({ id: NodeId, type: z.literal("end"), config: EmptyConfig }).strict(),
]);
export type FlowNode = z.infer<typeof FlowNode>;

export const FlowConnection = z
  .object({
    fromNodeId: NodeId,
    toNodeId: NodeId,
    condition: z.enum(["true", "false"]).optional().meta({ description: "required on the connections leaving a condition node: the branch taken" }),
  })
  .strict();
export type FlowConnection = z.infer<typeof FlowConnection>;

const MAX_NODES = 100;
const FlowNodes = z.array(FlowNode).max(MAX_NODES);
const FlowConnections = z.array(FlowConnection).max(MAX_NODES * 2);

export interface GraphIssue {
  path: (string | number)[];
  message: string;
}

/**
 * Structural problems of a flow graph: duplicate ids, dangling or unlabelled connections, cycles,
 * entry count; with the trigger, steps it cannot run (a public reply needs a post_reply trigger).
 */
export function flowGraphIssues(nodes: readonly FlowNode[], connections: readonly FlowConnection[], trigger?: FlowTrigger): GraphIssue[] {
  const issues: GraphIssue[] = [];
  if (trigger && trigger.type !== "post_reply") {
    nodes.forEach((n, i) => {
      if (n.type === "reply_with_dm_link") issues.push({ path: ["nodes", i, "type"], message: "a reply with a DM link answers a post: only a post_reply flow has one" });
    });
  }
  const byId = new Map<string, FlowNode>();
  nodes.forEach((n, i) => {
    if (byId.has(n.id)) issues.push({ path: ["nodes", i, "id"], message: `duplicate node id ${n.id}` });
    else byId.set(n.id, n);
  });
  const seen = new Set<string>();
  connections.forEach((c, i) => {
    const from = byId.get(c.fromNodeId);
    if (!from) issues.push({ path: ["connections", i, "fromNodeId"], message: `unknown node ${c.fromNodeId}` });
    if (!byId.has(c.toNodeId)) issues.push({ path: ["connections", i, "toNodeId"], message: `unknown node ${c.toNodeId}` });
    if (c.fromNodeId === c.toNodeId) issues.push({ path: ["connections", i, "toNodeId"], message: "a node cannot connect to itself" });
    if (from?.type === "condition" && !c.condition) issues.push({ path: ["connections", i, "condition"], message: "connections leaving a condition node need condition \"true\" or \"false\"" });
    if (from && from.type !== "condition" && c.condition) issues.push({ path: ["connections", i, "condition"], message: "only connections leaving a condition node carry a condition" });
    if (from?.type === "end") issues.push({ path: ["connections", i, "fromNodeId"], message: "an end node has no outgoing connection" });
    const key = `${c.fromNodeId}|${from?.type === "condition" ? (c.condition ?? "") : ""}`;
    if (from && seen.has(key)) issues.push({ path: ["connections", i], message: from.type === "condition" ? `node ${c.fromNodeId} already has a "${c.condition ?? ""}" branch` : `node ${c.fromNodeId} already has an outgoing connection` });
    seen.add(key);
  });
  if (issues.length) return issues;
  if (nodes.length > 0) {
    const incoming = new Set(connections.map((c) => c.toNodeId));
    const entries = nodes.filter((n) => !incoming.has(n.id));
    if (entries.length !== 1) issues.push({ path: ["connections"], message: `a flow needs exactly one entry node (a node without incoming connection); found ${entries.length}` });
  }
  // cycle detection: depth-first search with colours
  const out = new Map<string, string[]>();
  for (const c of connections) out.set(c.fromNodeId, [...(out.get(c.fromNodeId) ?? []), c.toNodeId]);
  const state = new Map<string, "visiting" | "done">();
  const visit = (id: string): boolean => {
    const s = state.get(id);
    if (s === "visiting") return true;
    if (s === "done") return false;
    state.set(id, "visiting");
    for (const next of out.get(id) ?? []) if (visit(next)) return true;
    state.set(id, "done");
    return false;
  };
  if (nodes.some((n) => visit(n.id))) issues.push({ path: ["connections"], message: "connections form a cycle" });
  return issues;
}

/** The entry node: the one without an incoming connection. */
export function flowEntryNode(nodes: readonly FlowNode[], connections: readonly FlowConnection[]): FlowNode | undefined {
  const incoming = new Set(connections.map((c) => c.toNodeId));
  return nodes.find((n) => !incoming.has(n.id));
}

const graphRefine = (v: { trigger?: FlowTrigger | undefined; nodes?: FlowNode[] | undefined; connections?: FlowConnection[] | undefined }, ctx: z.RefinementCtx) => {
  if (!v.nodes || !v.connections) return;
  for (const issue of flowGraphIssues(v.nodes, v.connections, v.trigger)) ctx.addIssue({ code: "custom", path: issue.path, message: issue.message });
};

export const Flow = z.object({
  id: Uuid,
  merchantId: z.string(),
  name: z.string(),
  status: z.enum(FLOW_STATUSES),
  trigger: FlowTrigger,
  nodes: z.array(FlowNode),
  connections: z.array(FlowConnection),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  activatedAt: z.iso.datetime().nullable(),
});
export type Flow = z.infer<typeof Flow>;

export const CreateFlowInput = z
  .object({
    name: z.string().trim().min(1).max(200),
    trigger: FlowTrigger,
    nodes: FlowNodes.default([]),
    connections: FlowConnections.default([]),
  })
  .strict()
  .superRefine(graphRefine);
export type CreateFlowInput = z.infer<typeof CreateFlowInput>;

export const UpdateFlowInput = z
  .object({
    flowId: EntityId,
    name: z.string().trim().min(1).max(200).optional(),
    trigger: FlowTrigger.optional(),
    nodes: FlowNodes.optional(),
    connections: FlowConnections.optional(),
  })
  .strict()
  .superRefine(graphRefine);
export type UpdateFlowInput = z.infer<typeof UpdateFlowInput>;

export const ListFlowsInput = PageInput.extend({ status: z.enum(FLOW_STATUSES).optional() });
export type ListFlowsInput = z.infer<typeof ListFlowsInput>;

export const FlowIdInput = z.object({ flowId: EntityId });

export const FlowExecution = z.object({
  id: Uuid,
  flowId: Uuid,
  contactId: Uuid,
  status: z.enum(FLOW_EXECUTION_STATUSES),
  currentNodeId: z.string().nullable(),
  /** why a failed execution failed */
  error: z.string().nullable(),
  startedAt: z.iso.datetime(),
  completedAt: z.iso.datetime().nullable(),
});
export type FlowExecution = z.infer<typeof FlowExecution>;

export const MAX_MANUAL_RUN_CONTACTS = 1_000;
export const RunFlowInput = FlowIdInput.extend({
  contactIds: z
    .array(Uuid)
    .min(1, { message: "at least one contact" })
    .max(MAX_MANUAL_RUN_CONTACTS, { message: `at most ${MAX_MANUAL_RUN_CONTACTS} contacts per run` })
    .meta({ description: "the contacts to run the flow for, each once per call" }),
}).strict();
export type RunFlowInput = z.infer<typeof RunFlowInput>;
export const FlowRun = z.object({
  /** how many executions started (one per distinct contact) */
  started: z.number().int(),
  executions: z.array(FlowExecution),
});
export type FlowRun = z.infer<typeof FlowRun>;

export const ListFlowExecutionsInput = PageInput.extend({ flowId: EntityId, status: z.enum(FLOW_EXECUTION_STATUSES).optional() });
export type ListFlowExecutionsInput = z.infer<typeof ListFlowExecutionsInput>;
