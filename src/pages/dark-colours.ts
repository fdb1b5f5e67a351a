/**
 * The dark variants of the brand colours when the config names none: the same hue, moved to where
 * it reads on the dark card (primary) or sits behind it (background).
 */
type Hsl = [number, number, number];

function toHsl(hex: string): Hsl {
  const digits = hex.slice(1);
  const full = digits.length === 3 ? [...digits].map((digit) => digit + digit).join('') : digits;
  const [r, g, b] = [0, 2, 4].map((start) => Number.parseInt(full.slice(start, start + 2), 16) / 255) as [number, number, number];
  const max = Math.max(r, g, b);
  const min = Math.min(r, g, b);
  const lightness = (max + min) / 2;
  if (max === min) return [0, 0, lightness];
  const delta = max - min;
  const saturation = lightness > 0.5 ? delta / (2 - max - min) : delta / (max + min);
  const hue = max === r ? (g - b) / delta + (g < b ? 6 : 0) : max === g ? (b - r) / delta + 2 : (r - g) / delta + 4;
  return [hue * 60, saturation, lightness];
}

function toHex([hue, saturation, lightness]: Hsl): string {
  const chroma = (1 - Math.abs(2 * lightness - 1)) * saturation;
  const channel = (n: number) => {
    const k = (n + hue / 30) % 12;
    const value = lightness - chroma / 2 * Math.max(-1, Math.min(k - 3, 9 - k, 1));
    return Math.round(value * 255).toString(16).padStart(2, '0');
  };
  return `#${channel(0)}${channel(8)}${channel(4)}`;
}

/** The page background in dark: the light one's hue, barely tinted, nearly black. */
export function darkBackgroundFor(background: string): string {
  const [hue, saturation] = toHsl(background);
  return toHex([hue, Math.min(saturation, 0.3), 0.09]);
}

/** The brand colour lightened just enough to reach `ratio` against `surface` (the dark card). */
export function darkPrimaryFor(primary: string, surface: string, contrast: (a: string, b: string) => number, ratio = 4.5): string {
  const [hue, saturation, lightness] = toHsl(primary);
  for (let step = lightness; step <= 1; step += 0.02) {
    const candidate = toHex([hue, saturation, Math.min(step, 1)]);
    if (contrast(candidate, surface) >= ratio) return candidate;
  }
  return '#ffffff';
}
