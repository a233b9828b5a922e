import { z } from "zod";
import { EntityId, IsoDate, PageInput, Uuid } from "./common.ts";
import { isValidRecurrence } from "../domain/recurrence.ts";

export const CAMPAIGN_TYPES = ["promotional", "transactional", "engagement"] as const;
export const CAMPAIGN_STATUSES = ["draft", "scheduled", "running", "paused", "completed", "cancelled"] as const;
/** A recipient of a campaign run: pending (not yet handed to the send pipeline), queued, then sent, failed or skipped. */
export const CAMPAIGN_RECIPIENT_STATUSES = ["pending", "queued", "sent", "failed", "skipped"] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];
export const isCampaignStatus = (v: string): v is CampaignStatus => (CAMPAIGN_STATUSES as readonly string[]).includes(v);

const Scalar = z.union([z.string().max(1000), z.number(), z.literal([true, false])]);
export const CampaignVariables = z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_.]{0,63}$/, { message: "variable names are letters, digits, _ and ." }), Scalar);

export const ScheduleInput = z
  .object({
    startAt: IsoDate.nullable().optional(),
    endAt: IsoDate.nullable().optional(),
    recurrence: z
      .string()
      .trim()
      .refine(isValidRecurrence, { message: "daily, weekly, monthly or a cron expression" })
      .nullable()
      .optional(),
  })
  .strict()
  .refine((s) => !s.startAt || !s.endAt || new Date(s.startAt) < new Date(s.endAt), { message: "endAt must be after startAt", path: ["endAt"] });

export const Schedule = z.object({ startAt: z.iso.datetime().nullable(), endAt: z.iso.datetime().nullable(), recurrence: z.string().nullable() });

export const CampaignMetrics = z.object({
  totalSent: z.number().int(),
  delivered: z.number().int(),
  opened: z.number().int(),
  clicked: z.number().int(),
  replied: z.number().int(),
  failed: z.number().int(),
  skipped: z.number().int(),
});

export const Campaign = z.object({
  id: Uuid,
  merchantId: z.string(),
  name: z.string(),
  type: z.enum(CAMPAIGN_TYPES),
  status: z.enum(CAMPAIGN_STATUSES),
  templateId: Uuid.nullable(),
  segmentIds: z.array(Uuid),
  accountId: Uuid.nullable(),
  schedule: Schedule,
  variables: z.record(z.string(), z.unknown()),
  /** the current (or last) run: recurring campaigns count up */
  run: z.number().int(),
  metrics: CampaignMetrics,
  /** recipients left out at fan-out, by reason (opted_out, no_consent, ended, …) */
  skippedByReason: z.record(z.string(), z.number().int()),
  /** when the current run should finish at the account's send windows (null when done or not started) */
  expectedFinishAt: z.iso.datetime().nullable(),
  startedAt: z.iso.datetime().nullable(),
  pausedAt: z.iso.datetime().nullable(),
  /** why the service paused it (account_revoked: X revoked the sending account; reconnecting resumes it); null when a person paused it */
  pauseReason: z.string().nullable(),
  completedAt: z.iso.datetime().nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type Campaign = z.infer<typeof Campaign>;

export const CreateCampaignInput = z
  .object({
    name: z.string().trim().min(1).max(200),
    type: z.enum(CAMPAIGN_TYPES).default("promotional"),
    templateId: Uuid,
    segmentIds: z.array(Uuid).max(20).default([]),
    accountId: Uuid.nullable().optional(),
    schedule: ScheduleInput.nullable().optional(),
    variables: CampaignVariables.default({}),
  })
  .strict();
export type CreateCampaignInput = z.infer<typeof CreateCampaignInput>;

export const UpdateCampaignInput = z
  .object({
    campaignId: EntityId,
    name: z.string().trim().min(1).max(200).optional(),
    type: z.enum(CAMPAIGN_TYPES).optional(),
    templateId: Uuid.optional(),
    segmentIds: z.array(Uuid).max(20).optional(),
    accountId: Uuid.nullable().optional(),
    schedule: ScheduleInput.nullable().optional(),
    variables: CampaignVariables.optional(),
  })
  .strict();
export type UpdateCampaignInput = z.infer<typeof UpdateCampaignInput>;

export const ListCampaignsInput = PageInput.extend({ status: z.enum(CAMPAIGN_STATUSES).optional(), type: z.enum(CAMPAIGN_TYPES).optional() });
export type ListCampaignsInput = z.infer<typeof ListCampaignsInput>;

export const CampaignIdInput = z.object({ campaignId: EntityId });

/** POST /campaigns/{id}/estimate: what a start would fan out to now, when it would finish, what X would charge. */
export const CampaignEstimate = z.object({
  /** contacts who would get the DM */
  recipients: z.number().int(),
  /** contacts the fan-out would leave out, by reason (opted_out, no_consent, account_disconnected) */
  skipped: z.record(z.string(), z.number().int()),
  /** when the run would finish at the current send windows (from startAt when scheduled in the future) */
  finishesAt: z.iso.datetime(),
  /** recipients × X_DM_PRICE_USD */
  costUsd: z.number(),
});
export type CampaignEstimate = z.infer<typeof CampaignEstimate>;

export const TimelinePoint = z.object({ timestamp: z.iso.datetime(), sent: z.number().int(), delivered: z.number().int(), failed: z.number().int(), opened: z.number().int() });

export const CampaignMetricsDetails = CampaignMetrics.extend({
  openRate: z.number(),
  clickRate: z.number(),
  replyRate: z.number(),
  deliveryRate: z.number(),
  skippedByReason: z.record(z.string(), z.number().int()),
  /** hour buckets, or day buckets for campaigns longer than a week */
  granularity: z.enum(["hour", "day"]),
  timeline: z.array(TimelinePoint),
});
export type CampaignMetricsDetails = z.infer<typeof CampaignMetricsDetails>;

export const TestCampaignInput = z
  .object({
    campaignId: EntityId,
    contactIds: z.array(Uuid).min(1).max(20),
    variables: CampaignVariables.default({}),
  })
  .strict();
export type TestCampaignInput = z.infer<typeof TestCampaignInput>;

export const TestSendResult = z.object({
  sent: z.number().int(),
  /** contacts left out, as a campaign start would leave them out: opted out, or no consent where the account requires it */
  skipped: z.array(z.object({ contactId: Uuid, reason: z.enum(["opted_out", "no_consent"]) })),
  messages: z.array(z.object({ contactId: Uuid, messageId: Uuid.nullable(), status: z.enum(["queued", "failed", "skipped"]), error: z.string().nullable(), content: z.string().nullable() })),
});
