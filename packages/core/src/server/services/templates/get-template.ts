import { notFound } from "../../../errors.ts";
import { isUuid } from "../../../contract/common.ts";
import type { Template } from "../../../contract/templates.ts";
import type { ScopedDb } from "../../scoped-db.ts";
import { toTemplateDto } from "./template-dto.ts";

export async function getTemplate(db: ScopedDb, opts: { templateId: string }): Promise<Template> {
  if (!isUuid(opts.templateId)) throw notFound("Template", opts.templateId);
  const row = await db.template.findFirst({ where: { id: opts.templateId } });
  if (!row) throw notFound("Template", opts.templateId);
  return toTemplateDto(row);
}
