// Live events of the resources that changed, with `data` exactly as the REST API shows them (the
// same DTO functions): each helper loads the changed rows in one query, by id, inside the caller's
// transaction, and records one event per row in one statement. Batches stay batches: call once per
// batch with every id, never once per row.
import type { Tx } from "@mkt-x/db";
import { recordEvents } from "./record-event.ts";
import { toMessageDto } from "../services/messages/message-dto.ts";
import { toConversationDto, WITH_CONTACT } from "../services/conversations/conversation-dto.ts";
import { CONTACT_SELECTION, toContactDto } from "../services/contacts/contact-dto.ts";
import { consentOf, contactEngagement } from "../services/contacts/get-contact.ts";
import { escalationOf, WITH_ESCALATION } from "../services/conversations/get-conversation.ts";
import { campaignDtos } from "../services/campaigns/load-campaign.ts";
import { toFlowExecutionDto } from "../services/flows/flow-dto.ts";

/**
 * A transaction client, plain or merchant-scoped (the API's services run in the latter). The helpers
 * select by id only; a scoped client adds its merchant, which is the rows' own, so both read the same rows.
 */
export type EventTx = Tx;

const unique = (ids: readonly (string | null | undefined)[]) => [...new Set(ids.filter((id): id is string => typeof id === "string"))];

/** message.created / message.updated: GET /conversations/{id} shows each in `messages`. */
export async function emitMessageEvents(tx: EventTx, type: "message.created" | "message.updated", ids: readonly (string | null | undefined)[]): Promise<void> {
  const wanted = unique(ids);
  if (wanted.length === 0) return;
  const rows = await tx.message.findMany({ where: { id: { in: wanted } }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
  await recordEvents(tx, rows.map((m) => ({ merchantId: m.merchantId, type, data: toMessageDto(m) })));
}

/** conversation.created / conversation.updated: as GET /conversations/{id}?includeMessages=false. */
export async function emitConversationEvents(tx: EventTx, type: "conversation.created" | "conversation.updated", ids: readonly (string | null | undefined)[]): Promise<void> {
  const wanted = unique(ids);
  if (wanted.length === 0) return;
  const rows = await tx.conversation.findMany({ where: { id: { in: wanted } }, include: { ...WITH_CONTACT, ...WITH_ESCALATION }, orderBy: { id: "asc" } });
  await recordEvents(tx, rows.map((c) => ({ merchantId: c.merchantId, type, data: { ...toConversationDto(c), ...escalationOf(c) } })));
}

/**
 * contact.created / contact.updated: as GET /contacts/{id} (with engagement). Contacts change one
 * at a time on every path that emits (CSV imports emit nothing), so the engagement query per
 * contact stays off the batch paths.
 */
export async function emitContactEvents(tx: EventTx, type: "contact.created" | "contact.updated", ids: readonly (string | null | undefined)[]): Promise<void> {
  const wanted = unique(ids);
  if (wanted.length === 0) return;
  const rows = await tx.contact.findMany({ where: { id: { in: wanted } }, include: CONTACT_SELECTION, orderBy: { id: "asc" } });
  const events = [];
  for (const c of rows) {
    events.push({ merchantId: c.merchantId, type, data: { ...toContactDto(c), ...consentOf(c), engagement: await contactEngagement(tx, { merchantId: c.merchantId, contactId: c.id }) } });
  }
  await recordEvents(tx, events);
}

/** campaign.updated: as GET /campaigns/{id} (status, metrics, expected finish). */
export async function emitCampaignEvents(tx: EventTx, ids: readonly (string | null | undefined)[]): Promise<void> {
  const wanted = unique(ids);
  if (wanted.length === 0) return;
  const rows = await tx.campaign.findMany({ where: { id: { in: wanted } }, orderBy: { id: "asc" } });
  const byMerchant = new Map<string, typeof rows>();
  for (const c of rows) byMerchant.set(c.merchantId, [...(byMerchant.get(c.merchantId) ?? []), c]);
  const events = [];
  for (const [merchantId, campaigns] of byMerchant) {
    for (const dto of await campaignDtos(tx, merchantId, campaigns)) events.push({ merchantId, type: "campaign.updated" as const, data: dto });
  }
  await recordEvents(tx, events);
}

/** flow.execution.updated: as GET /automation/flows/{id}/executions lists it. */
export async function emitFlowExecutionEvents(tx: EventTx, ids: readonly (string | null | undefined)[]): Promise<void> {
  const wanted = unique(ids);
  if (wanted.length === 0) return;
  const rows = await tx.flowExecution.findMany({ where: { id: { in: wanted } }, orderBy: { id: "asc" } });
  await recordEvents(tx, rows.map((e) => ({ merchantId: e.merchantId, type: "flow.execution.updated" as const, data: toFlowExecutionDto(e) })));
}
