import { describe, expect, it } from 'vitest';
import {
  elapsedSeconds,
  exactTime,
  fixed,
  humanDuration,
  pct,
  relativeTime,
  runSeconds,
  secondsText,
  UNKNOWN,
  utcTime,
} from '../../src-main/shared/format';

const NOW = Date.parse('2024-05-10T12:00:00Z');

describe('numbers', () => {
  it('writes a share as a percent with one decimal and a space before the sign', () => {
    expect(pct(0.648)).toBe('64.8 %');
    expect(pct(1)).toBe('100.0 %');
    expect(pct(0)).toBe('0.0 %');
    expect(pct(0.1234, 0)).toBe('12 %');
    expect(pct(0.12345, 2)).toBe('12.35 %');
  });

  it('writes reals with fixed decimals', () => {
    expect(fixed(1.23456)).toBe('1.2346');
    expect(fixed(1.23456, 2)).toBe('1.23');
    expect(fixed(-0.5, 1)).toBe('-0.5');
    expect(secondsText(0.5)).toBe('0.5');
    expect(secondsText(1)).toBe('1');
    expect(secondsText(1.256)).toBe('1.26');
  });

  it('writes an en dash for every value that is not there', () => {
    expect(UNKNOWN).toBe('–');
    for (const v of [null, undefined, NaN, Infinity]) {
      expect(pct(v)).toBe('–');
      expect(fixed(v)).toBe('–');
      expect(humanDuration(v)).toBe('–');
    }
    expect(relativeTime(null, NOW)).toBe('–');
    expect(utcTime(null)).toBe('–');
    expect(exactTime(null)).toBe('');
  });
});

describe('durations', () => {
  it('says them the way people do', () => {
    expect(humanDuration(4.24)).toBe('4.2 s');
    expect(humanDuration(-1)).toBe('0.0 s');
    expect(humanDuration(42.4)).toBe('42 s');
    expect(humanDuration(59.6)).toBe('1 min 0 s');
    expect(humanDuration(192)).toBe('3 min 12 s');
    expect(humanDuration(3900)).toBe('1 h 5 min');
  });

  it('measures a run from its start to its end, or to now while it runs', () => {
    const startedAt = '2024-05-10T11:50:00Z';
    const finishedAt = '2024-05-10T11:53:12Z';
    expect(runSeconds({ startedAt, finishedAt, status: 'finished' }, NOW)).toBe(192);
    expect(runSeconds({ startedAt, finishedAt: null, status: 'running' }, NOW)).toBe(600);
    expect(runSeconds({ startedAt, finishedAt: null, status: 'failed' }, NOW)).toBeNull();
    expect(runSeconds({ startedAt: null, finishedAt: null, status: 'queued' }, NOW)).toBeNull();
    expect(elapsedSeconds(startedAt, null, NOW)).toBe(600);
    expect(elapsedSeconds(startedAt, finishedAt, NOW)).toBe(192);
    expect(elapsedSeconds(null, finishedAt, NOW)).toBeNull();
  });
});

describe('times', () => {
  it('says how long ago, then the date after a month', () => {
    expect(relativeTime('2024-05-10T11:59:50Z', NOW)).toBe('just now');
    expect(relativeTime('2024-05-10T11:59:00Z', NOW)).toBe('1 min ago');
    expect(relativeTime('2024-05-10T11:55:00Z', NOW)).toBe('5 min ago');
    expect(relativeTime('2024-05-10T09:00:00Z', NOW)).toBe('3 h ago');
    expect(relativeTime('2024-05-09T12:00:00Z', NOW)).toBe('1 day ago');
    expect(relativeTime('2024-04-20T12:00:00Z', NOW)).toBe('20 days ago');
    expect(relativeTime('2024-04-01T12:00:00Z', NOW)).toBe('2024-04-01');
    expect(relativeTime('not a time', NOW)).toBe('not a time');
  });

  it('gives the exact time to the second, local for people and UTC for reports', () => {
    expect(exactTime('2024-05-10T11:59:50Z')).toMatch(/^\d{4}-\d\d-\d\d \d\d:59:50$/);
    const local = new Date(2024, 4, 10, 13, 5, 9).toISOString();
    expect(exactTime(local)).toBe('2024-05-10 13:05:09');
    expect(utcTime('2024-05-10T11:59:50.123Z')).toBe('2024-05-10 11:59:50');
  });
});
