/**
 * Times an editor writes in front-matter (`sendAt: 2026-12-08 10:00` or `2026-12-08T10:00:00+03:00`):
 * an offset makes the time absolute; without one it is a wall-clock time in an IANA time zone
 * (newsletter.yaml `timezone`). No library: Intl knows every zone's offset at a given instant.
 */
export const LOCAL_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

export const DEFAULT_TIMEZONE = "Europe/Moscow";

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Whether the written time carries its own offset (`Z`, `+03:00`). */
export function hasOffset(text: string): boolean {
  return LOCAL_TIME.exec(text.trim())?.[8] !== undefined;
}

/** The wall clock in `zone` at an instant, by part (`year`, `month`, `day`, `hour`, `minute`, `second`), two digits each but the year. */
function wallParts(instant: number | string | Date, zone: string): Record<string, string> {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: zone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(new Date(instant));
  return Object.fromEntries(parts.map((p) => [p.type, p.value]));
}

/** The zone's offset from UTC at an instant, ms (Moscow: +3 h). */
function offsetAt(instant: number, zone: string): number {
  const p = wallParts(instant, zone);
  const wall = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
  return wall - Math.floor(instant / 1000) * 1000;
}

/**
 * The instant a written time names, or undefined when it is not a time (or a calendar date that does
 * not exist). Without an offset it is read in `zone`; a wall time skipped by a DST change moves forward.
 */
export function parseZonedTime(text: string, zone: string): Date | undefined {
  const m = LOCAL_TIME.exec(text.trim());
  if (!m) return undefined;
  const [y, mo, d, h, mi, s = "0", ms = "0"] = m.slice(1, 8);
  const wall = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s, Number(ms.padEnd(3, "0")));
  const check = new Date(wall);
  if (check.getUTCMonth() !== +mo - 1 || check.getUTCDate() !== +d || +h > 23 || +mi > 59 || +s > 59) return undefined;
  const offset = m[8];
  if (offset) {
    if (/^z$/i.test(offset)) return new Date(wall);
    const o = /^([+-])(\d{2}):?(\d{2})?$/.exec(offset);
    if (!o) return undefined;
    const minutes = (o[1] === "-" ? -1 : 1) * (Number(o[2]) * 60 + Number(o[3] ?? 0));
    return new Date(wall - minutes * 60_000);
  }
  // the offset at the guess, then once more at the result (a DST change between the two)
  let at = wall - offsetAt(wall, zone);
  at = wall - offsetAt(at, zone);
  return new Date(at);
}

/** `6h`, `90m`, `2d`, `30s`, `500ms` or a number of hours → ms; undefined when it is none of those. */
export function durationMs(value: string | number): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) && value >= 0 ? value * 3600_000 : undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|min|h|d)\s*$/i.exec(value);
  if (!m) return undefined;
  const factor: Record<string, number> = { ms: 1, s: 1000, m: 60_000, min: 60_000, h: 3600_000, d: 86_400_000 };
  return Math.round(Number(m[1]) * factor[m[2].toLowerCase()]);
}

/** `2026-12-08 10:00:00`: an instant as the wall clock in `zone` shows it. */
export function wallTime(instant: string | Date, zone: string, seconds = true): string {
  const p = wallParts(instant, zone);
  const time = `${p.hour}:${p.minute}`;
  return `${p.year}-${p.month}-${p.day} ${seconds ? `${time}:${p.second}` : time}`;
}
