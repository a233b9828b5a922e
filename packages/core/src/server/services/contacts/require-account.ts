import { notFound } from "../../../errors.ts";
import { isUuid } from "../../../contract/common.ts";
import type { ScopedDb } from "../../scoped-db.ts";

/** The merchant's account, or 404 exactly as if another merchant's did not exist. */
export async function requireAccount(db: ScopedDb, accountId: string): Promise<{ id: string }> {
  if (!isUuid(accountId)) throw notFound("Account", accountId);
  const account = await db.xAccount.findFirst({ where: { id: accountId }, select: { id: true } });
  if (!account) throw notFound("Account", accountId);
  return account;
}
