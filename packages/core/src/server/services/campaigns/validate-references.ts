// The template, segments and account a campaign names must be the merchant's own.
import { AppError } from "../../../errors.ts";
import type { ScopedDb } from "../../scoped-db.ts";

export async function validateReferences(db: ScopedDb, refs: { templateId?: string | null; segmentIds?: string[]; accountId?: string | null }): Promise<void> {
  if (refs.templateId) {
    const template = await db.template.findFirst({ where: { id: refs.templateId }, select: { id: true } });
    if (!template) throw new AppError("VALIDATION_ERROR", "Template not found", { field: "templateId", reason: "Template not found" });
  }
  if (refs.segmentIds && refs.segmentIds.length > 0) {
    const unique = [...new Set(refs.segmentIds)];
    const found = await db.segment.findMany({ where: { id: { in: unique } }, select: { id: true } });
    const missing = unique.filter((id) => !found.some((s) => s.id === id));
    if (missing.length) throw new AppError("VALIDATION_ERROR", "Segment not found", { field: "segmentIds", reason: `Segments not found: ${missing.join(", ")}` });
  }
  if (refs.accountId) {
    const account = await db.xAccount.findFirst({ where: { id: refs.accountId }, select: { id: true } });
    if (!account) throw new AppError("VALIDATION_ERROR", "Account not found", { field: "accountId", reason: "Account not found" });
  }
}
