/**
 * Time helpers for change analysis: local wall-clock parts in a configured IANA time zone (baselines are
 * "usual hours in the tenant's time zone"), and parsing of `--since` values (a duration or a date).
 */
import { InputError } from "../domain/errors";

export interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  /** 0 = Sunday ... 6 = Saturday. */
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat("en-US", {
        timeZone,
        hourCycle: "h23",
        year: "numeric",
        month: "numeric",
        day: "numeric",
        hour: "numeric",
        minute: "numeric",
        weekday: "short",
      });
    } catch (e) {
      throw new InputError(`unknown time zone '${timeZone}' (use an IANA name such as Europe/Amsterdam)`, { field: "timeZone" }, { cause: e });
    }
    formatters.set(timeZone, f);
  }
  return f;
}

/** Throws an InputError when `timeZone` is not a valid IANA zone. */
export function assertTimeZone(timeZone: string): void {
  formatter(timeZone);
}

/** Wall-clock parts of an instant in `timeZone`. */
export function localParts(epochMs: number, timeZone: string): LocalParts {
  const out: Partial<LocalParts> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(epochMs))) {
    if (p.type === "year") out.year = Number(p.value);
    else if (p.type === "month") out.month = Number(p.value);
    else if (p.type === "day") out.day = Number(p.value);
    else if (p.type === "hour") out.hour = Number(p.value) % 24;
    else if (p.type === "minute") out.minute = Number(p.value);
    else if (p.type === "weekday") out.weekday = WEEKDAYS[p.value] ?? 0;
  }
  return out as LocalParts;
}

/** The UTC instant at which the wall clock in `timeZone` shows the given local time (DST-safe to the minute). */
export function zonedToUtc(year: number, month: number, day: number, hour: number, minute: number, timeZone: string): number {
  const guess = Date.UTC(year, month - 1, day, hour, minute);
  let t = guess;
  for (let i = 0; i < 3; i++) {
    const p = localParts(t, timeZone);
    const shown = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute);
    const diff = shown - guess;
    if (diff === 0) break;
    t -= diff;
  }
  return t;
}

/** "HH:MM" in the zone. */
export function localClock(epochMs: number, timeZone: string): string {
  const p = localParts(epochMs, timeZone);
  return `${String(p.hour).padStart(2, "0")}:${String(p.minute).padStart(2, "0")}`;
}

const DURATION = /^(\d+(?:\.\d+)?)\s*(m|min|h|d|w)$/i;

/**
 * Parses `--since`: a duration before `now` (`30m`, `12h`, `7d`, `2w`) or an ISO date / date-time
 * (`2026-11-01`, `2026-11-01T08:00:00Z`). Returns epoch ms.
 */
export function parseSince(value: string, now: number): number {
  const v = value.trim();
  const m = DURATION.exec(v);
  if (m) {
    const n = Number(m[1]);
    const unit = m[2].toLowerCase();
    const ms = unit === "w" ? 7 * 86_400_000 : unit === "d" ? 86_400_000 : unit === "h" ? 3_600_000 : 60_000;
    return now - n * ms;
  }
  if (/^\d{4}-\d{2}-\d{2}/.test(v)) {
    const t = Date.parse(v.length === 10 ? `${v}T00:00:00Z` : v);
    if (Number.isFinite(t)) return t;
  }
  throw new InputError(`cannot read --since '${value}': use a duration (7d, 12h, 30m, 2w) or a date (2026-11-01)`, {
    field: "--since",
  });
}
