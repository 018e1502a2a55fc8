import { BadTimeError } from './errors.js';

const unitMs: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * A point in time from an ISO 8601 timestamp (`2026-11-20T17:00:00Z`, `2026-11-20`) or an age before
 * `now` (`30m`, `2h`, `3d`, `1w`). `option` names the flag in the error message.
 */
export function parseTime(value: string, option: string, now: Date = new Date()): Date {
  const trimmed = value.trim();
  const age = /^(\d+(?:\.\d+)?)\s*([smhdw])$/.exec(trimmed);
  if (age !== null) return new Date(now.getTime() - Number(age[1]) * (unitMs[age[2] ?? ''] ?? 0));
  if (/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}(:?\d{2})?)?$/.test(trimmed)) {
    const parsed = new Date(trimmed.replace(' ', 'T'));
    if (!Number.isNaN(parsed.getTime())) return parsed;
  }
  throw new BadTimeError(option, value);
}
