import { notFound } from "../../../errors.ts";
import { isUuid, pagination, type Pagination } from "../../../contract/common.ts";
import type { ContactConversation, ListContactConversationsInput } from "../../../contract/contacts.ts";
import type { ScopedDb } from "../../scoped-db.ts";
import { toContactConversationDto } from "./contact-dto.ts";

export async function listContactConversations(db: ScopedDb, input: ListContactConversationsInput): Promise<{ data: ContactConversation[]; pagination: Pagination }> {
  if (!isUuid(input.contactId)) throw notFound("Contact", input.contactId);
  const contact = await db.contact.findFirst({ where: { id: input.contactId }, select: { id: true } });
  if (!contact) throw notFound("Contact", input.contactId);
  const where = { contactId: contact.id, ...(input.status ? { status: input.status } : {}) };
  const [rows, total] = await Promise.all([
    db.conversation.findMany({
      where,
      include: { _count: { select: { messages: true } } },
      orderBy: [{ startedAt: "desc" }, { id: "asc" }],
      skip: input.skip,
      take: input.take,
    }),
    db.conversation.count({ where }),
  ]);
  return { data: rows.map(toContactConversationDto), pagination: pagination(input, total) };
}
