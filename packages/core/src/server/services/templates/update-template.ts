import { notFound } from "../../../errors.ts";
import { isUuid } from "../../../contract/common.ts";
import type { Template, TemplateChanges } from "../../../contract/templates.ts";
import type { ScopedDb } from "../../scoped-db.ts";
import { toTemplateDto } from "./template-dto.ts";
import { templateVariableNames } from "../../../domain/render-template.ts";
import { Prisma } from "@mkt-x/db";
import type { TargetPolicy } from "../outgoing-webhooks/target-policy.ts";
import { checkAttachment } from "./check-attachment.ts";
import { assertShape, assertVariablesMatch, optionsOf } from "./template-rules.ts";

/**
 * Applies the given fields and validates the template that results: new content brings its own
 * variables unless they are given too (then they must match); new variables must match the content;
 * a change of type drops the old type's options. The row is locked meanwhile, so two updates cannot combine into a
 * template neither of them validated.
 */
export async function updateTemplate(db: ScopedDb, opts: { merchantId: string; templateId: string; changes: TemplateChanges; mediaPolicy?: TargetPolicy | undefined }): Promise<Template> {
  if (!isUuid(opts.templateId)) throw notFound("Template", opts.templateId);
  const { changes } = opts;
  // fetched before the row is locked: a slow URL holds no lock
  if (changes.attachment) await checkAttachment(changes.attachment, opts.mediaPolicy);
  const row = await db.$transaction(async (tx) => {
    const locked = await tx.$queryRaw<Array<{ id: string }>>`
      SELECT id FROM templates WHERE id = ${opts.templateId}::uuid AND merchant_id = ${opts.merchantId} FOR UPDATE`;
    const stored = locked.length > 0 ? await tx.template.findFirst({ where: { id: opts.templateId } }) : null;
    if (!stored) throw notFound("Template", opts.templateId);
    const current = toTemplateDto(stored);
    const type = changes.type ?? current.type;
    const sameType = type === current.type;
    const next = {
      name: changes.name ?? current.name,
      type,
      content: changes.content ?? current.content,
      // new content without new variables: its own placeholders (the seed's example changes content alone)
      variables: changes.variables ?? (changes.content !== undefined ? templateVariableNames(changes.content) : current.variables),
      quickReplies: changes.quickReplies !== undefined ? changes.quickReplies : sameType ? current.quickReplies : undefined,
      buttons: changes.buttons !== undefined ? changes.buttons : sameType ? current.buttons : undefined,
    };
    assertShape(next);
    assertVariablesMatch(next.content, next.variables);
    return tx.template.update({
      where: { id: stored.id },
      data: {
        name: next.name,
        type: next.type,
        content: next.content,
        variables: next.variables,
        options: optionsOf(next),
        ...(changes.attachment !== undefined ? { attachment: changes.attachment ?? Prisma.DbNull } : {}),
      },
    });
  });
  return toTemplateDto(row);
}
