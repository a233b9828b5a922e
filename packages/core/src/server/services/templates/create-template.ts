import type { CreateTemplateInput, Template } from "../../../contract/templates.ts";
import type { ScopedDb } from "../../scoped-db.ts";
import { toTemplateDto } from "./template-dto.ts";
import { assertShape, assertVariablesMatch, optionsOf } from "./template-rules.ts";

export async function createTemplate(db: ScopedDb, opts: { merchantId: string; template: CreateTemplateInput }): Promise<Template> {
  const t = opts.template;
  assertShape(t);
  assertVariablesMatch(t.content, t.variables);
  const row = await db.template.create({
    data: { merchantId: opts.merchantId, name: t.name, type: t.type, content: t.content, variables: t.variables, options: optionsOf(t) },
  });
  return toTemplateDto(row);
}
