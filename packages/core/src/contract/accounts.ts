import { z } from "zod";
import { Uuid, PageInput, EntityId, JsonBoolean } from "./common.ts";
import { BusinessHours } from "../domain/business-hours.ts";

/** revoked: X took the authorization back (reconnect with new tokens to make it active again) */
export const ACCOUNT_STATUSES = ["active", "inactive", "error", "revoked"] as const;
export const AccountStatus = z.enum(ACCOUNT_STATUSES);

export const Account = z.object({
  id: Uuid,
  merchantId: z.string(),
  twitterUserId: z.string(),
  username: z.string(),
  displayName: z.string(),
  profileImageUrl: z.string().nullable(),
  status: AccountStatus,
  webhookId: z.string().nullable(),
  /** subscribed | failed | unsubscribed: the best-effort webhook subscription with X */
  webhookStatus: z.string().nullable(),
  lastError: z.string().nullable(),
  autoReplyEnabled: z.boolean(),
  businessHours: BusinessHours.nullable(),
  requireConsent: z.boolean(),
  connectedAt: z.iso.datetime(),
  disconnectedAt: z.iso.datetime().nullable(),
});
export type Account = z.infer<typeof Account>;

export const AccountStatistics = z.object({
  totalContacts: z.number().int(),
  totalConversations: z.number().int(),
  messagesThisMonth: z.number().int(),
});

export const AccountDetails = Account.extend({ statistics: AccountStatistics });
export type AccountDetails = z.infer<typeof AccountDetails>;

export const ConnectAccountInput = z.object({
  oauthToken: z.string().trim().min(1, { message: "oauthToken is required" }).max(512),
  oauthTokenSecret: z.string().trim().min(1, { message: "oauthTokenSecret is required" }).max(512),
});
export type ConnectAccountInput = z.infer<typeof ConnectAccountInput>;

export const ListAccountsInput = PageInput.extend({ status: AccountStatus.optional() });
export type ListAccountsInput = z.infer<typeof ListAccountsInput>;

export const AccountIdInput = z.object({ accountId: EntityId });

/** BusinessHours as input: its `enabled` a strict JSON boolean (see JsonBoolean). */
const BusinessHoursInput = BusinessHours.extend({ enabled: JsonBoolean.default(true) });

export const UpdateAccountSettings = z
  .object({
    autoReplyEnabled: JsonBoolean.optional(),
    businessHours: BusinessHoursInput.nullable().optional(),
    requireConsent: JsonBoolean.optional(),
  })
  .strict();
export type UpdateAccountSettings = z.infer<typeof UpdateAccountSettings>;
export const UpdateAccountInput = AccountIdInput.extend(UpdateAccountSettings.shape).strict();
