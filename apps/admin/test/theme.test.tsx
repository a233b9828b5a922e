import { describe, expect, test } from "vitest";
import { DEFAULT_THEME } from "@mantine/core";
import { contrastOnWhite, cssVariablesResolver, readableShade, theme } from "../src/app/theme.ts";

/** WCAG contrast of two colours, from their contrast against white. */
const contrastBetween = (a: string, b: string) => {
  const la = 1.05 / contrastOnWhite(a) - 0.05;
  const lb = 1.05 / contrastOnWhite(b) - 0.05;
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
};

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
    // hovered light buttons and the hovered active nav link: the same text on the hover tint
    const hover = vars[`--mantine-color-${name}-light-hover`];
    expect(hover).toBe(DEFAULT_THEME.colors[name]?.[1]);
    expect(contrastBetween(color!, hover!)).toBeGreaterThanOrEqual(4.5);
  });

  test("inputs' error text reads at AA on white", () => {
    const vars = cssVariablesResolver({ ...DEFAULT_THEME, ...theme } as never).light;
    expect(contrastOnWhite(vars["--mantine-color-error"] ?? "#ffffff")).toBeGreaterThanOrEqual(5.5);
  });

  test("links read at AA on the hovered light tint (shade 1) behind a selected or hovered row", () => {
    const vars = cssVariablesResolver({ ...DEFAULT_THEME, ...theme } as never).light;
    const link = vars["--mantine-color-anchor"]!;
    const onTint = (fg: string, bg: string) => (Math.max(lum(fg), lum(bg)) + 0.05) / (Math.min(lum(fg), lum(bg)) + 0.05);
    const lum = (c: string) => 1.05 / contrastOnWhite(c) - 0.05;
    expect(onTint(link, DEFAULT_THEME.colors.blue[1])).toBeGreaterThanOrEqual(4.5);
  });
});
