import type { ConversationSummary, ListConversationsInput } from "../../../contract/conversations.ts";
import { pagination, type Pagination } from "../../../contract/common.ts";
import type { ScopedDb } from "../../scoped-db.ts";
import { toConversationSummaryDto, WITH_CONTACT } from "./conversation-dto.ts";

/** The inbox: most recent activity first, conversations without messages last. */
export async function listConversations(db: ScopedDb, input: ListConversationsInput): Promise<{ data: ConversationSummary[]; pagination: Pagination }> {
  const where = {
    ...(input.accountId ? { accountId: input.accountId } : {}),
    ...(input.status ? { status: input.status } : {}),
    ...(input.assignedTo ? { assignedToUserId: input.assignedTo } : {}),
  };
  const [rows, total] = await Promise.all([
    db.conversation.findMany({
      where,
      include: WITH_CONTACT,
      orderBy: [{ lastMessageAt: { sort: "desc", nulls: "last" } }, { startedAt: "desc" }, { id: "asc" }],
      skip: input.skip,
      take: input.take,
    }),
    db.conversation.count({ where }),
  ]);
  return { data: rows.map(toConversationSummaryDto), pagination: pagination(input, total) };
}
