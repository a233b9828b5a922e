// What the contract cannot check alone: the templates a flow sends are the merchant's own, and a
// graph assembled from an update's parts is still sound.
import { AppError } from "../../../errors.ts";
import { flowGraphIssues, type FlowConnection, type FlowNode, type FlowTrigger } from "../../../contract/flows.ts";
import type { ScopedDb } from "../../scoped-db.ts";

export function assertFlowGraph(nodes: readonly FlowNode[], connections: readonly FlowConnection[], trigger?: FlowTrigger): void {
  const issues = flowGraphIssues(nodes, connections, trigger);
  if (issues.length) throw new AppError("VALIDATION_ERROR", "Request validation failed", issues.map((i) => ({ field: i.path.join("."), message: i.message })));
}

export async function assertFlowTemplates(db: ScopedDb, nodes: readonly FlowNode[]): Promise<void> {
  const wanted = nodes.flatMap((n, i) => (n.type === "send_message" ? [{ i, templateId: n.config.templateId }] : []));
  if (!wanted.length) return;
  const found = await db.template.findMany({ where: { id: { in: [...new Set(wanted.map((w) => w.templateId))] } }, select: { id: true } });
  const known = new Set(found.map((t) => t.id));
  const missing = wanted.filter((w) => !known.has(w.templateId));
  if (missing.length) {
    throw new AppError("VALIDATION_ERROR", "Template not found", missing.map((m) => ({ field: `nodes.${m.i}.config.templateId`, message: `Template ${m.templateId} not found` })));
  }
}
