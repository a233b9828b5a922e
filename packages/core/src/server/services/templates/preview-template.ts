import { AppError, notFound } from "../../../errors.ts";
import { isUuid } from "../../../contract/common.ts";
import type { PreviewVariables, TemplatePreview } from "../../../contract/templates.ts";
import { renderTemplate } from "../../../domain/render-template.ts";
import type { ScopedDb } from "../../scoped-db.ts";
import { buildVariableLookup } from "./resolve-variables.ts";
import { toTemplateDto } from "./template-dto.ts";
import { composeDm } from "../../../domain/compose-dm.ts";

/**
 * The template rendered with the given variables and, for a contact, its attributes and the
 * built-ins. A placeholder with no value and no default is a 422 naming it.
 */
export async function previewTemplate(
  db: ScopedDb,
  opts: { templateId: string; variables?: PreviewVariables | undefined; contactId?: string | undefined },
): Promise<TemplatePreview> {
  if (!isUuid(opts.templateId)) throw notFound("Template", opts.templateId);
  const { contactId } = opts;
  const [template, contact, settings] = await Promise.all([
    db.template.findFirst({ where: { id: opts.templateId }, }),
    contactId === undefined ? null : db.contact.findFirst({ where: { id: contactId }, select: { displayName: true, username: true, attributes: true, account: { select: { displayName: true } } } }),
    db.merchantSettings.findFirst({ select: { shopName: true } }),
  ]);
  if (!template) throw notFound("Template", opts.templateId);
  if (contactId !== undefined && !contact) throw new AppError("RESOURCE_NOT_FOUND", "Contact not found", { field: "contactId", reason: `Contact ${contactId} not found` });
  // the account the DM would go out from: the contact's, else the merchant's first connected one
  const accountName = contact ? contact.account.displayName : (await db.xAccount.findFirst({ where: { status: "active" }, orderBy: { connectedAt: "asc" }, select: { displayName: true } }))?.displayName;
  const result = renderTemplate(template.content, buildVariableLookup({ explicit: opts.variables, contact, shopName: settings?.shopName, accountName }));
  if (!result.ok) {
    throw new AppError("UNPROCESSABLE_ENTITY", `No value for ${result.missing.map((n) => `{{${n}}}`).join(", ")}: give it in variables or as a default`, { missing: result.missing });
  }
  const { type, quickReplies, buttons } = toTemplateDto(template);
  const dm = composeDm({ type, quickReplies, buttons, text: result.text });
  if (!dm.ok) throw new AppError("UNPROCESSABLE_ENTITY", dm.error, { field: "content", reason: dm.error });
  return dm.metadata ? { rendered: result.text, message: dm.text } : { rendered: result.text };
}
