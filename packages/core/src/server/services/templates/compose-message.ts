// The one way a template becomes a DM for a contact, whichever origin sends it (campaign dispatch,
// a campaign's test send, a flow step, the preview): the stored template read once into what it
// sends (type, options, media), the names the built-ins need loaded once (the shop's name, the
// merchant's accounts), then per contact: the variables looked up, the text rendered and composed
// with its options into what X receives (domain/compose-dm.ts).
import { z } from "zod";
import type { TemplateModel } from "@mkt-x/db";
import { CardButton, QuickReply, TemplateType, type Template } from "../../../contract/templates.ts";
import { OutgoingAttachment } from "../../../contract/media.ts";
import { renderTemplate } from "../../../domain/render-template.ts";
import { composeDm, type DmMetadata } from "../../../domain/compose-dm.ts";
import { buildVariableLookup, type ExplicitVariables, type VariableContact } from "./resolve-variables.ts";

const StoredQuickReplies = z.array(QuickReply);
const StoredButtons = z.array(CardButton);

/** What a stored template sends. */
export type TemplateShape = Pick<Template, "type" | "content" | "quickReplies" | "buttons" | "attachment">;

/**
 * The stored row read as what it sends: `options` (jsonb) holds the quick replies of a quick_reply
 * template or the buttons of a card. Rows are written through the API; what it does not know (a type
 * or options written by raw SQL) reads as plain text without options, never as an error.
 */
export function templateShape(t: Pick<TemplateModel, "type" | "content" | "options" | "attachment">): TemplateShape {
  const type = TemplateType.catch("text").parse(t.type);
  return {
    type,
    content: t.content,
    quickReplies: type === "quick_reply" ? StoredQuickReplies.catch([]).parse(t.options) : null,
    buttons: type === "card" ? StoredButtons.catch([]).parse(t.options) : null,
    attachment: OutgoingAttachment.nullable().catch(null).parse(t.attachment ?? null),
  };
}

/** A stored variables document (a campaign's) as the scalars it was validated to hold. */
export function explicitVariables(value: unknown): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  if (typeof value !== "object" || value === null || Array.isArray(value)) return out;
  for (const [k, v] of Object.entries(value)) if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") out[k] = v;
  return out;
}

export interface ComposeContact extends VariableContact {
  /** the account the DM goes out from: its display name is shop_name when the merchant set none */
  accountId: string;
}

export type ComposedMessage =
  | { ok: true; type: TemplateShape["type"]; rendered: string; text: string; metadata: DmMetadata | null; attachments: OutgoingAttachment[] }
  | { ok: false; missing: string[]; error: string };

/** What of a composed DM the outbound message carries (enqueueOutboundMessages' input). */
export const dmFields = (dm: Extract<ComposedMessage, { ok: true }>) => ({ content: dm.text, type: dm.type, metadata: dm.metadata, attachments: dm.attachments });

export interface Composer {
  readonly template: TemplateShape;
  /** The DM for this contact (null: no contact, as a preview without one), or why there is none. */
  compose(contact: ComposeContact | null, explicit?: ExplicitVariables): ComposedMessage;
}

type AccountName = { id: string; displayName: string | null; status: string };
/** What the built-ins read, the merchant named explicitly: a root transaction or a scoped client. */
export interface ComposerReader {
  merchantSettings: { findFirst(args: { where: { merchantId: string }; select: { shopName: true } }): PromiseLike<{ shopName: string | null } | null> };
  xAccount: { findMany(args: { where: { merchantId: string }; select: { id: true; displayName: true; status: true }; orderBy: { connectedAt: "asc" } }): PromiseLike<AccountName[]> };
}

/**
 * A composer for one template of one merchant. Without a contact, shop_name falls back to the
 * merchant's first connected account, the one a DM would go out from.
 */
export async function loadComposer(db: ComposerReader, opts: { merchantId: string; template: Pick<TemplateModel, "type" | "content" | "options" | "attachment"> }): Promise<Composer> {
  const [settings, accounts] = await Promise.all([
    db.merchantSettings.findFirst({ where: { merchantId: opts.merchantId }, select: { shopName: true } }),
    db.xAccount.findMany({ where: { merchantId: opts.merchantId }, select: { id: true, displayName: true, status: true }, orderBy: { connectedAt: "asc" } }),
  ]);
  const accountName = new Map(accounts.map((a) => [a.id, a.displayName]));
  const firstActive = accounts.find((a) => a.status === "active")?.displayName ?? null;
  const template = templateShape(opts.template);
  return {
    template,
    compose(contact, explicit) {
      const lookup = buildVariableLookup({ explicit, contact, shopName: settings?.shopName ?? null, accountName: contact ? (accountName.get(contact.accountId) ?? null) : firstActive });
      const rendered = renderTemplate(template.content, lookup);
      if (!rendered.ok) return { ok: false, missing: rendered.missing, error: `missing variable: ${rendered.missing.join(", ")}` };
      const dm = composeDm({ type: template.type, quickReplies: template.quickReplies, buttons: template.buttons, text: rendered.text });
      if (!dm.ok) return { ok: false, missing: [], error: dm.error };
      return { ok: true, type: template.type, rendered: rendered.text, text: dm.text, metadata: dm.metadata, attachments: template.attachment ? [template.attachment] : [] };
    },
  };
}
