// Per-method operating time, as the portal reports it in `time.operating` (a level: seconds this method used in
// the portal's sliding window) and `operating_reset_at` (when the oldest part of the window drops out).
// The tracker lets a method run at full speed while it has room, lets only one request at a time through once
// it is near its budget, and holds it after OPERATION_TIME_LIMIT until the portal's own reset time. Other
// methods are not affected.
import { abortError } from './clock.ts';
import type { Clock, MethodOperating, TimeInfo } from './types.ts';

/** Share of the budget from which a method is slowed: fewer requests at once, each sized to the room left. */
export const NEAR_BUDGET = 0.8;
/** Requests of a method in flight at once near its budget (the predicted room already bounds their calls). */
const NEAR_BUDGET_IN_FLIGHT = 4;
/** Probing back-off when the portal refused a method without saying when it resets. */
const PROBE_FIRST_MS = 250;
const PROBE_MAX_MS = 30_000;
/** Calls in the request that learns a method's level after its reset time passed. */
const PROBE_CALLS = 2;

interface MethodState {
  method: string;
  level: number;
  /** Unix ms. */
  resetAt: number | null;
  heldUntil: number | null;
  /** Consecutive refusals without a success in between: drives the probing back-off. */
  refusals: number;
  /** Operating seconds one call adds, learnt from the portal's answers. */
  costPerCall: number | null;
  inFlightCalls: number;
  inFlightRequests: number;
}

/**
 * What one call adds to the level, when the answer says: the portal bills its processing time. Every imopenlines
 * example of the docs answers `processing: 0` though: then nothing is said, and the cost is learnt from how the
 * level grew (`duration` bounding it). Without `processing`, `duration` is the best word there is.
 */
function reportedCost(time: TimeInfo): number | undefined {
  if (time.processing === undefined) return time.duration;
  return time.processing > 0 ? time.processing : undefined;
}

/** A call cannot have cost the portal more than it took. */
function boundedByDuration(cost: number | undefined, duration: number | undefined): number | undefined {
  if (cost === undefined || duration === undefined || !(duration > 0)) return cost;
  return Math.min(cost, duration);
}

export interface OperatingTrackerOptions {
  budgetSeconds: number;
  clock: Clock;
  onChange?: () => void;
}

export interface ObservedEntry {
  method: string;
  time: TimeInfo | undefined;
}

export class OperatingTracker {
  readonly budgetSeconds: number;
  private readonly clock: Clock;
  private readonly onChange: (() => void) | undefined;
  private readonly states = new Map<string, MethodState>();
  private readonly listeners = new Set<() => void>();
  private waiters = 0;

  constructor(options: OperatingTrackerOptions) {
    this.budgetSeconds = options.budgetSeconds;
    this.clock = options.clock;
    this.onChange = options.onChange;
  }

  private state(method: string): MethodState {
    let state = this.states.get(method);
    if (!state) {
      state = {
        method,
        level: 0,
        resetAt: null,
        heldUntil: null,
        refusals: 0,
        costPerCall: null,
        inFlightCalls: 0,
        inFlightRequests: 0,
      };
      this.states.set(method, state);
    }
    return state;
  }

  private changed(): void {
    this.onChange?.();
    for (const listener of [...this.listeners]) listener();
  }

  /** Calls waiting for a held or saturated method. */
  waiting(): number {
    return this.waiters;
  }

  /** Feeds the `time` of one successful answer. */
  observe(method: string, time: TimeInfo | undefined): void {
    const state = this.state(method);
    if (time) {
      const reported = reportedCost(time);
      this.learnCost(state, reported ?? boundedByDuration(this.growth(state, time), time.duration));
      this.applyLevel(state, time);
    }
    this.succeeded(state);
    this.changed();
  }

  /**
   * How much the level grew with this answer: one call's cost when nothing else of the method was in flight (the
   * request has ended, so `inFlightCalls` counts only others) and the window did not move in between.
   */
  private growth(state: MethodState, time: TimeInfo): number | undefined {
    if (time.operating === undefined || state.resetAt === null || state.inFlightCalls > 0) return undefined;
    if (time.operatingResetAt === undefined || time.operatingResetAt * 1000 !== state.resetAt) return undefined;
    const grown = time.operating - state.level;
    return grown > 0 ? grown : undefined;
  }

