import type { CreateTemplateInput, Template } from "../../../contract/templates.ts";
import type { ScopedDb } from "../../scoped-db.ts";
import { toTemplateDto } from "./template-dto.ts";
import { templateVariableNames } from "../../../domain/render-template.ts";
import { assertShape, assertVariablesMatch, optionsOf } from "./template-rules.ts";

export async function createTemplate(db: ScopedDb, opts: { merchantId: string; template: CreateTemplateInput }): Promise<Template> {
  const t = opts.template;
  assertShape(t);
  // given, they must list exactly the placeholders; left out, they are the placeholders
  const variables = t.variables ?? templateVariableNames(t.content);
  assertVariablesMatch(t.content, variables);
  const row = await db.template.create({
    data: { merchantId: opts.merchantId, name: t.name, type: t.type, content: t.content, variables, options: optionsOf(t) },
  });
  return toTemplateDto(row);
}
