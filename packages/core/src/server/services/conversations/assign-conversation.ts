import { notFound } from "../../../errors.ts";
import { isUuid } from "../../../contract/common.ts";
import type { Conversation } from "../../../contract/conversations.ts";
import type { ScopedDb } from "../../scoped-db.ts";
import { toConversationDto, WITH_CONTACT } from "./conversation-dto.ts";
import { emitConversationEvents } from "../../events/emit-events.ts";

/** Hands the conversation to a user (the token's `sub`), or to nobody with null. Users live in IAM: any id is taken as given. */
export async function assignConversation(db: ScopedDb, opts: { conversationId: string; userId: string | null }): Promise<Conversation> {
  if (!isUuid(opts.conversationId)) throw notFound("Conversation", opts.conversationId);
  const count = await db.$transaction(async (tx) => {
    const { count } = await tx.conversation.updateMany({ where: { id: opts.conversationId }, data: { assignedToUserId: opts.userId } });
    if (count > 0) await emitConversationEvents(tx, "conversation.updated", [opts.conversationId]);
    return count;
  });
  if (count === 0) throw notFound("Conversation", opts.conversationId);
  const conversation = await db.conversation.findFirstOrThrow({ where: { id: opts.conversationId }, include: WITH_CONTACT });
  return toConversationDto(conversation);
}
