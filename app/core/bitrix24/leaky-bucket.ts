// Client-side copy of the portal's request bucket: every request adds one, the bucket drains continuously, and
// a request waits (first come, first served) until it fits. A small margin keeps the portal's bucket from ever
// overfilling when our clock and its clock disagree by a few milliseconds.
import { abortError } from './clock.ts';
import type { BucketLimits, Clock } from './types.ts';

interface Waiter {
  resolve: () => void;
  reject: (error: Error) => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

export interface LeakyBucketOptions extends BucketLimits {
  clock: Clock;
  /** Requests kept free below capacity (default: 4 % of capacity, at least 1). */
  margin?: number;
  onChange?: () => void;
}

export class LeakyBucket {
  readonly capacity: number;
  readonly drainPerSecond: number;
  private readonly usable: number;
  private readonly clock: Clock;
  private readonly onChange: (() => void) | undefined;
  private current = 0;
  private updatedAt: number;
  private readonly queue: Waiter[] = [];
  private pumping = false;

  constructor(options: LeakyBucketOptions) {
    if (!(options.capacity >= 1) || !(options.drainPerSecond > 0)) {
      throw new RangeError('A request bucket needs a capacity of at least 1 and a positive drain rate.');
    }
    this.capacity = options.capacity;
    this.drainPerSecond = options.drainPerSecond;
    const margin = options.margin ?? Math.max(1, Math.ceil(options.capacity * 0.04));
    this.usable = Math.max(1, options.capacity - margin);
    this.clock = options.clock;
    this.onChange = options.onChange;
    this.updatedAt = options.clock.now();
  }

  /** Requests currently counted in the bucket. */
  level(): number {
    this.drain();
    return this.current;
  }

  /** Callers waiting for room. */
  waiting(): number {
    return this.queue.length;
  }

  /** Resolves when one request may be sent; the request is counted from that moment. */
  acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortError());
    if (this.queue.length === 0 && this.tryTake()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          const index = this.queue.indexOf(waiter);
          if (index !== -1) this.queue.splice(index, 1);
          this.onChange?.();
          reject(abortError());
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      this.queue.push(waiter);
      this.onChange?.();
      void this.pump();
    });
  }

  /** Gives back a slot that was acquired but not used for a request. */
  refund(): void {
    this.drain();
    this.current = Math.max(0, this.current - 1);
    this.onChange?.();
    if (this.queue.length > 0) void this.pump();
  }

  /** The portal answered QUERY_LIMIT_EXCEEDED: its bucket is full whatever ours says (another app shares it). */
  markFull(): void {
    this.drain();
    this.current = Math.max(this.current, this.capacity);
    this.onChange?.();
  }

  private drain(): void {
    const now = this.clock.now();
    const elapsed = Math.max(0, now - this.updatedAt);
    this.current = Math.max(0, this.current - (elapsed / 1000) * this.drainPerSecond);
    this.updatedAt = now;
  }

  private tryTake(): boolean {
    this.drain();
    if (this.current + 1 > this.usable + 1e-9) return false;
    this.current += 1;
    this.onChange?.();
    return true;
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.queue.length > 0) {
        if (this.tryTake()) {
          const waiter = this.queue.shift();
          if (waiter) {
            waiter.signal?.removeEventListener('abort', waiter.onAbort);
            waiter.resolve();
          }
          continue;
        }
        const waitMs = ((this.current + 1 - this.usable) / this.drainPerSecond) * 1000;
        await this.clock.sleep(Math.max(1, Math.ceil(waitMs)));
      }
    } finally {
      this.pumping = false;
    }
  }
}
