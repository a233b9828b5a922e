// The flow engine. A domain event starts an execution of every active flow it triggers (one per
// event, however often the event is delivered); each step runs one node under the execution's
// row lock, then moves the execution on and enqueues the next step in the same transaction.
import type { Db, Tx } from "@mkt-x/db";
import { z } from "zod";
import { normalizeTag } from "../../../domain/contact-fields.ts";
import { openConversations } from "../conversations/conversation-rows.ts";
import { dmDeepLink, flowEntryNode, FlowTrigger, type ConditionConfig, type FlowConnection, type FlowNode } from "../../../contract/flows.ts";
import { emitFlowExecutionEvents } from "../../events/emit-events.ts";
import type { JobQueue } from "../../jobs/queue.ts";
import type { JobPayload } from "../../jobs/registry.ts";
import { enqueueOutboundMessage } from "../messages/enqueue-outbound-message.ts";
import { dmFields, loadComposer } from "../templates/compose-message.ts";
import { parseFlowGraph } from "./flow-dto.ts";

export interface FlowEngineDeps {
  db: Db;
  queue: JobQueue;
}

// case, Unicode composition and runs of spaces aside ("Buy   now" is "buy now")
const keywordForm = (s: string) => s.normalize("NFC").toLowerCase().replace(/\s+/g, " ").trim();

/** message_received: does the text contain any keyword? No keywords: every message. */
export function matchesKeywords(text: string, keywords: readonly string[] | undefined): boolean {
  if (!keywords || keywords.length === 0) return true;
  const said = keywordForm(text);
  return keywords.some((k) => {
    const keyword = keywordForm(k);
    return keyword !== "" && said.includes(keyword);
  });
}

const ChosenOption = z.object({ quickReplyResponse: z.object({ label: z.string() }) });

/**
 * Starts the executions a domain event triggers. The trigger key makes a redelivered event start
 * nothing new: a follower is welcomed once per flow, a message is answered once per message.
 */
export async function startFlowsForEvent(deps: FlowEngineDeps, event: JobPayload<"domain.event">): Promise<{ started: string[] }> {
  const flows = await deps.db.flow.findMany({ where: { merchantId: event.merchantId, status: "active" }, orderBy: { createdAt: "asc" } });
  if (flows.length === 0) return { started: [] };
  let triggerKey = `${event.type}:${event.contactId}`;
  let text = "";
  let chosenLabel: string | null = null;
  let reply: PostReply | null = null;
  if (event.type === "post_reply") {
    reply = await postReplyOf(deps.db, event);
    if (!reply) return { started: [] };
    text = reply.text;
  }
  if (event.type === "message_received") {
    // the DM that raised the event; an event without it (queued by an older version) reads the latest
    const latest = await deps.db.message.findFirst({
      where: { merchantId: event.merchantId, contactId: event.contactId, direction: "inbound", ...(event.messageId ? { id: event.messageId } : {}), ...(event.conversationId ? { conversationId: event.conversationId } : {}) },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      select: { id: true, content: true, metadata: true },
    });
    if (!latest) return { started: [] };
    text = latest.content;
    // an answer to a quick reply ("2") also matches by the label of the option it chose
    const choice = ChosenOption.safeParse(latest.metadata);
    if (choice.success) chosenLabel = choice.data.quickReplyResponse.label;
    triggerKey = `${event.type}:${event.contactId}:${event.conversationId ?? ""}:${latest.id}`;
  }
  const candidates = flows.flatMap((f) => {
    const { trigger, nodes, connections } = parseFlowGraph(f);
    if (trigger.type !== event.type) return [];
    if (trigger.type === "message_received" && !matchesKeywords(text, trigger.config.keywords) && !(chosenLabel !== null && matchesKeywords(chosenLabel, trigger.config.keywords))) return [];
    if (trigger.type === "post_reply" && !(reply && repliesTo(reply, trigger.config))) return [];
    const entry = flowEntryNode(nodes, connections);
    // comment to DM: one execution per person per post, however many times they comment
    const key = trigger.type === "post_reply" ? `post_reply:${event.contactId}:${trigger.config.postId}` : triggerKey;
    return entry ? [{ flowId: f.id, entryId: entry.id, triggerKey: key }] : [];
  });
  if (candidates.length === 0) return { started: [] };
  return deps.db.$transaction(async (tx) => {
    const started: string[] = [];
    for (const c of candidates) {
      // the flow must still be active when the execution is written
      const rows = await tx.$queryRaw<{ id: string }[]>`
        INSERT INTO flow_executions (merchant_id, flow_id, contact_id, status, current_node_id, trigger_key)
        SELECT f.merchant_id, f.id, ${event.contactId}::uuid, 'running', ${c.entryId}, ${c.triggerKey}
        FROM flows f WHERE f.id = ${c.flowId}::uuid AND f.status = 'active'
        ON CONFLICT (flow_id, trigger_key) DO NOTHING
        RETURNING id`;
      const row = rows[0];
      if (!row) continue;
      await deps.queue.send("flow.step", { executionId: row.id, nodeId: c.entryId }, { tx });
      started.push(row.id);
    }
    await emitFlowExecutionEvents(tx, started);
    return { started };
  });
}

