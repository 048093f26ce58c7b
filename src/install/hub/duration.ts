/** Durations as users type them (`90m`, `1h30m`, `24h`, `7d`) and back. Pure. */

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** Parses `1h`, `90m`, `1h30m`, `3600s`, `2d` to whole seconds; throws a readable Error otherwise. */
export function parseDuration(text: string): number {
  const s = text.trim();
  if (!/^(\d+[smhd])+$/.test(s)) {
    throw new Error(`"${text}" is not a duration: use a number with a unit, e.g. 30m, 1h, 24h, 7d`);
  }
  let total = 0;
  for (const m of s.matchAll(/(\d+)([smhd])/g)) total += Number(m[1]) * UNIT_SECONDS[m[2]!]!;
  if (total <= 0) throw new Error(`"${text}" must be longer than zero`);
  return total;
}

/** 3600 → "1h", 5400 → "1h30m", 90 → "1m30s". */
export function formatDuration(seconds: number): string {
  let rest = Math.max(0, Math.round(seconds));
  if (rest === 0) return '0s';
  let out = '';
  for (const [unit, size] of [['d', 86400], ['h', 3600], ['m', 60], ['s', 1]] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) out += `${n}${unit}`;
    rest -= n * size;
  }
  return out;
}
