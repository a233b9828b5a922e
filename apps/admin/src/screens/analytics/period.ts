// The dashboard's period as the URL carries it: a preset (the last 7, 30, 90 or 365 days) or a
// from/to pair of UTC dates, with the series' buckets and an optional account.
import { z } from "zod";
import { ANALYTICS_GROUP_BY } from "@mkt-x/core";

export const PRESETS = [
  { value: "7d", label: "7 days", days: 7 },
  { value: "30d", label: "30 days", days: 30 },
  { value: "90d", label: "90 days", days: 90 },
  { value: "365d", label: "12 months", days: 365 },
] as const;

const DAY = /^\d{4}-\d{2}-\d{2}$/;

export const AnalyticsSearch = z.object({
  preset: z.enum(["7d", "30d", "90d", "365d"]).optional().catch(undefined),
  from: z.string().regex(DAY).optional().catch(undefined),
  to: z.string().regex(DAY).optional().catch(undefined),
  groupBy: z.enum(ANALYTICS_GROUP_BY).optional().catch(undefined),
  accountId: z.uuid().optional().catch(undefined),
});
export type AnalyticsSearch = z.infer<typeof AnalyticsSearch>;

const isoDay = (d: Date) => d.toISOString().slice(0, 10);

/** The period's first and last UTC day (YYYY-MM-DD), the last included; from after to is swapped. */
export function periodOf(search: AnalyticsSearch, now = new Date()): { startDate: string; endDate: string } {
  const today = isoDay(now);
  if (search.from || search.to) {
    const endDate = search.to ?? today;
    const startDate = search.from ?? isoDay(new Date(Date.parse(`${endDate}T00:00:00Z`) - 29 * 86_400_000));
    return startDate <= endDate ? { startDate, endDate } : { startDate: endDate, endDate: startDate };
  }
  const days = PRESETS.find((p) => p.value === (search.preset ?? "30d"))?.days ?? 30;
  return { startDate: isoDay(new Date(now.getTime() - (days - 1) * 86_400_000)), endDate: today };
}