/** A reply on X to a post, as its mention conversation holds it. */
interface PostReply {
  text: string;
  at: Date;
  threadId: string | null;
  inReplyToPostId: string | null;
}

async function postReplyOf(db: Db, event: JobPayload<"domain.event">): Promise<PostReply | null> {
  if (!event.messageId) return null;
  const m = await db.message.findFirst({
    where: { id: event.messageId, merchantId: event.merchantId, contactId: event.contactId, direction: "inbound", conversation: { channel: "mention" } },
    select: { content: true, createdAt: true, conversation: { select: { threadId: true } } },
  });
  return m ? { text: m.content, at: m.createdAt, threadId: m.conversation.threadId, inReplyToPostId: event.inReplyToPostId ?? null } : null;
}

/** post_reply: a reply to the chosen post (directly, or in its thread), within the window, with a keyword. */
function repliesTo(reply: PostReply, config: Extract<FlowTrigger, { type: "post_reply" }>["config"]): boolean {
  if (reply.inReplyToPostId !== config.postId && reply.threadId !== config.postId) return false;
  if (config.startsAt !== undefined && reply.at.getTime() < Date.parse(config.startsAt)) return false;
  if (config.endsAt !== undefined && reply.at.getTime() > Date.parse(config.endsAt)) return false;
  return matchesKeywords(reply.text, config.keywords);
}

interface LockedExecution {
  id: string;
  merchant_id: string;
  flow_id: string;
  contact_id: string;
  status: string;
  current_node_id: string | null;
  flow_status: string;
  trigger: unknown;
  nodes: unknown;
  connections: unknown;
}

type StepOutcome = { next: string | null; startAfter?: Date } | { failed: string };

export type FlowStepResult = "skipped" | "cancelled" | "advanced" | "completed" | "failed";

