import { describe, expect, it } from "vitest";
import { BusinessHours, isWithinBusinessHours } from "../src/domain/business-hours.ts";

describe("business hours", () => {
  const hours = BusinessHours.parse({ enabled: true, timezone: "Asia/Ho_Chi_Minh", schedule: { monday: { start: "09:00", end: "18:00" } } });

  it("is open inside the day's window in the merchant's zone", () => {
    // Monday 2026-11-30 10:00 in Ho Chi Minh City (UTC+7) is 03:00 UTC
    expect(isWithinBusinessHours(hours, new Date("2026-11-30T03:00:00Z"))).toBe(true);
    expect(isWithinBusinessHours(hours, new Date("2026-11-30T01:59:00Z"))).toBe(false);
    expect(isWithinBusinessHours(hours, new Date("2026-11-30T11:00:00Z"))).toBe(false);
  });

  it("is closed on days without a schedule and always open when disabled", () => {
    expect(isWithinBusinessHours(hours, new Date("2026-12-01T03:00:00Z"))).toBe(false);
    expect(isWithinBusinessHours({ ...hours, enabled: false }, new Date("2026-12-01T03:00:00Z"))).toBe(true);
  });

  it.each([
    [{ timezone: "Mars/Olympus", schedule: {} }, "timezone"],
    [{ timezone: "UTC", schedule: { monday: { start: "25:00", end: "26:00" } } }, "schedule.monday.start"],
    [{ timezone: "UTC", schedule: { monday: { start: "18:00", end: "09:00" } } }, "schedule.monday.end"],
    [{ timezone: "UTC", schedule: { monday: { start: "09:00", end: "09:00" } } }, "schedule.monday.end"],
    [{ timezone: "UTC", schedule: { funday: { start: "09:00", end: "10:00" } } }, "schedule"],
  ])("rejects %j at %s", (input, path) => {
    const parsed = BusinessHours.safeParse(input);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => i.path.join("."))).toContain(path);
  });
});
