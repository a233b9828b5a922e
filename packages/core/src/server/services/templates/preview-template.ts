import { AppError, notFound } from "../../../errors.ts";
import { isUuid } from "../../../contract/common.ts";
import type { PreviewVariables, TemplatePreview } from "../../../contract/templates.ts";
import type { ScopedDb } from "../../scoped-db.ts";
import { loadComposer } from "./compose-message.ts";

/**
 * The template rendered with the given variables and, for a contact, its attributes and the
 * built-ins. A placeholder with no value and no default is a 422 naming it.
 */
export async function previewTemplate(
  db: ScopedDb,
  opts: { merchantId: string; templateId: string; variables?: PreviewVariables | undefined; contactId?: string | undefined },
): Promise<TemplatePreview> {
  if (!isUuid(opts.templateId)) throw notFound("Template", opts.templateId);
  const { contactId } = opts;
  const [template, contact] = await Promise.all([
    db.template.findFirst({ where: { id: opts.templateId } }),
    contactId === undefined ? null : db.contact.findFirst({ where: { id: contactId }, select: { accountId: true, displayName: true, username: true, attributes: true } }),
  ]);
  if (!template) throw notFound("Template", opts.templateId);
  if (contactId !== undefined && !contact) throw new AppError("RESOURCE_NOT_FOUND", "Contact not found", { field: "contactId", reason: `Contact ${contactId} not found` });
  const composer = await loadComposer(db, { merchantId: opts.merchantId, template });
  const dm = composer.compose(contact, opts.variables);
  if (!dm.ok && dm.missing.length) {
    throw new AppError("UNPROCESSABLE_ENTITY", `No value for ${dm.missing.map((n) => `{{${n}}}`).join(", ")}: give it in variables or as a default`, { missing: dm.missing });
  }
  if (!dm.ok) throw new AppError("UNPROCESSABLE_ENTITY", dm.error, { field: "content", reason: dm.error });
  return dm.metadata ? { rendered: dm.rendered, message: dm.text } : { rendered: dm.rendered };
}
