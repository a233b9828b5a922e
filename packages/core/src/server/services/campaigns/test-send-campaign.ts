// A test send: the campaign's message, rendered with the given variables, to the listed contacts
// only. Marked as a test in the conversation (origin "test"), not counted in the campaign's metrics.
// It is still a campaign DM nobody asked for: a contact who opted out is skipped (always), and one
// who never wrote is skipped when the account requires consent, as a campaign start would; the DM is
// queued as automated, so the send pipeline checks both again at the moment it goes out.
import { randomUUID } from "node:crypto";
import type { Db } from "@mkt-x/db";
import { AppError } from "../../../errors.ts";
import { renderTemplate } from "../../../domain/render-template.ts";
import { composeDm } from "../../../domain/compose-dm.ts";
import { toTemplateDto } from "../templates/template-dto.ts";
import { openConversations } from "../conversations/conversation-rows.ts";
import type { TestCampaignInput } from "../../../contract/campaigns.ts";
import type { JobQueue } from "../../jobs/queue.ts";
import type { ScopedDb } from "../../scoped-db.ts";
import { enqueueOutboundMessage } from "../messages/enqueue-outbound-message.ts";
import { buildVariableLookup } from "../templates/resolve-variables.ts";
import { loadCampaign } from "./load-campaign.ts";

export interface TestSendEntry {
  contactId: string;
  messageId: string | null;
  status: "queued" | "failed" | "skipped";
  error: string | null;
  content: string | null;
}

/** Why a test send left a contact out: the campaign fan-out's reasons. */
export type TestSkipReason = "opted_out" | "no_consent";
const SKIP_MESSAGES: Record<TestSkipReason, string> = {
  opted_out: "contact opted out",
  no_consent: "no consent: the contact never wrote to the account",
};

export async function testSendCampaign(deps: { db: ScopedDb; rootDb: Db; queue: JobQueue; merchantId: string }, input: TestCampaignInput): Promise<{ sent: number; skipped: Array<{ contactId: string; reason: TestSkipReason }>; messages: TestSendEntry[] }> {
  const campaign = await loadCampaign(deps.db, input.campaignId);
  const template = campaign.templateId ? await deps.db.template.findFirst({ where: { id: campaign.templateId } }) : null;
  if (!template) throw new AppError("VALIDATION_ERROR", "Campaign has no valid template", { field: "templateId", reason: "Template not found" });
  const ids = [...new Set(input.contactIds)];
  const contacts = await deps.db.contact.findMany({ where: { id: { in: ids } }, include: { account: { select: { status: true, displayName: true, requireConsent: true } } } });
  const missing = ids.filter((id) => !contacts.some((c) => c.id === id));
  if (missing.length) throw new AppError("VALIDATION_ERROR", "Contact not found", { field: "contactIds", reason: `Contacts not found: ${missing.join(", ")}` });
  const shop = await deps.db.merchantSettings.findFirst({ select: { shopName: true } });
  const campaignVars = Object.fromEntries(Object.entries(typeof campaign.variables === "object" && campaign.variables !== null && !Array.isArray(campaign.variables) ? campaign.variables : {}).filter((e): e is [string, string | number | boolean] => ["string", "number", "boolean"].includes(typeof e[1])));

  const { type, quickReplies, buttons } = toTemplateDto(template);
  const shape = { type, quickReplies, buttons };
  const messages: TestSendEntry[] = [];
  const skipped: Array<{ contactId: string; reason: TestSkipReason }> = [];
  for (const contact of ids.map((id) => contacts.find((c) => c.id === id)).filter((c) => c !== undefined)) {
    const skip: TestSkipReason | null = contact.optedOut ? "opted_out" : contact.account.requireConsent && !contact.consentAt ? "no_consent" : null;
    if (skip) {
      skipped.push({ contactId: contact.id, reason: skip });
      messages.push({ contactId: contact.id, messageId: null, status: "skipped", error: SKIP_MESSAGES[skip], content: null });
      continue;
    }
    const attributes = typeof contact.attributes === "object" && contact.attributes !== null && !Array.isArray(contact.attributes) ? (contact.attributes as Record<string, unknown>) : {};
    const lookup = buildVariableLookup({ explicit: { ...campaignVars, ...input.variables }, contact: { displayName: contact.displayName, username: contact.username, attributes }, shopName: shop?.shopName ?? null, accountName: contact.account.displayName });
    const rendered = renderTemplate(template.content, lookup);
    if (!rendered.ok) {
      messages.push({ contactId: contact.id, messageId: null, status: "failed", error: `missing variable: ${rendered.missing.join(", ")}`, content: null });
      continue;
    }
    const dm = composeDm({ ...shape, text: rendered.text });
    if (!dm.ok) {
      messages.push({ contactId: contact.id, messageId: null, status: "failed", error: dm.error, content: null });
      continue;
    }
    if (contact.account.status !== "active") {
      messages.push({ contactId: contact.id, messageId: null, status: "failed", error: "the contact's account is not connected", content: dm.text });
      continue;
    }
    const message = await deps.rootDb.$transaction(async (tx) => {
      const conversationId = (await openConversations(tx, { merchantId: deps.merchantId, contactIds: [contact.id], at: new Date() })).get(contact.id);
      if (!conversationId) throw new Error("open conversation vanished");
      const { message: m } = await enqueueOutboundMessage(tx, deps.queue, {
        merchantId: deps.merchantId,
        accountId: contact.accountId,
        conversationId,
        contactId: contact.id,
        content: dm.text,
        type: shape.type,
        metadata: dm.metadata,
        origin: "test",
        automated: true,
        idempotencyKey: `test:${campaign.id}:${randomUUID()}`,
      });
      return m;
    });
    messages.push({ contactId: contact.id, messageId: message.id, status: "queued", error: null, content: dm.text });
  }
  return { sent: messages.filter((m) => m.status === "queued").length, skipped, messages };
}
