// The portal's two limits: the request leaky bucket (real seconds) and per-method operating time in a sliding
// window of ten buckets (scaled by timeScale).

export class RequestBucket {
  private level = 0;
  private updatedAt = Date.now();

  constructor(
    public capacity: number,
    public drainPerSecond: number,
  ) {}

  /** Adds one request if it fits; false means the portal answers 503 QUERY_LIMIT_EXCEEDED (not counted). */
  take(now = Date.now()): boolean {
    this.drain(now);
    if (this.level + 1 > this.capacity) return false;
    this.level += 1;
    return true;
  }

  current(now = Date.now()): number {
    this.drain(now);
    return this.level;
  }

  private drain(now: number): void {
    this.level = Math.max(0, this.level - ((now - this.updatedAt) / 1000) * this.drainPerSecond);
    this.updatedAt = now;
  }
}

interface TimeBucket {
  /** Real ms when the bucket's first call was billed. */
  startedAt: number;
  /** Portal seconds billed into it. */
  seconds: number;
}

export interface OperatingState {
  /** Portal seconds used by the method in the window. */
  operating: number;
  /** Real unix ms when the oldest bucket leaves the window (undefined when nothing was billed). */
  resetAtMs: number | undefined;
}

export class OperatingTracker {
  private readonly methods = new Map<string, TimeBucket[]>();

  constructor(
    /** Budget per method, portal seconds. */
    private readonly limitSeconds: number,
    /** Window length in real ms (portal window / timeScale). */
    private readonly windowMs: number,
  ) {}

  private get bucketMs(): number {
    return this.windowMs / 10;
  }

  state(method: string, now = Date.now()): OperatingState {
    const buckets = this.prune(method, now);
    const operating = buckets.reduce((sum, bucket) => sum + bucket.seconds, 0);
    const oldest = buckets[0];
    return { operating, resetAtMs: oldest === undefined ? undefined : oldest.startedAt + this.windowMs };
  }

  /** Checked before each call: at or over the budget, the method is refused until buckets expire. */
  blocked(method: string, now = Date.now()): boolean {
    return this.state(method, now).operating >= this.limitSeconds;
  }

  bill(method: string, seconds: number, now = Date.now()): void {
    const buckets = this.prune(method, now);
    const last = buckets[buckets.length - 1];
    if (last !== undefined && now < last.startedAt + this.bucketMs) last.seconds += seconds;
    else buckets.push({ startedAt: now, seconds });
  }

  reset(): void {
    this.methods.clear();
  }

  private prune(method: string, now: number): TimeBucket[] {
    let buckets = this.methods.get(method);
    if (!buckets) {
      buckets = [];
      this.methods.set(method, buckets);
    }
    while (buckets.length > 0 && (buckets[0]?.startedAt ?? 0) + this.windowMs <= now) buckets.shift();
    return buckets;
  }
}
