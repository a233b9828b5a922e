import { Prisma, type XAccountModel } from "@mkt-x/db";
import { AppError } from "../../../errors.ts";
import { XApiError, type XCredentials } from "../../../ports/x-client.ts";
import type { Account, ConnectAccountInput } from "../../../contract/accounts.ts";
import { toAccountDto } from "./account-dto.ts";
import { randomUUID } from "node:crypto";
import { accountTokenPlaces, describeError, type AccountDeps } from "./deps.ts";
import { resumeAfterReconnect } from "./revocation.ts";

const isUniqueViolation = (e: unknown) => e instanceof Prisma.PrismaClientKnownRequestError && e.code === "P2002";

/**
 * Verifies the OAuth 1.0a credentials with X, stores the account with its tokens encrypted, then
 * subscribes it to the app's webhook (best effort: a failure there is recorded, not fatal).
 */
export async function connectAccount(deps: AccountDeps, input: ConnectAccountInput): Promise<Account> {
  const creds: XCredentials = { accessToken: input.oauthToken, accessSecret: input.oauthTokenSecret };
  let me;
  try {
    me = await deps.x.me(creds);
  } catch (e) {
    if (e instanceof XApiError && (e.kind === "invalid_credentials" || e.kind === "forbidden" || e.kind === "bad_request")) {
      throw new AppError("VALIDATION_ERROR", "Invalid OAuth credentials: X rejected them", { field: "oauthToken", reason: "X answered " + (e.status ?? e.kind) });
    }
    throw new AppError("TWITTER_API_ERROR", "X could not verify the credentials, try again later", { reason: e instanceof XApiError ? e.kind : "unreachable" });
  }

  // Reconnecting an account whose authorization X revoked (or whose tokens failed) gives it the new
  // tokens; one this merchant disconnected earlier is revived with its data.
  const previous =
    (await deps.db.xAccount.findFirst({ where: { twitterUserId: me.id, status: { in: ["revoked", "error"] } } })) ??
    (await deps.db.xAccount.findFirst({ where: { twitterUserId: me.id, status: "inactive" }, orderBy: { disconnectedAt: "desc" } }));
  // the tokens are encrypted for the row they go to, so the id of a new row is chosen here
  const accountId = previous?.id ?? randomUUID();
  const places = accountTokenPlaces(accountId);
  const data = {
    username: me.username,
    displayName: me.name,
    profileImageUrl: me.profileImageUrl,
    status: "active" as const,
    accessTokenEnc: deps.cipher.encrypt(creds.accessToken, places.accessToken),
    accessSecretEnc: deps.cipher.encrypt(creds.accessSecret, places.accessSecret),
    connectedAt: new Date(),
    disconnectedAt: null,
    lastError: null,
  };
  let account: XAccountModel;
  try {
    account = previous
      ? await deps.db.xAccount.update({ where: { id: previous.id }, data })
      : await deps.db.xAccount.create({ data: { ...data, id: accountId, twitterUserId: me.id, merchantId: deps.merchantId } });
  } catch (e) {
    // the partial unique index allows one connected row per X user, whichever merchant has it
    if (isUniqueViolation(e)) throw new AppError("DUPLICATE_RESOURCE", `X account @${me.username} is already connected`, { field: "twitterUserId", reason: "already connected" });
    throw e;
  }

  if (previous?.status === "revoked") {
    // what the revocation paused goes on (only that: a campaign a person paused stays paused)
    const resumed = await deps.db.$transaction((tx) => resumeAfterReconnect(tx, deps.queue, { merchantId: deps.merchantId, accountId: account.id }));
    deps.log.warn({ accountId: account.id, campaigns: resumed.campaignIds.length, flows: resumed.flowIds.length }, "revoked account reconnected: paused work resumed");
  }

  try {
    const webhook = await deps.x.ensureWebhook(creds, deps.webhookUrl);
    await deps.x.subscribe(creds, webhook.id);
    account = await deps.db.xAccount.update({ where: { id: account.id }, data: { webhookId: webhook.id, webhookStatus: "subscribed" } });
  } catch (e) {
    deps.log.warn({ accountId: account.id, err: describeError(e) }, "webhook subscription failed; the account stays connected");
    account = await deps.db.xAccount.update({ where: { id: account.id }, data: { webhookStatus: "failed", lastError: `webhook subscription failed: ${describeError(e)}` } });
  }
  return toAccountDto(account);
}
