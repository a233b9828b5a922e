// Runs an active flow now for listed contacts: how `manual` flows start (and how an operator
// enrolls contacts in any active flow). Each call starts one execution per distinct contact; the
// executions and their first steps are written in one transaction, so a run is all or nothing. With
// an idempotency key, a retried call starts nothing new and answers the executions it started.
import { emitFlowExecutionEvents } from "../../events/emit-events.ts";
import { randomUUID } from "node:crypto";
import { AppError } from "../../../errors.ts";
import { flowEntryNode, type FlowRun, type RunFlowInput } from "../../../contract/flows.ts";
import type { JobQueue } from "../../jobs/queue.ts";
import type { ScopedDb } from "../../scoped-db.ts";
import { loadFlow, parseFlowGraph, toFlowExecutionDto } from "./flow-dto.ts";

export async function runFlowManually(
  deps: { db: ScopedDb; queue: JobQueue; merchantId: string },
  input: RunFlowInput,
  opts: { idempotencyKey?: string | undefined } = {},
): Promise<FlowRun> {
  const flow = await loadFlow(deps.db, input.flowId);
  if (flow.status !== "active") throw new AppError("VALIDATION_ERROR", "Only an active flow can be run", { field: "flowId", reason: `the flow is ${flow.status}; activate it first` });
  const { nodes, connections } = parseFlowGraph(flow);
  const entry = flowEntryNode(nodes, connections);
  if (!entry) throw new AppError("VALIDATION_ERROR", "The flow has no entry node", { field: "nodes", reason: "no node without incoming connections" });
  const contactIds = [...new Set(input.contactIds)];
  const found = await deps.db.contact.findMany({ where: { id: { in: contactIds } }, select: { id: true } });
  const missing = contactIds.filter((id) => !found.some((c) => c.id === id));
  if (missing.length > 0) throw new AppError("VALIDATION_ERROR", "Contact not found", { field: "contactIds", reason: `Contacts not found: ${missing.join(", ")}` });

  const run = opts.idempotencyKey ?? randomUUID();
  const triggerKeys = contactIds.map((id) => `manual:${run}:${id}`);
  return deps.db.$transaction(async (tx) => {
    // the flow must still be active when the executions are written; a key's earlier run is kept
    const rows = await tx.$queryRaw<{ id: string }[]>`
      INSERT INTO flow_executions (merchant_id, flow_id, contact_id, status, current_node_id, trigger_key)
      SELECT f.merchant_id, f.id, c.id, 'running', ${entry.id}, c.trigger_key
      FROM flows f CROSS JOIN unnest(${contactIds}::uuid[], ${triggerKeys}::text[]) AS c(id, trigger_key)
      WHERE f.id = ${flow.id}::uuid AND f.merchant_id = ${deps.merchantId} AND f.status = 'active'
      ON CONFLICT (flow_id, trigger_key) DO NOTHING
      RETURNING id`;
    await deps.queue.sendMany("flow.step", rows.map((r) => ({ executionId: r.id, nodeId: entry.id })), { tx });
    await emitFlowExecutionEvents(tx, rows.map((r) => r.id));
    const executions = await tx.flowExecution.findMany({ where: { flowId: flow.id, merchantId: deps.merchantId, triggerKey: { in: triggerKeys } }, orderBy: { contactId: "asc" } });
    if (executions.length === 0) throw new AppError("VALIDATION_ERROR", "Only an active flow can be run", { field: "flowId", reason: "the flow was deactivated meanwhile" });
    return { started: rows.length, executions: executions.map(toFlowExecutionDto) };
  });
}
