import type { XAccountModel } from "@mkt-x/db";
import type { Account } from "../../../contract/accounts.ts";
import { BusinessHours } from "../../../domain/business-hours.ts";

/** The allowlist of what leaves the server about an account: never the token columns. */
export function toAccountDto(a: XAccountModel): Account {
  const hours = a.businessHours === null ? null : BusinessHours.safeParse(a.businessHours);
  return {
    id: a.id,
    merchantId: a.merchantId,
    twitterUserId: a.twitterUserId,
    username: a.username,
    displayName: a.displayName,
    profileImageUrl: a.profileImageUrl,
    status: a.status,
    webhookId: a.webhookId,
    webhookStatus: a.webhookStatus,
    lastError: a.lastError,
    autoReplyEnabled: a.autoReplyEnabled,
    businessHours: hours?.success ? hours.data : null,
    requireConsent: a.requireConsent,
    connectedAt: a.connectedAt.toISOString(),
    disconnectedAt: a.disconnectedAt?.toISOString() ?? null,
  };
}
