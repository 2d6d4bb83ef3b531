// What a run reports while it goes: throttled progress events, the call costs it measures on the portal, and the
// time it has left, estimated from those costs and the portal's current limits.
import type { RunProgress } from '../../contract/runs.ts';
import type { LimitsSnapshot } from '../bitrix24/types.ts';
import { estimate, METHODS } from './estimate.ts';
import type { RunAction } from './run-action.ts';
import type { RunState } from './run-state.ts';

const EMIT_EVERY_MS = 250;

/** Progress listeners hear at most one event per 250 ms, however busy the lanes are; `now` skips the wait. */
export class ProgressEmitter {
  private readonly listeners = new Set<(progress: RunProgress) => void>();
  private timer: NodeJS.Timeout | null = null;
  private lastEmit = 0;

  constructor(
    private readonly progress: () => RunProgress,
    private readonly onListenerError: (error: unknown) => void,
  ) {}

  subscribe(listener: (progress: RunProgress) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  soon(): void {
    if (this.timer) return;
    const wait = Math.max(0, this.lastEmit + EMIT_EVERY_MS - Date.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      this.now();
    }, wait);
  }

  now(): void {
    this.lastEmit = Date.now();
    if (this.listeners.size === 0) return;
    const progress = this.progress();
    for (const listener of [...this.listeners]) {
      try {
        listener(progress);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }

  /** The run ended: no event is left pending (the caller sends the last one with `now`). */
  cancelPending(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}

/** Seconds of portal time per call, averaged by method over this execution's answers. */
export class CostSamples {
  private readonly samples = new Map<string, { sum: number; count: number }>();

  add(method: string, time: { processing?: number; duration?: number } | undefined): void {
    const seconds = time?.processing ?? time?.duration;
    if (seconds === undefined || !(seconds >= 0)) return;
    const sample = this.samples.get(method) ?? { sum: 0, count: 0 };
    sample.sum += seconds;
    sample.count++;
    this.samples.set(method, sample);
  }

  measured(): Record<string, number> {
    const costs: Record<string, number> = {};
    for (const [method, { sum, count }] of this.samples) if (count > 0 && sum > 0) costs[method] = sum / count;
    return costs;
  }
}

export interface TimeLeftInput {
  state: RunState;
  action: RunAction;
  /** Started chats the run no longer tries to confirm. */
  gaveUpVerify: ReadonlySet<number>;
  /** Seconds per call by method: what earlier runs measured, overridden by this one's samples. */
  costs: Record<string, number>;
  limits: LimitsSnapshot;
  maxChunkSize: number;
  operatingWindowSeconds?: number;
}

/** Seconds the run still needs for its reads and writes at the portal's current limits. */
export function secondsLeft(input: TimeLeftInput): number {
  const { state } = input;
  const calls: Record<string, number> = { [METHODS.read]: 0 };
  let total = 0;
  const add = (method: string, count: number) => {
    calls[method] = (calls[method] ?? 0) + count;
    total += count;
  };
  for (const chat of state.chats.values()) {
    if (chat.state === 'pending' || chat.state === 'sent') {
      // A chat without a reference session is read before its write as well as after.
      add(METHODS.read, state.hasReference(chat) ? 1 : 2);
      for (const [method, count] of Object.entries(input.action.writesLeft(chat))) add(method, count);
    } else if (chat.state === 'started' && !input.gaveUpVerify.has(chat.chatId)) add(METHODS.read, 1);
  }
  if (total === 0) return 0;
  return estimate(
    { calls, costs: input.costs, limits: input.limits, now: Date.now() },
    {
      maxChunkSize: input.maxChunkSize,
      ...(input.operatingWindowSeconds ? { operatingWindowSeconds: input.operatingWindowSeconds } : {}),
    },
  ).seconds;
}
