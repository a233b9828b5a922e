// The one way anything (inbox, campaigns, flows, AI) sends a DM: an outbound message row in state
// `queued` and its `message.send` job, written in the caller's transaction, counted in its
// conversation (messageCount, lastMessageAt). A repeated idempotency
// key returns the message already queued instead of a second one.
import type { MessageModel, Prisma, Tx } from "@mkt-x/db";
import type { JobQueue } from "../../jobs/queue.ts";
import { countMessagesIn } from "../conversations/conversation-rows.ts";
import { recordEvent } from "../../events/record-event.ts";
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
  const inserted = await tx.message.createManyAndReturn({
    data: [
      {
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
      },
    ],
    skipDuplicates: true,
  });
  const message = inserted[0];
  if (!message) {
    const existing = await tx.message.findFirstOrThrow({ where: { merchantId: input.merchantId, idempotencyKey: input.idempotencyKey } });
    return { message: existing, created: false };
  }
  await queue.send("message.send", { messageId: message.id }, { tx, priority: LANE_PRIORITY[laneOf(input.origin)], ...(input.notBefore ? { startAfter: input.notBefore } : {}) });
  await countMessagesIn(tx, [{ conversationId: message.conversationId, at: message.createdAt }]);
  await recordEvent(tx, { merchantId: message.merchantId, type: "message.created", data: toMessageDto(message) });
  return { message, created: true };
}
