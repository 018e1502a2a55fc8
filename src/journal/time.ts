import { BadTimeError } from './errors.js';

const unitMs: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

const iso = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?(Z|([+-])(\d{2})(?::?(\d{2}))?)?$/;

/**
 * A point in time from an ISO 8601 timestamp (`2026-11-20T17:00:00Z`, `2026-11-20`) or an age before
 * `now` (`30m`, `2h`, `3d`, `1w`). `option` names the flag in the error message. A date or time that
 * does not exist (February 30th, 24:00, 17:60) is refused, never rolled over into another one.
 * A date alone is midnight UTC; a time without an offset is local time, as JavaScript reads them.
 */
export function parseTime(value: string, option: string, now: Date = new Date()): Date {
  const trimmed = value.trim();
  const age = /^(\d+(?:\.\d+)?)\s*([smhdw])$/.exec(trimmed);
  const parsed = age !== null ? new Date(now.getTime() - Number(age[1]) * (unitMs[age[2] ?? ''] ?? 0)) : isoTime(trimmed);
  // An age of a million years, say, is past what a Date holds.
  if (parsed === undefined || Number.isNaN(parsed.getTime())) throw new BadTimeError(option, value);
  return parsed;
}

function isoTime(text: string): Date | undefined {
  const match = iso.exec(text);
  if (match === null) return undefined;
  const part = (group: number): number => Number(match[group] ?? 0);
  const [y, mo, d, h, mi, s, zh, zm] = [part(1), part(2), part(3), part(4), part(5), part(6), part(10), part(11)] as const;
  const [fraction = '', zone, sign] = [match[7], match[8], match[9]];
  // JavaScript's Date rolls February 30th over into March 2nd, and 24:00 into the next day: check each field.
  const daysInMonth = [31, leapYear(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1] ?? 0;
  if (d < 1 || d > daysInMonth || h > 23 || mi > 59 || s > 59 || zh > 23 || zm > 59) return undefined;
  const ms = Number(fraction.padEnd(3, '0').slice(0, 3));
  // setFullYear rather than the Date constructor, which reads the years 0 to 99 as 1900 to 1999.
  const at = new Date(0);
  if (zone === undefined && match[4] !== undefined) {
    at.setFullYear(y, mo - 1, d);
    at.setHours(h, mi, s, ms);
    return at;
  }
  at.setUTCFullYear(y, mo - 1, d);
  at.setUTCHours(h, mi, s, ms);
  const offsetMinutes = sign === undefined ? 0 : (sign === '-' ? -1 : 1) * (zh * 60 + zm);
  return new Date(at.getTime() - offsetMinutes * 60_000);
}

function leapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}
