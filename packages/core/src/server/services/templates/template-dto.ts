import type { TemplateModel } from "@mkt-x/db";
import type { Template } from "../../../contract/templates.ts";
import { templateShape } from "./compose-message.ts";

/** The allowlist of what leaves the server about a template: its row, options read as it sends them. */
export function toTemplateDto(t: TemplateModel): Template {
  const { type, content, quickReplies, buttons, attachment } = templateShape(t);
  return {
    id: t.id,
    merchantId: t.merchantId,
    name: t.name,
    type,
    content,
    variables: t.variables,
    quickReplies,
    buttons,
    attachment,
    createdAt: t.createdAt.toISOString(),
    updatedAt: t.updatedAt.toISOString(),
  };
}
