import { describe, expect, it } from "vitest";
import { isValidRecurrence, nextRun } from "../src/domain/recurrence.ts";

describe("recurrence", () => {
  const anchor = new Date("2026-01-31T10:00:00Z");

  it("steps presets from the previous run, past the clock", () => {
    expect(nextRun("daily", anchor, new Date("2026-01-31T10:00:01Z")).toISOString()).toBe("2026-02-01T10:00:00.000Z");
    expect(nextRun("daily", anchor, new Date("2026-02-03T12:00:00Z")).toISOString()).toBe("2026-02-04T10:00:00.000Z");
    expect(nextRun("weekly", anchor, anchor).toISOString()).toBe("2026-02-07T10:00:00.000Z");
    expect(nextRun("monthly", new Date("2026-01-15T08:00:00Z"), new Date("2026-01-15T08:00:00Z")).toISOString()).toBe("2026-02-15T08:00:00.000Z");
  });

  it("follows a cron expression in UTC", () => {
    expect(nextRun("0 9 * * 1", anchor, new Date("2026-11-28T12:00:00Z")).toISOString()).toBe("2026-11-30T09:00:00.000Z");
    expect(nextRun("*/15 * * * *", anchor, new Date("2026-11-28T12:07:00Z")).toISOString()).toBe("2026-11-28T12:15:00.000Z");
  });

  it("accepts presets and cron, refuses the rest", () => {
    expect(["daily", "weekly", "monthly", "0 9 * * 1-5", "*/30 * * * *"].map(isValidRecurrence)).toEqual([true, true, true, true, true]);
    expect(["hourly", "every day", "61 * * * *", "", "* *"].map(isValidRecurrence)).toEqual([false, false, false, false, false]);
  });
});
