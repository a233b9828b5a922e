import { likeLiteral } from "../../like-literal.ts";
import type { Prisma } from "@mkt-x/db";
import type { Contact, ListContactsInput } from "../../../contract/contacts.ts";
import { pagination, type Pagination } from "../../../contract/common.ts";
import { normalizeTag } from "../../../domain/contact-fields.ts";
import type { ScopedDb } from "../../scoped-db.ts";
import { CONTACT_SELECTION, toContactDto } from "./contact-dto.ts";

/** The tags filter: comma-separated, normalized like stored tags; a contact must carry all of them. */
export const parseTagFilter = (tags: string | undefined): string[] => [...new Set((tags ?? "").split(",").map(normalizeTag).filter((t) => t !== ""))];

export async function listContacts(db: ScopedDb, input: ListContactsInput): Promise<{ data: Contact[]; pagination: Pagination }> {
  const tags = parseTagFilter(input.tags);
  // "@john" finds the username john
  const search = likeLiteral(input.search?.replace(/^@/, "") ?? "");
  const where: Prisma.ContactWhereInput = {
    ...(input.accountId ? { accountId: input.accountId } : {}),
    ...(tags.length > 0 ? { tags: { hasEvery: tags } } : {}),
    ...(search !== ""
      ? { OR: [{ username: { contains: search, mode: "insensitive" } }, { displayName: { contains: likeLiteral(input.search ?? ""), mode: "insensitive" } }] }
      : {}),
  };
  const [rows, total] = await Promise.all([
    db.contact.findMany({
      where,
      include: CONTACT_SELECTION,
      orderBy: [{ lastInteractionAt: { sort: "desc", nulls: "last" } }, { createdAt: "desc" }, { id: "asc" }],
      skip: input.skip,
      take: input.take,
    }),
    db.contact.count({ where }),
  ]);
  return { data: rows.map(toContactDto), pagination: pagination(input, total) };
}
