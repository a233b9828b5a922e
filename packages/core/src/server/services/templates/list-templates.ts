import { likeLiteral } from "../../like-literal.ts";
import type { Prisma } from "@mkt-x/db";
import type { ListTemplatesInput, Template } from "../../../contract/templates.ts";
import { pagination, type Pagination } from "../../../contract/common.ts";
import type { ScopedDb } from "../../scoped-db.ts";
import { toTemplateDto } from "./template-dto.ts";

/** Newest first; `type` filters exactly, `search` finds a part of the name, case-insensitive. */
export async function listTemplates(db: ScopedDb, input: ListTemplatesInput): Promise<{ data: Template[]; pagination: Pagination }> {
  const search = input.search ?? "";
  const where: Prisma.TemplateWhereInput = {
    ...(input.type ? { type: input.type } : {}),
    ...(search !== "" ? { name: { contains: likeLiteral(search), mode: "insensitive" } } : {}),
  };
  const [rows, total] = await Promise.all([
    db.template.findMany({ where, orderBy: [{ createdAt: "desc" }, { id: "asc" }], skip: input.skip, take: input.take }),
    db.template.count({ where }),
  ]);
  return { data: rows.map(toTemplateDto), pagination: pagination(input, total) };
}
