import { describe, expect, test } from "vitest";
import { DEFAULT_THEME } from "@mantine/core";
import { contrastOnWhite, cssVariablesResolver, readableShade, theme } from "../src/app/theme.ts";

describe("the theme's coloured text", () => {
  test("yellow's darkest Mantine shade is not readable on white: the reason for the override", () => {
    expect(contrastOnWhite(DEFAULT_THEME.colors.yellow[9])).toBeLessThan(4.5);
  });

  test.each(Object.keys(DEFAULT_THEME.colors))("%s badges, alerts and text read at AA or better on white", (name) => {
    const vars = cssVariablesResolver({ ...DEFAULT_THEME, ...theme } as never).light;
    const color = vars[`--mantine-color-${name}-light-color`];
    expect(color).toBe(readableShade(DEFAULT_THEME.colors[name] ?? []));
    expect(contrastOnWhite(color!)).toBeGreaterThanOrEqual(5.5);
    expect(vars[`--mantine-color-${name}-text`]).toBe(color);
  });
});
