// How long a bulk run will take, from the portal's limits: the request bucket, each method's operating budget
// and what a call of each method costs. The run is bound by whichever is slowest; the preview says which.
import type { LimitsSnapshot } from '../bitrix24/types.ts';

export const METHODS = {
  start: 'imopenlines.session.start',
  finish: 'imopenlines.operator.another.finish',
  read: 'imopenlines.dialog.get',
  /** Read once per run for the portal's highest session id (the watermark). */
  sessionList: 'imopenlines.v2.Session.list',
} as const;

/**
 * How a run tells a new session from the one a chat had: one watermark read for the whole run (Session.list), or a
 * read of each chat before its write where the portal has no Session.list for this user.
 */
export type SessionCheck = 'watermark' | 'per-chat';

/** Batch commands per request: the portal's cap. */
export const MAX_BATCH = 50;

/**
 * Seconds of portal time one call costs when nothing better is known: the docs' example for session.start is
 * about 0.8 s; closing is a write of the same weight; dialog.get is a plain read.
 */
export const DEFAULT_COSTS: Readonly<Record<string, number>> = {
  [METHODS.start]: 0.8,
  [METHODS.finish]: 0.8,
  [METHODS.read]: 0.1,
};

/** One request should stay well inside the portal's 60 s limit (the engine aims at 20 s). */
const REQUEST_SECONDS_TARGET = 20;
/** Round trip and framing per request, seconds. */
const REQUEST_OVERHEAD_SECONDS = 0.1;

export interface EstimateOptions {
  /** Length of the portal's operating window, seconds (600 in the cloud). */
  operatingWindowSeconds?: number;
  /** Operating budget per method when the snapshot has none for it (480 in the cloud). */
  budgetSeconds?: number;
  maxChunkSize?: number;
}

export interface EstimateInput {
  /** Calls per method still to make. */
  calls: Record<string, number>;
  /** Seconds per call, per method (missing: DEFAULT_COSTS). */
  costs: Record<string, number>;
  limits: LimitsSnapshot | null;
  now: number;
}

export interface Estimate {
  requests: number;
  seconds: number;
  /** What bounds the run: `bucket`, `execution`, or the method whose operating budget does. */
  boundBy: string;
}

export function costOf(costs: Record<string, number>, method: string): number {
  const cost = costs[method] ?? DEFAULT_COSTS[method] ?? 0.5;
  return Number.isFinite(cost) && cost > 0 ? cost : (DEFAULT_COSTS[method] ?? 0.5);
}

/** Commands one request carries for a method of this cost. */
export function chunkSizeFor(cost: number, maxChunkSize = MAX_BATCH): number {
  return Math.max(1, Math.min(maxChunkSize, MAX_BATCH, Math.floor(REQUEST_SECONDS_TARGET / cost)));
}

export function estimate(input: EstimateInput, options: EstimateOptions = {}): Estimate {
  const window = options.operatingWindowSeconds ?? 600;
  let requests = 0;
  let execution = 0;
  let slowestOperating = 0;
  let slowestMethod = '';
  for (const [method, calls] of Object.entries(input.calls)) {
    if (calls <= 0) continue;
    const cost = costOf(input.costs, method);
    const chunk = chunkSizeFor(cost, options.maxChunkSize);
    const methodRequests = Math.ceil(calls / chunk);
    requests += methodRequests;
    execution += calls * cost + methodRequests * REQUEST_OVERHEAD_SECONDS;
    // The budget refills by `budget` per window; what does not fit in what is left now waits for it.
    const tracked = input.limits?.methods.find((entry) => entry.method === method);
    const budget = tracked?.budgetSeconds ?? options.budgetSeconds ?? 480;
    const used = tracked ? usedNow(tracked.operatingSeconds, tracked.resetAt, input.now, window) : 0;
    const work = calls * cost;
    const room = Math.max(0, budget - used);
    let operating = 0;
    if (work > room && budget > 0) {
      operating = ((work - room) / budget) * window;
      if (tracked?.heldUntil && tracked.heldUntil > input.now) operating += (tracked.heldUntil - input.now) / 1000;
    }
    if (operating > slowestOperating) {
      slowestOperating = operating;
      slowestMethod = method;
    }
  }
  // Reads and writes run side by side; the serial execution sum is an upper bound on that part.
  let seconds = Math.max(execution, slowestOperating);
  let boundBy = slowestOperating > execution ? slowestMethod : 'execution';
  const bucket = input.limits?.bucket;
  if (bucket && bucket.drainPerSecond > 0) {
    const free = Math.max(0, bucket.capacity - bucket.level);
    const bucketSeconds = Math.max(0, requests - free) / bucket.drainPerSecond;
    if (bucketSeconds > seconds) {
      seconds = bucketSeconds;
      boundBy = 'bucket';
    }
  }
  return { requests, seconds: Math.ceil(seconds), boundBy };
}

/** Operating seconds still counted now: the snapshot's level, or nothing once its window has passed. */
function usedNow(level: number, resetAt: number | null, now: number, windowSeconds: number): number {
  if (resetAt !== null && now >= resetAt + windowSeconds * 1000) return 0;
  return level;
}

/**
 * Calls a run makes for `chats` chats still to do: the write(s) and a read after each; before them one watermark
 * read for the run, or a read of each chat where the portal has no Session.list.
 */
export function callsFor(
  mode: 'start' | 'restart',
  chats: number,
  check: SessionCheck = 'per-chat',
): Record<string, number> {
  return {
    ...(check === 'watermark' ? { [METHODS.sessionList]: 1 } : {}),
    [METHODS.read]: check === 'watermark' ? chats : chats * 2,
    [METHODS.start]: chats,
    ...(mode === 'restart' ? { [METHODS.finish]: chats } : {}),
  };
}
