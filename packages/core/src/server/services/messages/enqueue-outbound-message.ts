// The one way anything (inbox, campaigns, flows, AI) sends a DM: an outbound message row in state
// `queued` and its `message.send` job, written in the caller's transaction, counted in its
// conversation (messageCount, lastMessageAt). A repeated idempotency
// key returns the message already queued instead of a second one.
import type { MessageModel, Prisma, Tx } from "@mkt-x/db";
import type { JobQueue } from "../../jobs/queue.ts";
import { countMessagesIn } from "../conversations/conversation-rows.ts";
import { recordEvents } from "../../events/record-event.ts";
import { toMessageDto } from "./message-dto.ts";
import type { Attachment } from "../../../contract/messages.ts";
import type { DmMetadata } from "../../../domain/compose-dm.ts";
import { LANE_PRIORITY, laneOf } from "../../../domain/send-lanes.ts";

export interface OutboundMessageInput {
  merchantId: string;
  accountId: string;
  conversationId: string;
  contactId: string;
  content: string;
  type?: "text" | "quick_reply" | "card";
  attachments?: Attachment[];
  /** the quick replies or buttons the text lists (see composeDm) */
  metadata?: DmMetadata | null;
  /** inbox | campaign | flow | ai | system | test */
  origin: string;
  /** automated DMs are held to consent and opt-out by the send pipeline; agent replies are not */
  automated: boolean;
  isFromBot?: boolean;
  idempotencyKey: string;
  campaignId?: string | null;
  /** send no earlier than this */
  notBefore?: Date;
}

export async function enqueueOutboundMessage(tx: Tx, queue: JobQueue, input: OutboundMessageInput): Promise<{ message: MessageModel; created: boolean }> {
  const [message] = await enqueueOutboundMessages(tx, queue, [input]);
  if (message) return { message, created: true };
  const existing = await tx.message.findFirstOrThrow({ where: { merchantId: input.merchantId, idempotencyKey: input.idempotencyKey } });
  return { message: existing, created: false };
}

/**
 * Many DMs at once (a campaign's batch): one insert, their send jobs inserted together (grouped by
 * lane priority and send time), one count per conversation, one statement for their events.
 * Returns the messages created; an input whose idempotency key is taken creates nothing.
 */
export async function enqueueOutboundMessages(tx: Tx, queue: JobQueue, inputs: readonly OutboundMessageInput[]): Promise<MessageModel[]> {
  if (inputs.length === 0) return [];
  const created = await tx.message.createManyAndReturn({
    data: inputs.map((input) => ({
      merchantId: input.merchantId,
      accountId: input.accountId,
      conversationId: input.conversationId,
      contactId: input.contactId,
      direction: "outbound",
      type: input.type ?? "text",
      content: input.content,
      attachments: input.attachments ?? [],
      ...(input.metadata ? { metadata: input.metadata as unknown as Prisma.InputJsonValue } : {}),
      origin: input.origin,
      automated: input.automated,
      isFromBot: input.isFromBot ?? false,
      status: "queued",
      idempotencyKey: input.idempotencyKey,
      campaignId: input.campaignId ?? null,
    })),
    skipDuplicates: true,
  });
  if (created.length === 0) return [];
  const inputOf = new Map(inputs.map((i) => [`${i.merchantId}:${i.idempotencyKey}`, i]));
  const groups = new Map<string, { priority: number; startAfter: Date | undefined; messageIds: string[] }>();
  for (const m of created) {
    const input = inputOf.get(`${m.merchantId}:${m.idempotencyKey ?? ""}`);
    const priority = LANE_PRIORITY[laneOf(m.origin)];
    const startAfter = input?.notBefore;
    const key = `${priority}:${startAfter?.getTime() ?? ""}`;
    const group = groups.get(key) ?? { priority, startAfter, messageIds: [] };
    group.messageIds.push(m.id);
    groups.set(key, group);
  }
  for (const g of groups.values()) {
    await queue.sendMany("message.send", g.messageIds.map((messageId) => ({ messageId })), { tx, priority: g.priority, ...(g.startAfter ? { startAfter: g.startAfter } : {}) });
  }
  await countMessagesIn(tx, created.map((m) => ({ conversationId: m.conversationId, at: m.createdAt })));
  await recordEvents(tx, created.map((m) => ({ merchantId: m.merchantId, type: "message.created" as const, data: toMessageDto(m) })));
  return created;
}
