// parseTime, the reader of --since and --until: ISO 8601 or an age, and never a date that does not exist
// read as another one (JavaScript's Date rolls February 30th over into March 2nd).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BadTimeError, parseTime } from '../../src/journal/index.js';

const now = new Date('2026-11-20T12:00:00Z');
const at = (value: string) => parseTime(value, '--since', now).toISOString();

describe('parseTime', () => {
  it('reads ISO 8601 timestamps, with or without seconds, fraction and offset', () => {
    assert.equal(at('2026-11-20T17:00:00Z'), '2026-11-20T17:00:00.000Z');
    assert.equal(at('2026-11-20 17:00Z'), '2026-11-20T17:00:00.000Z');
    assert.equal(at('2026-11-20T17:00:00.123456Z'), '2026-11-20T17:00:00.123Z');
    assert.equal(at('2026-11-20T17:00+01:00'), '2026-11-20T16:00:00.000Z');
    assert.equal(at('2026-11-20T17:00-0230'), '2026-11-20T19:30:00.000Z');
    assert.equal(at('2026-11-20T17:00+01'), '2026-11-20T16:00:00.000Z');
  });

  it('reads a date alone as midnight UTC, and a time without an offset as local time', () => {
    assert.equal(at('2026-11-20'), '2026-11-20T00:00:00.000Z');
    assert.equal(at('  2026-11-20  '), '2026-11-20T00:00:00.000Z');
    assert.equal(parseTime('2026-11-20T17:00', '--since', now).getTime(), new Date(2026, 10, 20, 17, 0).getTime());
  });

  it('reads ages before now', () => {
    assert.equal(at('30m'), '2026-11-20T11:30:00.000Z');
    assert.equal(at('2h'), '2026-11-20T10:00:00.000Z');
    assert.equal(at('1.5d'), '2026-11-19T00:00:00.000Z');
    assert.equal(at('1w'), '2026-11-13T12:00:00.000Z');
  });

  it('reads February 29th in leap years only', () => {
    assert.equal(at('2028-02-29'), '2028-02-29T00:00:00.000Z');
    assert.equal(at('2000-02-29'), '2000-02-29T00:00:00.000Z');
    for (const value of ['2026-02-29', '1900-02-29']) assert.throws(() => at(value), BadTimeError, value);
  });

  it('refuses dates and times that do not exist, never rolling them over', () => {
    for (const value of ['2026-02-30', '2026-04-31', '2026-00-10', '2026-13-01', '2026-11-00', '2026-11-20T24:00', '2026-11-20T17:60',
      '2026-11-20T17:00:60Z', '2026-11-20T17:00+24:00', '2026-11-20T17:00+01:60']) {
      assert.throws(() => at(value), BadTimeError, value);
    }
  });

  it('refuses what is not a time, naming the flag and the value', () => {
    for (const value of ['yesterday', '2 weeks ago', '', '20261120', '2026-11-20T17', '99999999999999d']) {
      assert.throws(() => parseTime(value, '--until', now), (error: unknown) =>
        error instanceof BadTimeError && error.message.startsWith(`--until: "${value}" is not a time; use an ISO 8601 timestamp`), value);
    }
  });
});