/** One node of one execution. Retries and duplicate jobs find the execution elsewhere and do nothing. */
export async function runFlowStep(deps: FlowEngineDeps, step: JobPayload<"flow.step">, now: Date = new Date()): Promise<FlowStepResult> {
  return deps.db.$transaction(
    async (tx) => {
      const [exec] = await tx.$queryRaw<LockedExecution[]>`
        SELECT e.id, e.merchant_id, e.flow_id, e.contact_id, e.status, e.current_node_id,
               f.status AS flow_status, f.trigger, f.nodes, f.connections
        FROM flow_executions e JOIN flows f ON f.id = e.flow_id
        WHERE e.id = ${step.executionId}::uuid
        FOR UPDATE OF e`;
      if (!exec || exec.status !== "running" || exec.current_node_id !== step.nodeId) return "skipped";
      if (exec.flow_status !== "active") {
        await tx.flowExecution.update({ where: { id: exec.id }, data: { status: "cancelled", completedAt: now, error: "flow deactivated" } });
        await emitFlowExecutionEvents(tx, [exec.id]);
        return "cancelled";
      }
      const { nodes, connections } = parseFlowGraph({ trigger: exec.trigger ?? {}, nodes: exec.nodes ?? [], connections: exec.connections ?? [] });
      const node = nodes.find((n) => n.id === step.nodeId);
      const outcome: StepOutcome = node ? await runNode(tx, deps.queue, exec, node, connections, now) : { failed: `node ${step.nodeId} no longer exists` };
      if ("failed" in outcome) {
        await tx.flowExecution.update({ where: { id: exec.id }, data: { status: "failed", error: outcome.failed, completedAt: now } });
        await emitFlowExecutionEvents(tx, [exec.id]);
        return "failed";
      }
      if (outcome.next === null) {
        await tx.flowExecution.update({ where: { id: exec.id }, data: { status: "completed", currentNodeId: null, completedAt: now } });
        await emitFlowExecutionEvents(tx, [exec.id]);
        return "completed";
      }
      await tx.flowExecution.update({ where: { id: exec.id }, data: { currentNodeId: outcome.next } });
      await deps.queue.send("flow.step", { executionId: exec.id, nodeId: outcome.next }, { tx, ...(outcome.startAfter ? { startAfter: outcome.startAfter } : {}) });
      return "advanced";
    },
    { timeout: 20_000 },
  );
}

const nextOf = (connections: readonly FlowConnection[], nodeId: string, branch?: "true" | "false"): string | null =>
  connections.find((c) => c.fromNodeId === nodeId && (branch === undefined || c.condition === branch))?.toNodeId ?? null;

async function runNode(tx: Tx, queue: JobQueue, exec: LockedExecution, node: FlowNode, connections: readonly FlowConnection[], now: Date): Promise<StepOutcome> {
  switch (node.type) {
    case "end":
      return { next: null };
    case "wait":
      return { next: nextOf(connections, node.id), startAfter: new Date(now.getTime() + node.config.duration * 1000) };
    case "add_tag": {
      // tags are stored normalized, as the contacts API stores them (segments and filters rely on it)
      const tag = normalizeTag(node.config.tag);
      await tx.$executeRaw`
        UPDATE contacts SET tags = CASE WHEN ${tag} = ANY(tags) THEN tags ELSE array_append(tags, ${tag}) END, updated_at = now()
        WHERE id = ${exec.contact_id}::uuid AND merchant_id = ${exec.merchant_id}`;
      return { next: nextOf(connections, node.id) };
    }
    case "remove_tag":
      await tx.$executeRaw`
        UPDATE contacts SET tags = array_remove(tags, ${normalizeTag(node.config.tag)}), updated_at = now()
        WHERE id = ${exec.contact_id}::uuid AND merchant_id = ${exec.merchant_id}`;
      return { next: nextOf(connections, node.id) };
    case "condition": {
      const contact = await tx.contact.findFirst({ where: { id: exec.contact_id, merchantId: exec.merchant_id }, select: { tags: true, attributes: true, optedOut: true } });
      if (!contact) return { failed: "the contact no longer exists" };
      const holds = evaluateCondition(contact, node.config);
      return { next: nextOf(connections, node.id, holds ? "true" : "false") };
    }
    case "send_message": {
      const sent = await sendFlowMessage(tx, queue, exec, node, now);
      return sent ?? { next: nextOf(connections, node.id) };
    }
    case "reply_with_dm_link": {
      const replied = await replyWithDmLink(tx, queue, exec, node);
      return replied ?? { next: nextOf(connections, node.id) };
    }
  }
}

export function evaluateCondition(contact: { tags: string[]; attributes: unknown; optedOut: boolean }, cond: ConditionConfig): boolean {
  if (cond.field === "tags") return typeof cond.value === "string" && contact.tags.some((t) => t.toLowerCase() === String(cond.value).toLowerCase());
  if (cond.field === "optedOut") return contact.optedOut === cond.value;
  const key = cond.field.slice("attributes.".length);
  const attrs = contact.attributes;
  if (typeof attrs !== "object" || attrs === null || Array.isArray(attrs) || !Object.prototype.hasOwnProperty.call(attrs, key)) return false;
  const value: unknown = (attrs as Record<string, unknown>)[key];
  return value === cond.value;
}

