import type { Prisma } from "@mkt-x/db";
import type { ConversationListItem, ListConversationsInput } from "../../../contract/conversations.ts";
import { pagination, type Pagination } from "../../../contract/common.ts";
import type { ScopedDb } from "../../scoped-db.ts";
import { likeLiteral } from "../../like-literal.ts";
import { toConversationSummaryDto, WITH_CONTACT } from "./conversation-dto.ts";
import { NOT_A_REPLY_ORIGINS } from "../analytics/response-time.ts";


/** The inbox: most recent activity first, conversations without messages last. */
export async function listConversations(db: ScopedDb, input: ListConversationsInput): Promise<{ data: ConversationListItem[]; pagination: Pagination }> {
  const where = {
    ...(input.accountId ? { accountId: input.accountId } : {}),
    ...(input.status ? { status: input.status } : {}),
    ...(input.channel ? { channel: input.channel } : {}),
    ...(input.assignedTo ? { assignedToUserId: input.assignedTo } : {}),
    ...inboxFilters(input),
  } satisfies Prisma.ConversationWhereInput;
  const [rows, total] = await Promise.all([
    db.conversation.findMany({
      where,
      include: { ...WITH_CONTACT, aiSession: { select: { escalated: true } } },
      orderBy: [{ lastMessageAt: { sort: "desc", nulls: "last" } }, { startedAt: "desc" }, { id: "asc" }],
      skip: input.skip,
      take: input.take,
    }),
    db.conversation.count({ where }),
  ]);
  const unread = await unreadCounts(db, rows);
  return {
    data: rows.map((c) => ({ ...toConversationSummaryDto(c), unreadCount: unread.get(c.id) ?? 0, escalated: c.aiSession?.escalated ?? false })),
    pagination: pagination(input, total),
  };
}

// inbox filters (admin inbox): search, escalated, unassigned
function inboxFilters(input: ListConversationsInput): Prisma.ConversationWhereInput {
  const and: Prisma.ConversationWhereInput[] = [];
  const search = input.search?.replace(/^@/, "") ?? "";
  if (search !== "") {
    const text = likeLiteral(search);
    and.push({ contact: { is: { OR: [{ username: { contains: text, mode: "insensitive" } }, { displayName: { contains: likeLiteral(input.search ?? ""), mode: "insensitive" } }] } } });
  }
  if (input.escalated === true) and.push({ aiSession: { is: { escalated: true } } });
  if (input.escalated === false) and.push({ OR: [{ aiSession: { is: null } }, { aiSession: { is: { escalated: false } } }] });
  if (input.unassigned === true) and.push({ assignedToUserId: null });
  if (input.unassigned === false) and.push({ assignedToUserId: { not: null } });
  return and.length > 0 ? { AND: and } : {};
}

/**
 * Per conversation of the page, the customer's messages awaiting an answer: inbound messages newer
 * than its latest reply (as response times count replies: not failed sends, nor NOT_A_REPLY_ORIGINS). One statement for the page, on the (merchant, conversation, createdAt) index.
 */
async function unreadCounts(db: ScopedDb, rows: ReadonlyArray<{ id: string; merchantId: string }>): Promise<Map<string, number>> {
  const merchantId = rows[0]?.merchantId;
  if (merchantId === undefined) return new Map();
  const counts = await db.$queryRaw<{ id: string; n: number }[]>`
    SELECT c.id::text AS id, (
      SELECT count(*)::int FROM messages m
      WHERE m.merchant_id = ${merchantId} AND m.conversation_id = c.id AND m.direction = 'inbound'
        AND m.created_at > COALESCE((
          SELECT max(r.created_at) FROM messages r
          WHERE r.merchant_id = ${merchantId} AND r.conversation_id = c.id AND r.direction = 'outbound' AND r.status <> 'failed' AND r.origin <> ALL(${NOT_A_REPLY_ORIGINS}::text[])
        ), '-infinity'::timestamptz)
    ) AS n
    FROM unnest(${rows.map((r) => r.id)}::uuid[]) AS c(id)`;
  return new Map(counts.map((c) => [c.id, c.n]));
}