  /**
   * Feeds every `result_time` entry of a batch, attributed to its command's method. A portal that bills per
   * command reports a rising level entry by entry; one that bills the outer batch copies the same batch-wide
   * level into every entry. The level is a running total, so both end with the latest one.
   */
  observeBatch(entries: readonly ObservedEntry[]): void {
    const byMethod = new Map<string, TimeInfo[]>();
    for (const entry of entries) {
      if (!entry.time) continue;
      const list = byMethod.get(entry.method) ?? [];
      list.push(entry.time);
      byMethod.set(entry.method, list);
    }
    for (const [method, times] of byMethod) {
      const state = this.state(method);
      times.sort((a, b) => (a.start ?? 0) - (b.start ?? 0));
      for (const time of times) this.learnCost(state, reportedCost(time));
      if (times.every((time) => reportedCost(time) === undefined)) {
        // No cost in the answer: the smallest step of the level between two entries is one call (larger steps hold
        // calls of other requests running at the same time), and no call cost more than the longest took.
        let smallest: number | undefined;
        for (let i = 1; i < times.length; i += 1) {
          const before = times[i - 1];
          const after = times[i];
          if (before?.operating === undefined || after?.operating === undefined) continue;
          if (before.operatingResetAt !== after.operatingResetAt) continue;
          const step = after.operating - before.operating;
          if (step > 0) smallest = smallest === undefined ? step : Math.min(smallest, step);
        }
        const longest = Math.max(0, ...times.map((time) => time.duration ?? 0));
        this.learnCost(state, boundedByDuration(smallest, longest));
      }
      for (const time of times) this.applyLevel(state, time);
      this.succeeded(state);
    }
    this.changed();
  }

  private learnCost(state: MethodState, sample: number | undefined): void {
    if (sample === undefined || !(sample > 0)) return;
    state.costPerCall = state.costPerCall === null ? sample : state.costPerCall * 0.7 + sample * 0.3;
  }

  private applyLevel(state: MethodState, time: TimeInfo): void {
    if (time.operating === undefined) return;
    const resetAt = time.operatingResetAt === undefined ? null : time.operatingResetAt * 1000;
    if (resetAt !== null && state.resetAt !== null && resetAt < state.resetAt) return; // an older answer
    if (resetAt !== null && state.resetAt !== null && resetAt === state.resetAt) {
      state.level = Math.max(state.level, time.operating);
    } else {
      state.level = time.operating;
    }
    state.resetAt = resetAt;
  }

  /** A successful answer: the probing back-off starts over once no hold is running. */
  private succeeded(state: MethodState): void {
    if (state.heldUntil === null || state.heldUntil <= this.clock.now()) state.refusals = 0;
  }

  /**
   * The portal refused the method with OPERATION_TIME_LIMIT: hold it until the last reset time it gave, or,
   * when that is unknown or already past, probe again after a growing back-off. Returns the hold's end (ms).
   */
  refused(method: string, hint?: TimeInfo): number {
    const state = this.state(method);
    if (hint) this.applyLevel(state, hint);
    const now = this.clock.now();
    let until: number;
    if (state.resetAt !== null && state.resetAt > now) {
      until = state.resetAt;
    } else {
      const backoff = Math.min(PROBE_MAX_MS, PROBE_FIRST_MS * 2 ** state.refusals);
      until = now + backoff * (0.8 + Math.random() * 0.4);
    }
    state.refusals += 1;
    state.level = Math.max(state.level, this.budgetSeconds);
    state.heldUntil = Math.max(state.heldUntil ?? 0, until);
    this.changed();
    return state.heldUntil;
  }

