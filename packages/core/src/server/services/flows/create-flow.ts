import type { CreateFlowInput, Flow } from "../../../contract/flows.ts";
import type { ScopedDb } from "../../scoped-db.ts";
import { toFlowDto } from "./flow-dto.ts";
import { assertFlowGraph, assertFlowTemplates } from "./validate-flow.ts";

/** A new flow is a draft; activation starts it. */
export async function createFlow(db: ScopedDb, opts: { merchantId: string; input: CreateFlowInput }): Promise<Flow> {
  const { input, merchantId } = opts;
  assertFlowGraph(input.nodes, input.connections, input.trigger);
  await assertFlowTemplates(db, input.nodes);
  const flow = await db.flow.create({ data: { merchantId, name: input.name, status: "draft", trigger: input.trigger, nodes: input.nodes, connections: input.connections } });
  return toFlowDto(flow);
}
