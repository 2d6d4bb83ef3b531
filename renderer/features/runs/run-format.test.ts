import { describe, expect, it } from 'vitest';
import { clockTime } from '../../shared/format.ts';
import { expectedDurationText, progressText } from './run-format.ts';
import { runProgress } from './test-support.ts';

describe('progressText', () => {
  it('counts started, verified and already active chats as done, names failed and skipped, and says the time left', () => {
    const run = runProgress({
      etaSeconds: 125,
      counts: { pending: 3, sent: 2, started: 1, verified: 1, 'already-active': 1, failed: 1, skipped: 1 },
    });
    expect(progressText(run)).toBe('3 of 10 chats done, 1 failed, 1 skipped, about 2 min left');
  });

  it('a cancelled run does not read as all done', () => {
    const run = runProgress({ status: 'cancelled', counts: { pending: 0, started: 5, failed: 2, skipped: 3 } });
    expect(progressText(run)).toBe('5 of 10 chats done, 2 failed, 3 skipped');
    expect(progressText(runProgress({ counts: { pending: 0, started: 9, failed: 1 } }))).toBe(
      '9 of 10 chats done, 1 failed',
    );
  });

  it('says no time left while the pace is unknown', () => {
    expect(progressText(runProgress({ etaSeconds: null }))).toBe('0 of 10 chats done');
  });

  it('keeps the time left while the run waits for the portal, drops it once paused or ended', () => {
    expect(progressText(runProgress({ status: 'holding', etaSeconds: 30 }))).toBe(
      '0 of 10 chats done, about 30 s left',
    );
    expect(progressText(runProgress({ status: 'paused', etaSeconds: 30 }))).toBe('0 of 10 chats done');
    for (const status of ['stopped', 'cancelled', 'finished', 'interrupted'] as const) {
      expect(progressText(runProgress({ status, etaSeconds: 30 })), status).toBe('0 of 10 chats done');
    }
  });

  it('says until when a held run waits instead of a time left from before the hold', () => {
    const until = Date.UTC(2026, 0, 2, 9, 14, 5);
    const held = runProgress({
      status: 'holding',
      etaSeconds: 1_320,
      reason: { code: 'OPERATION_TIME_LIMIT', message: 'held', until },
    });
    expect(progressText(held)).toBe(`0 of 10 chats done, waiting for the portal's budget until ${clockTime(until)}`);
    const proxy = runProgress({ status: 'holding', etaSeconds: 60, reason: { code: 'IN_FLIGHT', message: '', until } });
    expect(progressText(proxy)).toBe(`0 of 10 chats done, waiting for the portal until ${clockTime(until)}`);
  });

  it('writes large counts with the locale grouping', () => {
    const run = runProgress({ total: 12_345, counts: { pending: 0, started: 12_345 } });
    expect(progressText(run)).toBe(`${(12_345).toLocaleString()} of ${(12_345).toLocaleString()} chats done`);
  });
});

describe('expectedDurationText', () => {
  it('reads a run shorter than a second as "under 1 s", a longer one as about its duration', () => {
    expect(expectedDurationText(0)).toBe('under 1 s');
    expect(expectedDurationText(0.4)).toBe('under 1 s');
    expect(expectedDurationText(1)).toBe('about 1 s');
    expect(expectedDurationText(5_400)).toBe('about 1 h 30 min');
  });
});
