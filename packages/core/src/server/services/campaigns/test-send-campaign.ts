// A test send: the campaign's message, rendered with the given variables, to the listed contacts
// only. Marked as a test in the conversation (origin "test"), not counted in the campaign's metrics.
// It is still a campaign DM nobody asked for: a contact who opted out is skipped (always), and one
// who never wrote is skipped when the account requires consent, as a campaign start would; the DM is
// queued as automated, so the send pipeline checks both again at the moment it goes out.
import { randomUUID } from "node:crypto";
import { AppError } from "../../../errors.ts";
import { openConversations } from "../conversations/conversation-rows.ts";
import type { TestCampaignInput } from "../../../contract/campaigns.ts";
import type { JobQueue } from "../../jobs/queue.ts";
import type { ScopedDb } from "../../scoped-db.ts";
import { enqueueOutboundMessages } from "../messages/enqueue-outbound-message.ts";
import { dmFields, explicitVariables, loadComposer, type ComposedMessage } from "../templates/compose-message.ts";
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

export async function testSendCampaign(deps: { db: ScopedDb; queue: JobQueue; merchantId: string }, input: TestCampaignInput): Promise<{ sent: number; skipped: Array<{ contactId: string; reason: TestSkipReason }>; messages: TestSendEntry[] }> {
  const campaign = await loadCampaign(deps.db, input.campaignId);
  const template = campaign.templateId ? await deps.db.template.findFirst({ where: { id: campaign.templateId } }) : null;
  if (!template) throw new AppError("VALIDATION_ERROR", "Campaign has no valid template", { field: "templateId", reason: "Template not found" });
  const ids = [...new Set(input.contactIds)];
  const contacts = await deps.db.contact.findMany({ where: { id: { in: ids } }, include: { account: { select: { status: true, displayName: true, requireConsent: true } } } });
  const missing = ids.filter((id) => !contacts.some((c) => c.id === id));
  if (missing.length) throw new AppError("VALIDATION_ERROR", "Contact not found", { field: "contactIds", reason: `Contacts not found: ${missing.join(", ")}` });
  const composer = await loadComposer(deps.db, { merchantId: deps.merchantId, template });
  const explicit = { ...explicitVariables(campaign.variables), ...input.variables };

  const messages: TestSendEntry[] = [];
  const skipped: Array<{ contactId: string; reason: TestSkipReason }> = [];
  const toSend: Array<{ entry: TestSendEntry; contact: (typeof contacts)[number]; dm: Extract<ComposedMessage, { ok: true }> }> = [];
  for (const contact of ids.map((id) => contacts.find((c) => c.id === id)).filter((c) => c !== undefined)) {
    const skip: TestSkipReason | null = contact.optedOut ? "opted_out" : contact.account.requireConsent && !contact.consentAt ? "no_consent" : null;
    if (skip) {
      skipped.push({ contactId: contact.id, reason: skip });
      messages.push({ contactId: contact.id, messageId: null, status: "skipped", error: SKIP_MESSAGES[skip], content: null });
      continue;
    }
    const dm = composer.compose(contact, explicit);
    if (!dm.ok) {
      messages.push({ contactId: contact.id, messageId: null, status: "failed", error: dm.error, content: null });
      continue;
    }
    if (contact.account.status !== "active") {
      messages.push({ contactId: contact.id, messageId: null, status: "failed", error: "the contact's account is not connected", content: dm.text });
      continue;
    }
    const entry: TestSendEntry = { contactId: contact.id, messageId: null, status: "queued", error: null, content: dm.text };
    messages.push(entry);
    toSend.push({ entry, contact, dm });
  }
  if (toSend.length) {
    await deps.db.$transaction(async (tx) => {
      const conversationOf = await openConversations(tx, { merchantId: deps.merchantId, contactIds: toSend.map((s) => s.contact.id), at: new Date() });
      const inputs = toSend.map(({ contact, dm }) => {
        const conversationId = conversationOf.get(contact.id);
        if (!conversationId) throw new Error("open conversation vanished");
        return {
          merchantId: deps.merchantId,
          accountId: contact.accountId,
          conversationId,
          contactId: contact.id,
          ...dmFields(dm),
          origin: "test",
          automated: true,
          idempotencyKey: `test:${campaign.id}:${randomUUID()}`,
        };
      });
      const created = await enqueueOutboundMessages(tx, deps.queue, inputs);
      toSend.forEach((s, i) => (s.entry.messageId = created.find((m) => m.idempotencyKey === inputs[i]?.idempotencyKey)?.id ?? null));
    });
  }
  return { sent: toSend.length, skipped, messages };
}
