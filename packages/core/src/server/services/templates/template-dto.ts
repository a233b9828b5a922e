import type { TemplateModel } from "@mkt-x/db";
import { z } from "zod";
import { CardButton, QuickReply, TemplateType, type Template } from "../../../contract/templates.ts";
import { OutgoingAttachment } from "../../../contract/media.ts";

const StoredQuickReplies = z.array(QuickReply);
const StoredButtons = z.array(CardButton);

/**
 * The allowlist of what leaves the server about a template. `options` (jsonb) holds the quick
 * replies of a quick_reply template or the buttons of a card, and is shown under that name.
 */
export function toTemplateDto(t: TemplateModel): Template {
  // rows are written through the API; a type it does not know (raw SQL) reads as plain text
  const type = TemplateType.catch("text").parse(t.type);
  return {
    id: t.id,
    merchantId: t.merchantId,
    name: t.name,
    type,
    content: t.content,
    variables: t.variables,
    quickReplies: type === "quick_reply" ? StoredQuickReplies.catch([]).parse(t.options) : null,
    buttons: type === "card" ? StoredButtons.catch([]).parse(t.options) : null,
    attachment: OutgoingAttachment.nullable().catch(null).parse(t.attachment ?? null),
    createdAt: t.createdAt.toISOString(),
    updatedAt: t.updatedAt.toISOString(),
  };
}
