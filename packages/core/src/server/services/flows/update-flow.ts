import { AppError } from "../../../errors.ts";
import type { Flow, UpdateFlowInput } from "../../../contract/flows.ts";
import type { ScopedDb } from "../../scoped-db.ts";
import { loadFlow, parseFlowGraph, toFlowDto } from "./flow-dto.ts";
import { assertFlowGraph, assertFlowTemplates } from "./validate-flow.ts";

/** Drafts and inactive flows change; an active one is deactivated first. */
export async function updateFlow(db: ScopedDb, opts: { input: UpdateFlowInput }): Promise<Flow> {
  const { input } = opts;
  const flow = await loadFlow(db, input.flowId);
  if (flow.status === "active") throw new AppError("VALIDATION_ERROR", "Cannot update active flows (deactivate first)", { field: "status", reason: "active" });
  const current = parseFlowGraph(flow);
  const nodes = input.nodes ?? current.nodes;
  const connections = input.connections ?? current.connections;
  assertFlowGraph(nodes, connections, input.trigger ?? current.trigger);
  if (input.nodes) await assertFlowTemplates(db, nodes);
  // the status is part of the condition: a concurrent activation wins, this update then finds nothing
  const { count } = await db.flow.updateMany({
    where: { id: flow.id, status: { not: "active" } },
    data: {
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.trigger !== undefined ? { trigger: input.trigger } : {}),
      ...(input.nodes !== undefined ? { nodes: input.nodes } : {}),
      ...(input.connections !== undefined ? { connections: input.connections } : {}),
      version: { increment: 1 },
    },
  });
  if (count === 0) throw new AppError("VALIDATION_ERROR", "Cannot update active flows (deactivate first)", { field: "status", reason: "active" });
  return toFlowDto(await loadFlow(db, flow.id));
}
