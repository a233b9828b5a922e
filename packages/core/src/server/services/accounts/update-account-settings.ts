import { Prisma } from "@mkt-x/db";
import { notFound } from "../../../errors.ts";
import { isUuid } from "../../../contract/common.ts";
import type { Account, UpdateAccountSettings } from "../../../contract/accounts.ts";
import type { ScopedDb } from "../../scoped-db.ts";
import { toAccountDto } from "./account-dto.ts";

export async function updateAccountSettings(db: ScopedDb, opts: { accountId: string; settings: UpdateAccountSettings }): Promise<Account> {
  if (!isUuid(opts.accountId)) throw notFound("Account", opts.accountId);
  const { autoReplyEnabled, businessHours, requireConsent } = opts.settings;
  const { count } = await db.xAccount.updateMany({
    where: { id: opts.accountId },
    data: {
      ...(autoReplyEnabled !== undefined ? { autoReplyEnabled } : {}),
      ...(requireConsent !== undefined ? { requireConsent } : {}),
      ...(businessHours !== undefined ? { businessHours: businessHours ?? Prisma.DbNull } : {}),
    },
  });
  if (count === 0) throw notFound("Account", opts.accountId);
  const account = await db.xAccount.findFirstOrThrow({ where: { id: opts.accountId } });
  return toAccountDto(account);
}
