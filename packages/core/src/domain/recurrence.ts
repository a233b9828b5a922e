// When a recurring campaign runs next: daily, weekly, monthly (calendar month, UTC) or a cron
// expression (UTC). Pure: the clock is an argument.
import { CronExpressionParser } from "cron-parser";

export const RECURRENCE_PRESETS = ["daily", "weekly", "monthly"] as const;

export function isValidRecurrence(value: string): boolean {
  if ((RECURRENCE_PRESETS as readonly string[]).includes(value)) return true;
  try {
    CronExpressionParser.parse(value, { tz: "UTC" });
    return value.trim().split(/\s+/).length >= 5;
  } catch {
    return false;
  }
}

/** The first run strictly after `after`, anchored on the previous run for the presets. */
export function nextRun(recurrence: string, previousRun: Date, after: Date): Date {
  const step = (d: Date): Date => {
    const n = new Date(d);
    if (recurrence === "daily") n.setUTCDate(n.getUTCDate() + 1);
    else if (recurrence === "weekly") n.setUTCDate(n.getUTCDate() + 7);
    else n.setUTCMonth(n.getUTCMonth() + 1);
    return n;
  };
  if ((RECURRENCE_PRESETS as readonly string[]).includes(recurrence)) {
    let next = step(previousRun);
    while (next <= after) next = step(next);
    return next;
  }
  return CronExpressionParser.parse(recurrence, { tz: "UTC", currentDate: after }).next().toDate();
}
