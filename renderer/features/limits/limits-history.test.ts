import { describe, expect, it } from 'vitest';
import type { LimitsSnapshot } from '../../../app/contract/index.ts';
import { binRequests, type LimitsSample, limitsHistoryOf, recordLimits } from './limits-history.ts';

function snapshot(portal: string, requestsSent: number): LimitsSnapshot {
  return {
    portal,
    bucket: { level: 0, capacity: 50, drainPerSecond: 2 },
    waiting: 0,
    methods: [],
    recentHits: [],
    blocked: null,
    requestsSent,
  };
}

// The history lives as long as the page: each test records under a portal of its own.
describe('recordLimits', () => {
  it('keeps each portal apart, oldest sample first', () => {
    recordLimits(snapshot('a.example', 1), 1_000);
    recordLimits(snapshot('b.example', 7), 1_500);
    recordLimits(snapshot('a.example', 4), 3_000);
    expect(limitsHistoryOf('a.example')).toEqual([
      { at: 1_000, requestsSent: 1 },
      { at: 3_000, requestsSent: 4 },
    ]);
    expect(limitsHistoryOf('b.example')).toEqual([{ at: 1_500, requestsSent: 7 }]);
    expect(limitsHistoryOf(undefined)).toEqual([]);
  });

  it('drops a repeat of the same count within a second, keeps it after one so the chart moves on', () => {
    recordLimits(snapshot('repeat.example', 5), 10_000);
    recordLimits(snapshot('repeat.example', 5), 10_500);
    expect(limitsHistoryOf('repeat.example')).toHaveLength(1);
    recordLimits(snapshot('repeat.example', 6), 10_600);
    recordLimits(snapshot('repeat.example', 6), 11_600);
    expect(limitsHistoryOf('repeat.example').map((sample) => sample.at)).toEqual([10_000, 10_600, 11_600]);
  });

  it('holds at most 4,000 samples, the newest', () => {
    for (let i = 0; i < 4_010; i++) recordLimits(snapshot('long.example', i), i * 1_000);
    const history = limitsHistoryOf('long.example');
    expect(history).toHaveLength(4_000);
    expect(history[0]).toEqual({ at: 10_000, requestsSent: 10 });
    expect(history.at(-1)).toEqual({ at: 4_009_000, requestsSent: 4_009 });
  });
});

describe('binRequests', () => {
  const samples = (...pairs: [number, number][]): LimitsSample[] =>
    pairs.map(([at, requestsSent]) => ({ at, requestsSent }));

  it('puts each increase of the counter in the slice of time it happened in', () => {
    const bins = binRequests(samples([0, 0], [1_000, 5], [2_500, 8], [3_900, 18]), 0, 4_000, 4);
    expect(bins.counts).toEqual([0, 5, 3, 10]);
    expect(bins.total).toBe(18);
    expect(bins.binMs).toBe(1_000);
  });

  it('counts from zero after the host restarted its counter', () => {
    const bins = binRequests(samples([0, 40], [1_000, 50], [2_000, 3]), 0, 3_000, 3);
    expect(bins.counts).toEqual([0, 10, 3]);
    expect(bins.total).toBe(13);
  });

  it('leaves out what happened outside the window and puts its last moment in the last slice', () => {
    const bins = binRequests(samples([0, 0], [500, 100], [5_000, 110], [10_000, 112], [12_000, 150]), 5_000, 10_000, 5);
    expect(bins.counts).toEqual([10, 0, 0, 0, 2]);
    expect(bins.total).toBe(12);
  });

  it('spans at least a second, so a window of no time still has slices', () => {
    const bins = binRequests([], 7_000, 7_000, 10);
    expect(bins).toMatchObject({ from: 7_000, to: 8_000, binMs: 100, total: 0 });
    expect(bins.counts).toHaveLength(10);
  });
});
