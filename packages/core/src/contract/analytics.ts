import { z } from "zod";
import { Uuid } from "./common.ts";
import { CAMPAIGN_STATUSES } from "./campaigns.ts";

// Query parameters arrive as strings: dates stay strings here (validated by refine, so the
// document shows plain strings) and resolveAnalyticsPeriod turns them into instants.
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = z.iso.datetime({ offset: true });

/** `YYYY-MM-DD` (as a UTC day) or an ISO 8601 date-time with Z or an offset; undefined when neither. */
export function parseAnalyticsDate(value: string, edge: "start" | "end"): Date | undefined {
  const day = DATE_ONLY.exec(value);
  if (day) {
    const [y, m, d] = [Number(day[1]), Number(day[2]), Number(day[3])];
    const at = new Date(Date.UTC(y, m - 1, d));
    if (at.getUTCFullYear() !== y || at.getUTCMonth() !== m - 1 || at.getUTCDate() !== d) return undefined;
    return edge === "start" ? at : new Date(at.getTime() + 86_400_000 - 1);
  }
  if (!DATE_TIME.safeParse(value).success) return undefined;
  const at = new Date(value);
  return Number.isNaN(at.getTime()) ? undefined : at;
}

const DATE_DOC = "ISO 8601: a date (YYYY-MM-DD, UTC: from 00:00:00Z as startDate, to 23:59:59.999Z as endDate) or a date-time with Z or an offset";
const dateParam = (edge: "start" | "end", description = DATE_DOC) =>
  z
    .string()
    .max(64)
    .refine((v) => parseAnalyticsDate(v, edge) !== undefined, { message: "must be an ISO 8601 date (YYYY-MM-DD) or date-time" })
    .meta({ description });

export const DEFAULT_ANALYTICS_DAYS = 30;

const periodOrder = (v: { startDate?: string | undefined; endDate?: string | undefined }, ctx: z.RefinementCtx) => {
  const start = v.startDate === undefined ? undefined : parseAnalyticsDate(v.startDate, "start");
  const end = v.endDate === undefined ? undefined : parseAnalyticsDate(v.endDate, "end");
  if (start && end && start.getTime() > end.getTime()) ctx.addIssue({ code: "custom", message: "startDate must not be after endDate", path: ["startDate"] });
};

const accountIdParam = Uuid.meta({ description: "only this X account's contacts, conversations, messages, campaigns and flow executions" }).optional();

export const AnalyticsOverviewInput = z
  .object({ startDate: dateParam("start"), endDate: dateParam("end"), accountId: accountIdParam })
  .superRefine(periodOrder);
export type AnalyticsOverviewInput = z.infer<typeof AnalyticsOverviewInput>;

const optionalPeriod = {
  startDate: dateParam("start", `${DATE_DOC}; default: ${DEFAULT_ANALYTICS_DAYS} days before endDate`).optional(),
  endDate: dateParam("end", `${DATE_DOC}; default: now`).optional(),
  accountId: accountIdParam,
};

export const ANALYTICS_GROUP_BY = ["day", "week", "month"] as const;
export type AnalyticsGroupBy = (typeof ANALYTICS_GROUP_BY)[number];
/** At most this many buckets in a series: a longer period needs a coarser groupBy. */
export const MAX_SERIES_BUCKETS = 1000;
const groupByParam = z.enum(ANALYTICS_GROUP_BY).meta({ description: "series buckets, UTC (weeks start on Monday); default day" }).default("day");

export const AnalyticsPeriodInput = z.object(optionalPeriod).superRefine(periodOrder);
export type AnalyticsPeriodInput = z.infer<typeof AnalyticsPeriodInput>;

export const AnalyticsSeriesInput = z.object({ ...optionalPeriod, groupBy: groupByParam }).superRefine(periodOrder);
export type AnalyticsSeriesInput = z.infer<typeof AnalyticsSeriesInput>;

export const AnalyticsCampaignsInput = z
  .object({ ...optionalPeriod, campaignId: Uuid.meta({ description: "only this campaign (listed whatever the period)" }).optional() })
  .superRefine(periodOrder);
export type AnalyticsCampaignsInput = z.infer<typeof AnalyticsCampaignsInput>;

export const AnalyticsPeriod = z.object({ startDate: z.iso.datetime(), endDate: z.iso.datetime() });
export type AnalyticsPeriod = z.infer<typeof AnalyticsPeriod>;

