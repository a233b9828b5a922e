import { describe, expect, it } from "vitest";
import { formatDuration } from "../src/domain/format-duration.ts";

describe("formatDuration", () => {
  it.each([
    [0, "0s"],
    [0.4, "0s"],
    [0.6, "1s"],
    [59, "59s"],
    [60, "1m"],
    [65, "1m 5s"],
    [330, "5m 30s"],
    [3_599, "59m 59s"],
    [3_600, "1h"],
    [3 * 3_600 + 2 * 60, "3h 2m"],
    [3 * 3_600 + 2 * 60 + 10, "3h 2m"],
    [3 * 3_600 + 10, "3h"],
    [86_400, "1d"],
    [27 * 3_600, "1d 3h"],
    [27 * 3_600 + 59 * 60 + 59, "1d 3h"],
    [40 * 86_400 + 3_600, "40d 1h"],
  ])("%s seconds → %s", (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });

  it("rounds to the nearest second before choosing units", () => {
    expect(formatDuration(59.6)).toBe("1m");
    expect(formatDuration(329.5)).toBe("5m 30s");
  });

  it("shows a negative duration (clock skew) as zero and refuses what is not a number", () => {
    expect(formatDuration(-5)).toBe("0s");
    expect(() => formatDuration(Number.NaN)).toThrow(RangeError);
    expect(() => formatDuration(Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });
});
