import { describe, expect, it } from 'vitest';
import { clockTime, dateTimeOf, formatAge, formatDateTime, formatDuration } from './format.ts';

describe('formatDuration', () => {
  it('reads seconds under a minute, rounded', () => {
    expect(formatDuration(0)).toBe('0 s');
    expect(formatDuration(12.4)).toBe('12 s');
    expect(formatDuration(59.4)).toBe('59 s');
    expect(formatDuration(59.6)).toBe('1 min');
  });

  it('reads whole minutes under an hour', () => {
    expect(formatDuration(60)).toBe('1 min');
    expect(formatDuration(119)).toBe('1 min');
    expect(formatDuration(3_599)).toBe('59 min');
  });

  it('reads hours with their minutes up to two days, then days', () => {
    expect(formatDuration(3_600)).toBe('1 h');
    expect(formatDuration(5_400)).toBe('1 h 30 min');
    expect(formatDuration(47 * 3_600 + 59 * 60)).toBe('47 h 59 min');
    expect(formatDuration(48 * 3_600)).toBe('2 d');
    expect(formatDuration(10 * 86_400 + 5 * 3_600)).toBe('10 d');
  });

  it('never reads a negative time', () => {
    expect(formatDuration(-30)).toBe('0 s');
  });
});

describe('formatAge', () => {
  const now = Date.UTC(2026, 0, 2, 12, 0, 0);

  it('says how long ago, in the units of formatDuration', () => {
    expect(formatAge(now - 12_000, now)).toBe('12 s ago');
    expect(formatAge(now - 3 * 60_000, now)).toBe('3 min ago');
    expect(formatAge(now - 2 * 3_600_000, now)).toBe('2 h ago');
  });

  it('reads a time slightly ahead of this clock as just now', () => {
    expect(formatAge(now + 5_000, now)).toBe('0 s ago');
  });
});

describe('formatDateTime', () => {
  it('shows nothing for a missing time and the text itself when it is not a time', () => {
    expect(formatDateTime(null)).toBe('');
    expect(formatDateTime('')).toBe('');
    expect(formatDateTime('yesterday')).toBe('yesterday');
  });

  it('shows a portal time as a local date with its year, not as ISO text', () => {
    const shown = formatDateTime('2026-03-04T10:20:00+03:00');
    expect(shown).not.toContain('T10:20');
    expect(shown).toContain('2026');
  });
});

describe('clockTime and dateTimeOf', () => {
  it('reads the clock as HH:MM:SS on a 24-hour clock, midnight as 00', () => {
    expect(clockTime(new Date(2026, 0, 2, 0, 5, 7).getTime())).toMatch(/^00\D05\D07$/);
    expect(clockTime(new Date(2026, 0, 2, 13, 45, 9).getTime())).toMatch(/^13\D45\D09$/);
  });

  it('gives a run start its date and its seconds', () => {
    const shown = dateTimeOf(new Date(2026, 6, 15, 13, 45, 9).getTime());
    expect(shown).toContain('2026');
    expect(shown).toMatch(/45\D09/);
  });
});