const count = (description: string) => z.number().int().meta({ description });
const responseTime = z
  .string()
  .nullable()
  .meta({ description: "mean time from the first inbound message of each customer turn in the period to our next outbound reply in the same conversation (sent by endDate), e.g. \"5m 30s\"; null when none" });

export const AnalyticsOverview = z.object({
  period: AnalyticsPeriod,
  contacts: z.object({
    total: count("contacts existing at endDate (created by then)"),
    new: count("contacts created in the period"),
    active: count("contacts whose last interaction falls in the period"),
  }),
  conversations: z.object({
    total: count("conversations started in the period"),
    open: count("of those, open now"),
    closed: count("of those, closed now"),
    averageResponseTime: responseTime,
  }),
  campaigns: z.object({
    active: count("campaigns running, scheduled or paused now"),
    completed: count("campaigns completed in the period (completedAt)"),
    totalMessagesSent: count("campaign DMs sent (accepted by X) in the period"),
  }),
  automation: z.object({
    activeFlows: count("flows active now"),
    totalExecutions: count("flow executions started in the period"),
  }),
});
export type AnalyticsOverview = z.infer<typeof AnalyticsOverview>;

const bucket = z.string().meta({ description: "first day of the bucket, YYYY-MM-DD (UTC)" });

export const AnalyticsContacts = z.object({
  period: AnalyticsPeriod,
  groupBy: z.enum(ANALYTICS_GROUP_BY),
  total: count("contacts existing at endDate (created by then)"),
  new: count("contacts created in the period"),
  active: count("contacts whose last interaction falls in the period"),
  series: z.array(z.object({ period: bucket, new: count("contacts created in the bucket"), active: count("contacts whose last interaction falls in the bucket") })),
});
export type AnalyticsContacts = z.infer<typeof AnalyticsContacts>;

export const AnalyticsConversations = z.object({
  period: AnalyticsPeriod,
  groupBy: z.enum(ANALYTICS_GROUP_BY),
  total: count("conversations started in the period"),
  open: count("of those, open now"),
  closed: count("of those, closed now"),
  averageResponseTime: responseTime,
  messages: z.object({
    inbound: count("DMs received in the period"),
    outbound: count("DMs sent (accepted by X) in the period, by sentAt"),
  }),
  series: z.array(z.object({ period: bucket, started: count("conversations started in the bucket"), inbound: count("DMs received in the bucket"), outbound: count("DMs sent in the bucket") })),
});
export type AnalyticsConversations = z.infer<typeof AnalyticsConversations>;

export const AnalyticsCampaign = z.object({
  id: Uuid,
  name: z.string(),
  status: z.enum(CAMPAIGN_STATUSES),
  startedAt: z.iso.datetime().nullable(),
  completedAt: z.iso.datetime().nullable(),
  totalSent: count("delivered + failed"),
  delivered: z.number().int(),
  opened: z.number().int(),
  clicked: z.number().int(),
  replied: z.number().int(),
  failed: z.number().int(),
  openRate: z.number().meta({ description: "opened / delivered, 0 when nothing was delivered" }),
  clickRate: z.number().meta({ description: "clicked / delivered" }),
  replyRate: z.number().meta({ description: "replied / delivered" }),
  deliveryRate: z.number().meta({ description: "delivered / totalSent" }),
});
export type AnalyticsCampaign = z.infer<typeof AnalyticsCampaign>;

export const AnalyticsCampaigns = z.object({
  period: AnalyticsPeriod,
  campaigns: z.array(AnalyticsCampaign),
});
export type AnalyticsCampaigns = z.infer<typeof AnalyticsCampaigns>;

export const AnalyticsFlow = z.object({
  id: Uuid,
  name: z.string(),
  status: z.string().meta({ description: "draft | active | inactive" }),
  executions: count("executions started in the period"),
  completed: count("of those, completed"),
  failed: count("of those, failed"),
  running: count("of those, still running"),
  cancelled: count("of those, cancelled"),
});
export type AnalyticsFlow = z.infer<typeof AnalyticsFlow>;

export const AnalyticsAutomation = z.object({
  period: AnalyticsPeriod,
  activeFlows: count("flows active now"),
  totalExecutions: count("flow executions started in the period"),
  flows: z.array(AnalyticsFlow),
});
export type AnalyticsAutomation = z.infer<typeof AnalyticsAutomation>;
