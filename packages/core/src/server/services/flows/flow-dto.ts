import type { FlowExecutionModel, FlowModel } from "@mkt-x/db";
import { z } from "zod";
import { notFound } from "../../../errors.ts";
import { isUuid } from "../../../contract/common.ts";
import { FlowConnection, FlowNode, FlowTrigger, isFlowExecutionStatus, isFlowStatus, type Flow, type FlowExecution } from "../../../contract/flows.ts";
import type { ScopedDb } from "../../scoped-db.ts";

const Nodes = z.array(FlowNode);
const Connections = z.array(FlowConnection);

/** The stored graph, read back through the contract (it was validated on the way in). */
export function parseFlowGraph(f: Pick<FlowModel, "trigger" | "nodes" | "connections">): { trigger: FlowTrigger; nodes: FlowNode[]; connections: FlowConnection[] } {
  const trigger = FlowTrigger.safeParse(f.trigger);
  const nodes = Nodes.safeParse(f.nodes);
  const connections = Connections.safeParse(f.connections);
  return {
    trigger: trigger.success ? trigger.data : { type: "manual", config: {} },
    nodes: nodes.success ? nodes.data : [],
    connections: connections.success ? connections.data : [],
  };
}

export function toFlowDto(f: FlowModel): Flow {
  return {
    id: f.id,
    merchantId: f.merchantId,
    name: f.name,
    status: isFlowStatus(f.status) ? f.status : "draft",
    ...parseFlowGraph(f),
    createdAt: f.createdAt.toISOString(),
    updatedAt: f.updatedAt.toISOString(),
    activatedAt: f.activatedAt?.toISOString() ?? null,
  };
}

export function toFlowExecutionDto(e: FlowExecutionModel): FlowExecution {
  return {
    id: e.id,
    flowId: e.flowId,
    contactId: e.contactId,
    status: isFlowExecutionStatus(e.status) ? e.status : "running",
    currentNodeId: e.currentNodeId,
    error: e.error,
    startedAt: e.startedAt.toISOString(),
    completedAt: e.completedAt?.toISOString() ?? null,
  };
}

export async function loadFlow(db: ScopedDb, flowId: string): Promise<FlowModel> {
  if (!isUuid(flowId)) throw notFound("Flow", flowId);
  const flow = await db.flow.findFirst({ where: { id: flowId } });
  if (!flow) throw notFound("Flow", flowId);
  return flow;
}
