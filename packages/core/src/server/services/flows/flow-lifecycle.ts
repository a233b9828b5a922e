import { AppError } from "../../../errors.ts";
import { FLOW_EXECUTION_STEPS, FLOW_STEPS, mayTake } from "../../../domain/state-transitions.ts";
import type { Flow } from "../../../contract/flows.ts";
import { emitFlowExecutionEvents } from "../../events/emit-events.ts";
import type { ScopedDb } from "../../scoped-db.ts";
import { loadFlow, parseFlowGraph, toFlowDto } from "./flow-dto.ts";
import { assertFlowGraph, assertFlowTemplates } from "./validate-flow.ts";

/** draft | inactive → active. Needs at least one node, a sound graph and the merchant's templates. */
export async function activateFlow(db: ScopedDb, opts: { flowId: string; now?: Date }): Promise<Flow> {
  const flow = await loadFlow(db, opts.flowId);
  if (!mayTake(FLOW_STEPS.activate, flow.status)) return toFlowDto(flow);
  const { nodes, connections } = parseFlowGraph(flow);
  if (nodes.length === 0) throw new AppError("VALIDATION_ERROR", "A flow needs at least one node to be activated", [{ field: "nodes", message: "at least one node is required" }]);
  assertFlowGraph(nodes, connections);
  await assertFlowTemplates(db, nodes);
  await db.flow.updateMany({ where: { id: flow.id, status: { in: [...FLOW_STEPS.activate.from] } }, data: { status: "active", activatedAt: opts.now ?? new Date(), pauseReason: null } });
  return toFlowDto(await loadFlow(db, flow.id));
}

/** active → inactive; its running executions are cancelled (a pending step then finds nothing to do). */
export async function deactivateFlow(db: ScopedDb, opts: { flowId: string; now?: Date }): Promise<Flow> {
  const flow = await loadFlow(db, opts.flowId);
  if (!mayTake(FLOW_STEPS.deactivate, flow.status)) return toFlowDto(flow);
  const now = opts.now ?? new Date();
  await db.$transaction(async (tx) => {
    await tx.flow.updateMany({ where: { id: flow.id, status: { in: [...FLOW_STEPS.deactivate.from] } }, data: { status: "inactive", pauseReason: null } });
    const cancelled = await tx.flowExecution.updateManyAndReturn({ where: { flowId: flow.id, status: { in: [...FLOW_EXECUTION_STEPS.cancel.from] } }, data: { status: "cancelled", completedAt: now, error: "flow deactivated" }, select: { id: true } });
    await emitFlowExecutionEvents(tx, cancelled.map((e) => e.id));
  });
  return toFlowDto(await loadFlow(db, flow.id));
}

/** Deletes the flow and (by cascade) its executions. */
export async function deleteFlow(db: ScopedDb, opts: { flowId: string }): Promise<null> {
  const flow = await loadFlow(db, opts.flowId);
  await db.flow.deleteMany({ where: { id: flow.id } });
  return null;
}
