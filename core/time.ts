/**
 * Calendar arithmetic in the quota time zone (TZ_QUOTA): daily quotas reset at local midnight
 * and budgets at the start of the local month, not 24 h after a first request.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();
/** The last answer: a request asks about the same instant several times (day, month, resets). */
let last: { ms: number; timeZone: string; parts: Record<string, number> } | null = null;
function partsIn(date: Date, timeZone: string): Record<string, number> {
  const ms = date.getTime();
  if (last && last.ms === ms && last.timeZone === timeZone) return last.parts;
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(timeZone, f);
  }
  const out: Record<string, number> = {};
  for (const p of f.formatToParts(date)) if (p.type !== "literal") out[p.type] = Number(p.value);
  last = { ms, timeZone, parts: out };
  return out;
}

/** Offset of the zone from UTC at that instant, in ms (Bangkok: +7 h). */
function offsetMs(date: Date, timeZone: string): number {
  const p = partsIn(date, timeZone);
  const wall = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
  return wall - Math.floor(date.getTime() / 1000) * 1000;
}

/** Midnights already worked out (a pure function of its arguments; every request asks for the same few). */
const midnights = new Map<string, number>();

/** The UTC instant of local midnight starting the given local date (DST-safe). */
function localMidnight(year: number, month: number, day: number, timeZone: string): Date {
  const key = `${timeZone}|${year}-${month}-${day}`;
  const known = midnights.get(key);
  if (known !== undefined) return new Date(known);
  const guess = Date.UTC(year, month - 1, day);
  let instant = guess - offsetMs(new Date(guess), timeZone);
  instant = guess - offsetMs(new Date(instant), timeZone); // re-check across a DST change
  if (midnights.size >= 1_000) midnights.clear();
  midnights.set(key, instant);
  return new Date(instant);
}

/** "YYYY-MM-DD" of the local calendar day. */
export function localDay(now: Date, timeZone: string): string {
  const p = partsIn(now, timeZone);
  return `${p.year}-${String(p.month).padStart(2, "0")}-${String(p.day).padStart(2, "0")}`;
}

/** "YYYY-MM" of the local month. */
export function localMonth(now: Date, timeZone: string): string {
  return localDay(now, timeZone).slice(0, 7);
}

/** The local day as a DATE column value (UTC midnight of that calendar date). */
export function dayColumn(now: Date, timeZone: string): Date {
  return new Date(`${localDay(now, timeZone)}T00:00:00Z`);
}

export function nextLocalMidnight(now: Date, timeZone: string): Date {
  const p = partsIn(now, timeZone);
  const tomorrow = new Date(Date.UTC(p.year!, p.month! - 1, p.day! + 1));
  return localMidnight(
    tomorrow.getUTCFullYear(),
    tomorrow.getUTCMonth() + 1,
    tomorrow.getUTCDate(),
    timeZone,
  );
}

export function startOfLocalMonth(now: Date, timeZone: string): { column: Date; instant: Date } {
  const p = partsIn(now, timeZone);
  return {
    column: new Date(Date.UTC(p.year!, p.month! - 1, 1)),
    instant: localMidnight(p.year!, p.month!, 1, timeZone),
  };
}

export function nextLocalMonth(now: Date, timeZone: string): Date {
  const p = partsIn(now, timeZone);
  const next = new Date(Date.UTC(p.year!, p.month!, 1));
  return localMidnight(next.getUTCFullYear(), next.getUTCMonth() + 1, 1, timeZone);
}
