// Durations as the seed shows them ("5m 30s"): the largest unit and the next one, that one left
// out when it is zero; smaller units are dropped.
const UNITS = [
  { unit: "d", seconds: 86_400 },
  { unit: "h", seconds: 3_600 },
  { unit: "m", seconds: 60 },
  { unit: "s", seconds: 1 },
] as const;

/** 0 → "0s", 65 → "1m 5s", 3h 2m 10s → "3h 2m", 27h → "1d 3h", 3600 → "1h". Rounds to whole seconds. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) throw new RangeError(`not a duration: ${seconds}`);
  const total = Math.max(0, Math.round(seconds));
  const lead = UNITS.findIndex((u) => total >= u.seconds);
  const first = UNITS[lead];
  if (!first) return "0s";
  const n1 = Math.floor(total / first.seconds);
  const second = UNITS[lead + 1];
  const n2 = second ? Math.floor((total - n1 * first.seconds) / second.seconds) : 0;
  return second && n2 > 0 ? `${n1}${first.unit} ${n2}${second.unit}` : `${n1}${first.unit}`;
}