/**
 * Comment to DM, the compliant way: a public reply to the person's post in their mention
 * conversation, ending with a link that opens a DM to the account with dmText filled in. The person
 * sends that DM themselves, so consent follows from their first message; nothing is DMed to them
 * before. One reply per person per post (the idempotency key), whichever flow or execution asks.
 */
async function replyWithDmLink(tx: Tx, queue: JobQueue, exec: LockedExecution, node: Extract<FlowNode, { type: "reply_with_dm_link" }>): Promise<{ failed: string } | null> {
  const trigger = FlowTrigger.safeParse(exec.trigger);
  if (!trigger.success || trigger.data.type !== "post_reply") return { failed: "a reply with a DM link needs a post_reply trigger" };
  const postId = trigger.data.config.postId;
  const contact = await tx.contact.findFirst({ where: { id: exec.contact_id, merchantId: exec.merchant_id }, select: { id: true, accountId: true, account: { select: { twitterUserId: true } } } });
  if (!contact) return { failed: "the contact no longer exists" };
  // the thread of their latest post in reply to the account's post (the reply answers that post of theirs)
  const conversation =
    (await tx.conversation.findFirst({ where: { merchantId: exec.merchant_id, accountId: contact.accountId, channel: "mention", threadId: postId, messages: { some: { contactId: contact.id, direction: "inbound" } } }, select: { id: true } })) ??
    (await tx.conversation.findFirst({ where: { merchantId: exec.merchant_id, accountId: contact.accountId, channel: "mention", messages: { some: { contactId: contact.id, direction: "inbound" } } }, orderBy: { lastMessageAt: { sort: "desc", nulls: "last" } }, select: { id: true } }));
  if (!conversation) return { failed: "the person has no post to reply to" };
  await enqueueOutboundMessage(tx, queue, {
    merchantId: exec.merchant_id,
    accountId: contact.accountId,
    conversationId: conversation.id,
    contactId: contact.id,
    content: `${node.config.text} ${dmDeepLink(contact.account.twitterUserId, node.config.dmText)}`,
    origin: "flow",
    automated: true,
    idempotencyKey: `dmlink:${contact.accountId}:${postId}:${contact.id}`,
  });
  return null;
}

async function sendFlowMessage(tx: Tx, queue: JobQueue, exec: LockedExecution, node: Extract<FlowNode, { type: "send_message" }>, now: Date): Promise<{ failed: string } | null> {
  const template = await tx.template.findFirst({ where: { id: node.config.templateId, merchantId: exec.merchant_id } });
  if (!template) return { failed: `template ${node.config.templateId} not found` };
  const contact = await tx.contact.findFirst({ where: { id: exec.contact_id, merchantId: exec.merchant_id } });
  if (!contact) return { failed: "the contact no longer exists" };
  const dm = (await loadComposer(tx, { merchantId: exec.merchant_id, template })).compose(contact, node.config.variables ?? {});
  if (!dm.ok) return { failed: dm.error };
  // the contact's open conversation, started where there is none
  const conversationId = (await openConversations(tx, { merchantId: exec.merchant_id, contactIds: [contact.id], at: now })).get(contact.id);
  if (!conversationId) return { failed: "no open conversation" };
  await enqueueOutboundMessage(tx, queue, {
    merchantId: exec.merchant_id,
    accountId: contact.accountId,
    conversationId,
    contactId: contact.id,
    ...dmFields(dm),
    origin: "flow",
    automated: true,
    idempotencyKey: `flow:${exec.id}:${node.id}`,
    ...(node.config.delay > 0 ? { notBefore: new Date(now.getTime() + node.config.delay * 1000) } : {}),
  });
  return null;
}
