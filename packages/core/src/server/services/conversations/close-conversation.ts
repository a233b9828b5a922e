import { notFound } from "../../../errors.ts";
import { isUuid } from "../../../contract/common.ts";
import type { Conversation } from "../../../contract/conversations.ts";
import type { ScopedDb } from "../../scoped-db.ts";
import { toConversationDto, WITH_CONTACT } from "./conversation-dto.ts";
import { emitConversationEvents } from "../../events/emit-events.ts";
import { CONVERSATION_STEPS } from "../../../domain/state-transitions.ts";

/**
 * Closes an open conversation with an optional reason. Idempotent: closing a closed conversation
 * changes nothing and answers it as it is (the first close's time and reason stay).
 */
export async function closeConversation(db: ScopedDb, opts: { conversationId: string; reason?: string | undefined; now?: Date }): Promise<Conversation> {
  if (!isUuid(opts.conversationId)) throw notFound("Conversation", opts.conversationId);
  await db.$transaction(async (tx) => {
    const { count } = await tx.conversation.updateMany({
      where: { id: opts.conversationId, status: { in: [...CONVERSATION_STEPS.close.from] } },
      data: { status: "closed", closedAt: opts.now ?? new Date(), closeReason: opts.reason ?? null },
    });
    // closing a closed conversation changes nothing and announces nothing
    if (count > 0) await emitConversationEvents(tx, "conversation.updated", [opts.conversationId]);
  });
  const conversation = await db.conversation.findFirst({ where: { id: opts.conversationId }, include: WITH_CONTACT });
  if (!conversation) throw notFound("Conversation", opts.conversationId);
  return toConversationDto(conversation);
}
