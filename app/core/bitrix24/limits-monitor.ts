// The observable state of a portal's limits, for the UI. Changes are coalesced: listeners hear at most one
// snapshot per interval however many requests a bulk run makes.
import type { Clock, LimitHit, LimitsMonitor, LimitsSnapshot } from './types.ts';

const RECENT_HITS = 50;
const RECENT_HITS_WINDOW_MS = 10 * 60_000;

export interface LimitsSources {
  portal: string;
  clock: Clock;
  bucket: () => { level: number; capacity: number; drainPerSecond: number };
  waiting: () => number;
  methods: () => LimitsSnapshot['methods'];
  /** Minimum milliseconds between two notifications (default 100). */
  intervalMs?: number;
}

export class PortalLimitsMonitor implements LimitsMonitor {
  private readonly listeners = new Set<(snapshot: LimitsSnapshot) => void>();
  private readonly hits: LimitHit[] = [];
  private blocked: LimitsSnapshot['blocked'] = null;
  private requestsSent = 0;
  private timer: NodeJS.Timeout | null = null;
  private lastEmit = 0;
  private readonly intervalMs: number;

  constructor(private readonly sources: LimitsSources) {
    this.intervalMs = sources.intervalMs ?? 100;
  }

  snapshot(): LimitsSnapshot {
    const now = this.sources.clock.now();
    const bucket = this.sources.bucket();
    return {
      portal: this.sources.portal,
      bucket: {
        level: Math.round(bucket.level * 100) / 100,
        capacity: bucket.capacity,
        drainPerSecond: bucket.drainPerSecond,
      },
      waiting: this.sources.waiting(),
      methods: this.sources.methods(),
      recentHits: this.hits.filter((hit) => now - hit.at <= RECENT_HITS_WINDOW_MS).map((hit) => ({ ...hit })),
      blocked: this.blocked ? { ...this.blocked } : null,
      requestsSent: this.requestsSent,
    };
  }

  subscribe(listener: (snapshot: LimitsSnapshot) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0 && this.timer) {
        clearTimeout(this.timer);
        this.timer = null;
      }
    };
  }

  /** Something changed: schedule one notification (coalesced with any others in the interval). */
  changed(): void {
    if (this.listeners.size === 0 || this.timer) return;
    const wait = Math.max(0, this.lastEmit + this.intervalMs - Date.now());
    this.timer = setTimeout(() => this.emit(), wait);
    this.timer.unref?.();
  }

  private emit(): void {
    this.timer = null;
    this.lastEmit = Date.now();
    const snapshot = this.snapshot();
    for (const listener of [...this.listeners]) {
      try {
        listener(snapshot);
      } catch {
        // A failing listener must not break the client or the other listeners.
      }
    }
  }

  requestSent(): void {
    this.requestsSent += 1;
    this.changed();
  }

  hit(code: string, method: string): void {
    this.hits.push({ at: this.sources.clock.now(), code, method });
    if (this.hits.length > RECENT_HITS) this.hits.splice(0, this.hits.length - RECENT_HITS);
    this.changed();
  }

  block(code: string, message: string): void {
    this.blocked = { code, message, at: this.sources.clock.now() };
    this.changed();
  }

  clearBlock(): void {
    this.blocked = null;
    this.changed();
  }

  isBlocked(): LimitsSnapshot['blocked'] {
    return this.blocked;
  }
}
