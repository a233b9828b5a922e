import { notFound } from "../../../errors.ts";
import { isUuid } from "../../../contract/common.ts";
import type { AccountDetails } from "../../../contract/accounts.ts";
import type { ScopedDb } from "../../scoped-db.ts";
import { toAccountDto } from "./account-dto.ts";

const startOfUtcMonth = (now: Date) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));

export async function getAccount(db: ScopedDb, opts: { accountId: string; now?: Date }): Promise<AccountDetails> {
  if (!isUuid(opts.accountId)) throw notFound("Account", opts.accountId);
  const account = await db.xAccount.findFirst({ where: { id: opts.accountId } });
  if (!account) throw notFound("Account", opts.accountId);
  const since = startOfUtcMonth(opts.now ?? new Date());
  const [totalContacts, totalConversations, messagesThisMonth] = await Promise.all([
    db.contact.count({ where: { accountId: account.id } }),
    db.conversation.count({ where: { accountId: account.id } }),
    db.message.count({ where: { accountId: account.id, createdAt: { gte: since } } }),
  ]);
  return { ...toAccountDto(account), statistics: { totalContacts, totalConversations, messagesThisMonth } };
}
