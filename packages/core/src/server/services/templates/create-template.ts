import type { CreateTemplateInput, Template } from "../../../contract/templates.ts";
import type { ScopedDb } from "../../scoped-db.ts";
import { toTemplateDto } from "./template-dto.ts";
import { templateVariableNames } from "../../../domain/render-template.ts";
import type { TargetPolicy } from "../outgoing-webhooks/target-policy.ts";
import { checkAttachment } from "./check-attachment.ts";
import { assertShape, assertVariablesMatch, optionsOf } from "./template-rules.ts";

export async function createTemplate(db: ScopedDb, opts: { merchantId: string; template: CreateTemplateInput; mediaPolicy?: TargetPolicy | undefined }): Promise<Template> {
  const t = opts.template;
  assertShape(t);
  if (t.attachment) await checkAttachment(t.attachment, opts.mediaPolicy);
  // given, they must list exactly the placeholders; left out, they are the placeholders
  const variables = t.variables ?? templateVariableNames(t.content);
  assertVariablesMatch(t.content, variables);
  const row = await db.template.create({
    data: { merchantId: opts.merchantId, name: t.name, type: t.type, content: t.content, variables, options: optionsOf(t), ...(t.attachment ? { attachment: t.attachment } : {}) },
  });
  return toTemplateDto(row);
}
