/**
 * Formatting shared by loaders and components. Deterministic (fixed locale, explicit time zone),
 * so the server's HTML and the browser's hydration agree to the character.
 */

const INT = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

export function num(n: number | null | undefined): string {
  return n === null || n === undefined || !Number.isFinite(n) ? "—" : INT.format(n);
}

/** US dollars: cents for ordinary sums, more digits for the fractions of a cent one article costs. */
export function usd(value: string | number | null | undefined): string {
  if (value === null || value === undefined || value === "") return "—";
  const n = typeof value === "number" ? value : Number(value);
  if (!Number.isFinite(n)) return "—";
  const abs = Math.abs(n);
  if (abs > 0 && abs < 0.0001) return n < 0 ? "> -$0.0001" : "< $0.0001";
  const digits = abs === 0 ? 2 : abs < 0.01 ? 4 : abs < 1 ? 3 : 2;
  return `${n < 0 ? "-" : ""}$${abs.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits })}`;
}

/** A price per million tokens: as many decimals as it has, at least two ("$0.15", "$0.075"). */
export function price(value: string): string {
  const n = Number(value);
  if (!Number.isFinite(n)) return "—";
  const decimals = Math.max(2, (value.split(".")[1] ?? "").replace(/0+$/, "").length);
  return `$${n.toFixed(Math.min(6, decimals))}`;
}

export function pct(ratio: number | null | undefined, digits = 1): string {
  return ratio === null || ratio === undefined || !Number.isFinite(ratio)
    ? "—"
    : `${(ratio * 100).toFixed(digits)}%`;
}

export function seconds(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return "—";
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

const dateTimeFormats = new Map<string, Intl.DateTimeFormat>();

/** "2026-11-26 14:03" in the given zone (the quota zone: the day boundaries the bot counts by). */
export function dateTime(iso: string | Date | null | undefined, timeZone: string): string {
  if (!iso) return "—";
  const date = typeof iso === "string" ? new Date(iso) : iso;
  if (Number.isNaN(date.getTime())) return "—";
  let f = dateTimeFormats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
    });
    dateTimeFormats.set(timeZone, f);
  }
  const p: Record<string, string> = {};
  for (const part of f.formatToParts(date)) p[part.type] = part.value;
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

const secondFormats = new Map<string, Intl.DateTimeFormat>();

/** "2026-11-26 14:03:09" in the given zone, for exports (the column header names the zone). */
export function dateTimeSeconds(date: Date, timeZone: string): string {
  let f = secondFormats.get(timeZone);
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
    secondFormats.set(timeZone, f);
  }
  const p: Record<string, string> = {};
  for (const part of f.formatToParts(date)) p[part.type] = part.value;
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
}

/** "14:03 Asia/Bangkok": a time of day with the zone it is in, so nobody reads it as UTC. */
export function timeInZone(date: Date, timeZone: string): string {
  return `${dateTime(date, timeZone).slice(11)} ${timeZone}`;
}

/** "26 Nov" from a "2026-11-26" day. */
export function shortDay(day: string): string {
  const [, m, d] = day.split("-");
  const month =
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][Number(m) - 1] ?? m;
  return `${Number(d)} ${month}`;
}

export const PLATFORM_LABEL: Record<string, string> = { SLACK: "Slack", LINE: "LINE", CONSOLE: "Console" };
export const STATUS_LABEL: Record<string, string> = {
  QUEUED: "Queued",
  RUNNING: "Writing",
  DELIVERED: "Delivered",
  FAILED: "Failed",
  CANCELLED: "Cancelled",
};
export const SCOPE_LABEL: Record<string, string> = {
  NONE: "No caching",
  REQUESTER: "Per requester",
  TENANT: "Per workspace",
};
export const STATUS_TONE = {
  QUEUED: "neutral",
  RUNNING: "accent",
  DELIVERED: "good",
  FAILED: "bad",
  CANCELLED: "warn",
} as const;
export const STATUSES = ["QUEUED", "RUNNING", "DELIVERED", "FAILED", "CANCELLED"] as const;

/** Corpus upload limits, shown on the page and enforced in corpus.server.ts. */
export const MAX_FILE_BYTES = 1024 * 1024;
export const MAX_FILES = 20;
