import type { ListAccountsInput, Account } from "../../../contract/accounts.ts";
import { pagination, type Pagination } from "../../../contract/common.ts";
import type { ScopedDb } from "../../scoped-db.ts";
import { toAccountDto } from "./account-dto.ts";

export async function listAccounts(db: ScopedDb, input: ListAccountsInput): Promise<{ data: Account[]; pagination: Pagination }> {
  const where = input.status ? { status: input.status } : {};
  const [rows, total] = await Promise.all([
    db.xAccount.findMany({ where, orderBy: [{ connectedAt: "desc" }, { id: "asc" }], skip: input.skip, take: input.take }),
    db.xAccount.count({ where }),
  ]);
  return { data: rows.map(toAccountDto), pagination: pagination(input, total) };
}
