// Business hours: an IANA zone and HH:MM day schedules. Pure, used by the API's validation and by
// the automation (auto-replies outside hours).
import { z } from "zod";

export const WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;

export function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export const DaySchedule = z
  .object({
    start: z.string().regex(HHMM, { message: "must be HH:MM (00:00 to 23:59)" }),
    end: z.string().regex(HHMM, { message: "must be HH:MM (00:00 to 23:59)" }),
  })
  // compared only when both are well formed: a malformed time already has its own error
  .refine((d) => !HHMM.test(d.start) || !HHMM.test(d.end) || d.start < d.end, { message: "start must be before end", path: ["end"] });

export const BusinessHours = z.object({
  enabled: z.boolean().default(true),
  timezone: z.string().refine(isValidTimeZone, { message: "unknown IANA time zone" }),
  schedule: z.partialRecord(z.enum(WEEKDAYS), DaySchedule).default({}),
});
export type BusinessHours = z.infer<typeof BusinessHours>;

/** Is `at` inside the business hours? Disabled hours are always open. */
export function isWithinBusinessHours(hours: BusinessHours, at: Date): boolean {
  if (!hours.enabled) return true;
  const parts = new Intl.DateTimeFormat("en-US", { timeZone: hours.timezone, weekday: "long", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).formatToParts(at);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  const day = get("weekday").toLowerCase() as Weekday;
  const slot = hours.schedule[day];
  if (!slot) return false;
  const now = `${get("hour")}:${get("minute")}`;
  return now >= slot.start && now < slot.end;
}
