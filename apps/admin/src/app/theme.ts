// The admin's theme: Mantine's, with every coloured text readable (WCAG AA) on white and on the
// light tints behind badges, alerts and active links, so no screen needs its own workaround.
import { DEFAULT_THEME, createTheme, darken, type CSSVariablesResolver } from "@mantine/core";

const channel = (v: number) => {
  const c = v / 255;
  return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
};

function rgbOf(color: string): [number, number, number] {
  const hex = /^#([0-9a-f]{6})$/i.exec(color);
  if (hex?.[1]) return [0, 2, 4].map((i) => parseInt(hex[1]!.slice(i, i + 2), 16)) as [number, number, number];
  const rgb = /rgba?\(([^)]+)\)/.exec(color);
  const parts = (rgb?.[1] ?? "0,0,0").split(",").map((p) => Number.parseFloat(p));
  return [parts[0] ?? 0, parts[1] ?? 0, parts[2] ?? 0];
}

/** Contrast of a colour against white (the page), per WCAG 2. */
export function contrastOnWhite(color: string): number {
  const [r, g, b] = rgbOf(color);
  const l = 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  return 1.05 / (l + 0.05);
}

/**
 * The colour's darkest shade, darkened further until it reads at 6:1 on white (4.5:1 is AA; the
 * light tints take some, the hovered light tint, shade 1, most).
 */
export function readableShade(shades: readonly string[]): string {
  let color = shades[9] ?? "#000000";
  for (let step = 0; step < 20 && contrastOnWhite(color) < 6; step++) color = darken(color, 0.08);
  return color;
}

export const theme = createTheme({
  primaryColor: "blue",
  // white on blue.6 is below WCAG AA for small text: buttons and links use blue.8
  primaryShade: 8,
  // filled badges and buttons in light colours (yellow, lime) get dark text
  autoContrast: true,
  defaultRadius: "md",
  fontFamily: "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
  components: {
    // a titled notification's description is gray.6 in Mantine (3.3:1 on white): the readable "dimmed"
    Notification: { defaultProps: { closeButtonProps: { "aria-label": "Dismiss" } }, styles: { description: { color: "var(--mantine-color-dimmed)" } } },
    Modal: { defaultProps: { closeButtonProps: { "aria-label": "Close" } } },
    Drawer: { defaultProps: { closeButtonProps: { "aria-label": "Close" } } },
  },
});

const readable = Object.fromEntries(
  Object.entries(DEFAULT_THEME.colors).flatMap(([name, shades]) => {
    const color = readableShade(shades);
    return [
      [`--mantine-color-${name}-light-color`, color],
      [`--mantine-color-${name}-text`, color],
      // Mantine's light hover is shade 2, where the readable text falls under AA (blue: 4.0:1, e.g. the
      // hovered active nav link); shade 1 still reads as a hover and keeps the text at AA
      [`--mantine-color-${name}-light-hover`, shades[1] ?? color],
    ];
  }),
);

export const cssVariablesResolver: CSSVariablesResolver = () => ({
  variables: {},
  // Mantine's "dimmed" grey is below AA on white and light grey: one shade darker
  // inputs' error text and invalid values use --mantine-color-error (red.6 by default, 3.8:1)
  // links in the primary's readable shade, so they keep AA on a hovered or selected (light) row too
  light: { "--mantine-color-dimmed": "var(--mantine-color-gray-7)", ...readable, "--mantine-color-error": readableShade(DEFAULT_THEME.colors.red), "--mantine-color-anchor": readableShade(DEFAULT_THEME.colors.blue) },
  dark: {},
});