  /** Unix ms until which the method is held, or null. */
  heldUntil(method: string): number | null {
    const state = this.states.get(method);
    if (!state) return null;
    const now = this.clock.now();
    if (state.heldUntil !== null && state.heldUntil > now) return state.heldUntil;
    // Known to be at the budget and the portal said when room comes back: wait for that instead of asking.
    if (state.level >= this.budgetSeconds && state.resetAt !== null && state.resetAt > now) return state.resetAt;
    return null;
  }

  /**
   * How many calls of the method may be sent now (0: wait for answers in flight or a reset). The call that
   * crosses the budget is still allowed by the portal, so the room is rounded up.
   */
  quota(method: string, wanted: number): number {
    const state = this.states.get(method);
    if (!state || wanted <= 0) return wanted;
    if (this.heldUntil(method) !== null) return 0;
    // The portal never reported this method's level (not billed, or a portal without the limiter).
    if (state.resetAt === null && state.level === 0) return wanted;
    if (state.level >= this.budgetSeconds) {
      // The reset time has passed but nobody knows the new level yet: one small, quick probe to learn it.
      return state.inFlightRequests === 0 ? Math.min(wanted, PROBE_CALLS) : 0;
    }
    const cost = state.costPerCall;
    if (cost === null) {
      // Cost unknown yet: near the budget, one request at a time until an answer tells more.
      return state.level >= NEAR_BUDGET * this.budgetSeconds && state.inFlightRequests > 0 ? 0 : wanted;
    }
    const predicted = state.level + state.inFlightCalls * cost;
    if (predicted >= this.budgetSeconds) return 0;
    if (predicted >= NEAR_BUDGET * this.budgetSeconds && state.inFlightRequests >= NEAR_BUDGET_IN_FLIGHT) return 0;
    return Math.min(wanted, Math.max(1, Math.ceil((this.budgetSeconds - predicted) / cost)));
  }

  /** Counts calls of a request that is about to leave. */
  begin(method: string, calls: number): void {
    const state = this.state(method);
    state.inFlightCalls += calls;
    state.inFlightRequests += 1;
  }

  end(method: string, calls: number): void {
    const state = this.state(method);
    state.inFlightCalls = Math.max(0, state.inFlightCalls - calls);
    state.inFlightRequests = Math.max(0, state.inFlightRequests - 1);
    this.changed();
  }

  /** Resolves when `method` has room for at least one call; returns the room. */
  async waitForRoom(method: string, wanted: number, signal?: AbortSignal): Promise<number> {
    let room = this.quota(method, wanted);
    if (room > 0) return room;
    this.waiters += 1;
    this.onChange?.();
    try {
      while (room === 0) {
        await this.nextChange(this.heldUntil(method), signal);
        room = this.quota(method, wanted);
      }
      return room;
    } finally {
      this.waiters -= 1;
      this.onChange?.();
    }
  }

  /** Resolves on the next change of any method, or at `until` (unix ms) if that comes first. */
  nextChange(until: number | null, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortError());
    return new Promise<void>((resolve, reject) => {
      const timerAbort = new AbortController();
      const done = () => {
        this.listeners.delete(done);
        signal?.removeEventListener('abort', onAbort);
        timerAbort.abort();
        resolve();
      };
      const onAbort = () => {
        this.listeners.delete(done);
        timerAbort.abort();
        reject(abortError());
      };
      this.listeners.add(done);
      signal?.addEventListener('abort', onAbort, { once: true });
      if (until !== null) {
        this.clock.sleep(Math.max(0, until - this.clock.now()), timerAbort.signal).then(done, () => undefined);
      }
    });
  }

  /** Wakes everyone waiting in nextChange (e.g. when a batch's queue changed). */
  poke(): void {
    this.changed();
  }

  snapshot(): MethodOperating[] {
    const now = this.clock.now();
    return [...this.states.values()]
      .filter((state) => state.resetAt !== null || state.level > 0 || state.heldUntil !== null)
      .map((state) => ({
        method: state.method,
        operatingSeconds: state.level,
        budgetSeconds: this.budgetSeconds,
        resetAt: state.resetAt,
        heldUntil: state.heldUntil !== null && state.heldUntil > now ? state.heldUntil : null,
      }));
  }
}
