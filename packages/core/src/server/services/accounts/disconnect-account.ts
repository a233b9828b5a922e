import { notFound } from "../../../errors.ts";
import { isUuid } from "../../../contract/common.ts";
import { accountCredentials, describeError, type AccountDeps } from "./deps.ts";

/**
 * Unsubscribes the webhook and revokes the token at X (best effort), wipes the tokens and marks the
 * account inactive. Its contacts, conversations and messages stay with the merchant.
 */
export async function disconnectAccount(deps: AccountDeps, opts: { accountId: string }): Promise<null> {
  if (!isUuid(opts.accountId)) throw notFound("Account", opts.accountId);
  const account = await deps.db.xAccount.findFirst({ where: { id: opts.accountId } });
  if (!account) throw notFound("Account", opts.accountId);
  const creds = accountCredentials(deps.cipher, account);
  let lastError: string | null = null;
  if (creds) {
    try {
      if (account.webhookId) await deps.x.unsubscribe(creds, account.webhookId, account.twitterUserId);
    } catch (e) {
      lastError = `webhook unsubscribe failed: ${describeError(e)}`;
      deps.log.warn({ accountId: account.id, err: describeError(e) }, "webhook unsubscribe failed");
    }
    try {
      await deps.x.invalidateToken(creds);
    } catch (e) {
      lastError = `token invalidation failed: ${describeError(e)}`;
      deps.log.warn({ accountId: account.id, err: describeError(e) }, "token invalidation failed");
    }
  }
  await deps.db.xAccount.update({
    where: { id: account.id },
    data: {
      status: "inactive",
      accessTokenEnc: null,
      accessSecretEnc: null,
      webhookStatus: account.webhookId ? "unsubscribed" : account.webhookStatus,
      disconnectedAt: account.disconnectedAt ?? new Date(),
      ...(lastError ? { lastError } : {}),
    },
  });
  return null;
}
