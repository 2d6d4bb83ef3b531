// What a batch needs from the client that runs it: the clock, the request bucket and operating budgets, the one
// way to send a request, and the retry back-off both use. Kept apart so the client and the batch do not import
// each other.
import type { SuccessEnvelope } from './envelope.ts';
import type { Bitrix24Error } from './errors.ts';
import type { LeakyBucket } from './leaky-bucket.ts';
import type { PortalLimitsMonitor } from './limits-monitor.ts';
import type { OperatingTracker } from './operating-tracker.ts';
import type { CallOptions, Clock, MethodResult } from './types.ts';

export interface SendOptions {
  signal?: AbortSignal | undefined;
  /** The caller already took this request's slot in the bucket. */
  slotTaken?: boolean;
}

export interface Sent {
  envelope: SuccessEnvelope;
  status: number;
  elapsedMs: number;
}

export interface BatchEngine {
  clock: Clock;
  bucket: LeakyBucket;
  tracker: OperatingTracker;
  monitor: PortalLimitsMonitor;
  send(method: string, params: Record<string, unknown>, options: SendOptions): Promise<Sent>;
  call<T>(method: string, params: Record<string, unknown>, options: CallOptions): Promise<MethodResult<T>>;
  /** True when the error proves the request never ran on the portal. */
  neverRan(error: unknown): boolean;
  blockedError(): Bitrix24Error | null;
  redact(text: string): string;
  log(line: string): void;
  /** Smoothed portal seconds per command, by the methods a batch carries, learned across this client's batches. */
  commandSeconds: Map<string, number>;
}

/** Exponential back-off for the `attempt`-th retry, capped, with jitter. */
export function backoffMs(attempt: number, baseMs = 500, capMs = 30_000): number {
  const raw = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
  // Full jitter on the upper half keeps concurrent callers from retrying in lockstep.
  return Math.round(raw / 2 + Math.random() * (raw / 2));
}
