// Samples of a portal's request counter, taken from each `limits.changed` snapshot, for the requests chart.
// Kept in memory only: the chart covers what this page has seen.
import { useSyncExternalStore } from 'react';
import type { LimitsSnapshot } from '../../../app/contract/index.ts';

export interface LimitsSample {
  at: number;
  /** The client's cumulative request count (it restarts at 0 when the host restarts). */
  requestsSent: number;
}

const MAX_SAMPLES = 4_000;
const EMPTY: readonly LimitsSample[] = [];
const samples = new Map<string, readonly LimitsSample[]>();
const listeners = new Set<() => void>();

export function recordLimits(snapshot: LimitsSnapshot, at = Date.now()): void {
  const current = samples.get(snapshot.portal) ?? EMPTY;
  const last = current.at(-1);
  if (last && last.requestsSent === snapshot.requestsSent && at - last.at < 1_000) return;
  const next = [...current, { at, requestsSent: snapshot.requestsSent }];
  samples.set(snapshot.portal, next.length > MAX_SAMPLES ? next.slice(next.length - MAX_SAMPLES) : next);
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** What this page has recorded for a portal, oldest first. */
export function limitsHistoryOf(portal: string | undefined): readonly LimitsSample[] {
  return portal ? (samples.get(portal) ?? EMPTY) : EMPTY;
}

export function useLimitsHistory(portal: string | undefined): readonly LimitsSample[] {
  return useSyncExternalStore(subscribe, () => limitsHistoryOf(portal));
}

export interface RequestBins {
  /** Requests sent in each bin, oldest first. */
  counts: number[];
  from: number;
  to: number;
  binMs: number;
  total: number;
}

/** Requests per time slice between `from` and `to`, from the counter's increases (a restart counts from 0). */
export function binRequests(history: readonly LimitsSample[], from: number, to: number, bins: number): RequestBins {
  const span = Math.max(1_000, to - from);
  const binMs = span / bins;
  const counts = new Array<number>(bins).fill(0);
  let total = 0;
  for (let i = 1; i < history.length; i++) {
    const previous = history[i - 1]!;
    const sample = history[i]!;
    if (sample.at < from || sample.at > to) continue;
    const added =
      sample.requestsSent >= previous.requestsSent ? sample.requestsSent - previous.requestsSent : sample.requestsSent;
    const bin = Math.min(bins - 1, Math.max(0, Math.floor((sample.at - from) / binMs)));
    counts[bin]! += added;
    total += added;
  }
  return { counts, from, to: from + span, binMs, total };
}
