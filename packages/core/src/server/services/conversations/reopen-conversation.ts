import { Prisma } from "@mkt-x/db";
import { AppError, notFound } from "../../../errors.ts";
import { isUuid } from "../../../contract/common.ts";
import type { Conversation } from "../../../contract/conversations.ts";
import type { ScopedDb } from "../../scoped-db.ts";
import { toConversationDto, WITH_CONTACT } from "./conversation-dto.ts";
import { emitConversationEvents } from "../../events/emit-events.ts";

/**
 * Reopens a closed conversation (its close time and reason are cleared). Idempotent: reopening an
 * open conversation changes nothing and answers it. At most one conversation per contact is open:
 * when the contact has started another since, the answer is 409 naming it, as a reply there would.
 */
export async function reopenConversation(db: ScopedDb, opts: { conversationId: string }): Promise<Conversation> {
  if (!isUuid(opts.conversationId)) throw notFound("Conversation", opts.conversationId);
  const conversation = await db.conversation.findFirst({ where: { id: opts.conversationId }, select: { id: true, contactId: true, status: true, channel: true } });
  if (!conversation) throw notFound("Conversation", opts.conversationId);
  if (conversation.status === "closed") {
    // the one-open rule holds for DMs; a mention thread reopens beside anything
    const other = conversation.channel === "direct_message" ? await db.conversation.findFirst({ where: { contactId: conversation.contactId, channel: "direct_message", status: "open", id: { not: conversation.id } }, select: { id: true } }) : null;
    if (other) throw openElsewhere(other.id);
    try {
      await db.$transaction(async (tx) => {
        const { count } = await tx.conversation.updateMany({ where: { id: conversation.id, status: "closed" }, data: { status: "open", closedAt: null, closeReason: null } });
        if (count > 0) await emitConversationEvents(tx, "conversation.updated", [conversation.id]);
      });
    } catch (e) {
      // the contact's new conversation appeared between the check and the update (one open per contact)
      if (e instanceof Prisma.PrismaClientKnownRequestError && e.code === "P2002") throw openElsewhere(null);
      throw e;
    }
  }
  const row = await db.conversation.findFirst({ where: { id: conversation.id }, include: WITH_CONTACT });
  if (!row) throw notFound("Conversation", opts.conversationId);
  return toConversationDto(row);
}

function openElsewhere(openConversationId: string | null): AppError {
  return new AppError("CONFLICT", "the contact has another open conversation: reopen is not possible while it is open", {
    field: "conversationId",
    reason: "at most one conversation per contact is open",
    ...(openConversationId ? { openConversationId } : {}),
  });
}
