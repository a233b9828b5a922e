import { pagination, type Pagination } from "../../../contract/common.ts";
import type { Flow, FlowExecution, ListFlowExecutionsInput, ListFlowsInput } from "../../../contract/flows.ts";
import type { ScopedDb } from "../../scoped-db.ts";
import { loadFlow, toFlowDto, toFlowExecutionDto } from "./flow-dto.ts";

export async function listFlows(db: ScopedDb, opts: { input: ListFlowsInput }): Promise<{ data: Flow[]; pagination: Pagination }> {
  const { input } = opts;
  const where = input.status ? { status: input.status } : {};
  const [rows, total] = await Promise.all([
    db.flow.findMany({ where, orderBy: [{ createdAt: "desc" }, { id: "asc" }], skip: input.skip, take: input.take }),
    db.flow.count({ where }),
  ]);
  return { data: rows.map(toFlowDto), pagination: pagination(input, total) };
}

export async function listFlowExecutions(db: ScopedDb, opts: { input: ListFlowExecutionsInput }): Promise<{ data: FlowExecution[]; pagination: Pagination }> {
  const { input } = opts;
  const flow = await loadFlow(db, input.flowId);
  const where = { flowId: flow.id, ...(input.status ? { status: input.status } : {}) };
  const [rows, total] = await Promise.all([
    db.flowExecution.findMany({ where, orderBy: [{ startedAt: "desc" }, { id: "asc" }], skip: input.skip, take: input.take }),
    db.flowExecution.count({ where }),
  ]);
  return { data: rows.map(toFlowExecutionDto), pagination: pagination(input, total) };
}
