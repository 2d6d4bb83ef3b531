// The commands of one batch call still to send, and how many go in the next request: a small calibration request
// first, then chunks sized so a request stays well inside the portal's 60 s cut-off, within what the request
// bucket and each method's operating budget allow now.
import type { BatchEngine } from './batch-engine.ts';
import type { BatchSections } from './envelope.ts';
import type { Bitrix24Error } from './errors.ts';
import type { BatchCommand, BatchOptions, CommandOutcome } from './types.ts';

/** The portal's hard cap on commands per batch. */
export const BATCH_MAX_COMMANDS = 50;
/** Seconds one batch request should take at most: well inside the portal's 60 s cut-off. */
const TARGET_REQUEST_SECONDS = 20;
/**
 * Commands in the first request, sent alone: its answer tells how long a command takes before any full-size
 * chunk risks the 60 s cut-off, and how much operating time a call costs.
 */
const CALIBRATION_CHUNK = 5;
/** Times one command may be sent again after it provably did not run. */
const MAX_ATTEMPTS = 30;

export interface Pending {
  command: BatchCommand;
  attempts: number;
  ambiguous: number;
  lastError: Bitrix24Error | undefined;
  /** Unix ms before which it is not sent again (back-off after QUERY_LIMIT_EXCEEDED inside a batch). */
  notBefore: number;
}

export class BatchQueue {
  pending: Pending[];
  private chunkSize: number;
  private readonly maxChunk: number;
  private readonly targetSeconds: number;
  private readonly costKey: string;
  /** Smoothed seconds one command takes on the portal, from `result_time` and the request's own duration. */
  private secondsPerCommand: number | null;

  constructor(
    private readonly engine: BatchEngine,
    commands: readonly BatchCommand[],
    options: BatchOptions,
  ) {
    this.maxChunk = Math.max(1, Math.min(BATCH_MAX_COMMANDS, Math.floor(options.maxChunkSize ?? BATCH_MAX_COMMANDS)));
    this.targetSeconds = options.targetRequestSeconds ?? TARGET_REQUEST_SECONDS;
    // A later batch of the same methods starts from what the earlier ones learned: a calibration request per call
    // would cost the bulk run one extra request in every window of chats, against a bucket of 2 requests a second.
    this.costKey = [...new Set(commands.map((command) => command.method))].sort().join(' ');
    this.secondsPerCommand = engine.commandSeconds.get(this.costKey) ?? null;
    // Reads may be sent again: one cut off at 60 s comes back smaller once its time is known, so only writes pay
    // for a calibration request.
    this.chunkSize =
      this.secondsPerCommand !== null
        ? this.chunkFor(this.secondsPerCommand)
        : options.idempotent
          ? this.maxChunk
          : Math.min(this.maxChunk, CALIBRATION_CHUNK);
    this.pending = commands.map((command) => ({
      command,
      attempts: 0,
      ambiguous: 0,
      lastError: undefined,
      notBefore: 0,
    }));
  }

  /** The first answer has told how long a command takes: from now on requests may overlap. */
  get calibrated(): boolean {
    return this.secondsPerCommand !== null;
  }

  /** Puts commands that did not run back at the head of the queue, or fails them after too many tries. */
  requeue(items: Pending[], error: Bitrix24Error, settled: CommandOutcome[], notBefore = 0): void {
    const back: Pending[] = [];
    for (const item of items) {
      item.attempts += 1;
      item.lastError = error;
      item.notBefore = notBefore;
      if (item.attempts > MAX_ATTEMPTS) settled.push({ key: item.command.key, status: 'failed', error });
      else back.push(item);
    }
    this.pending = [...back, ...this.pending];
  }

  /** Learns from a request's answer (or its unknown fate) how long a command takes, and sizes the next chunks. */
  adapt(sections: BatchSections | null, elapsedMs: number, sent: number): void {
    let sum = 0;
    let counted = 0;
    for (const time of Object.values(sections?.resultTime ?? {})) {
      if (time?.duration !== undefined) {
        sum += time.duration;
        counted += 1;
      }
    }
    // A request cannot have taken longer than it was observed to take: this guards against durations in other
    // units, and covers answers without result_time.
    const observed = elapsedMs / 1000;
    const sample = counted > 0 ? Math.min(sum, observed) / counted : observed / Math.max(1, sent);
    const smoothed = this.secondsPerCommand === null ? sample : this.secondsPerCommand * 0.6 + sample * 0.4;
    this.secondsPerCommand = smoothed;
    this.engine.commandSeconds.set(this.costKey, smoothed);
    this.chunkSize = this.chunkFor(smoothed);
  }

  /** The portal ran only the first `cap` commands of a request (ERROR_BATCH_LENGTH_EXCEEDED). */
  capChunk(cap: number): void {
    this.chunkSize = Math.max(1, Math.min(this.chunkSize, cap));
  }

  /** The commands the next request would carry now (empty: wait). */
  plan(): Pending[] {
    const { tracker, clock } = this.engine;
    if (tracker.quota('batch', 1) === 0) return [];
    const now = clock.now();
    const room = new Map<string, number>();
    const picked: Pending[] = [];
    for (const item of this.pending) {
      if (picked.length >= this.chunkSize) break;
      if (item.notBefore > now) continue;
      const method = item.command.method;
      let left = room.get(method);
      if (left === undefined) {
        left = tracker.quota(method, this.chunkSize);
        room.set(method, left);
      }
      if (left <= 0) continue;
      room.set(method, left - 1);
      picked.push(item);
    }
    return picked;
  }

  /** Takes the chosen commands out of the queue: they are on their way. */
  take(chosen: readonly Pending[]): void {
    const taken = new Set(chosen);
    this.pending = this.pending.filter((item) => !taken.has(item));
  }

  /** When something held becomes free again (unix ms), or null when only answers in flight can change things. */
  nextWake(): number | null {
    const { tracker, clock } = this.engine;
    let wake: number | null = tracker.heldUntil('batch');
    const seen = new Set<string>();
    for (const item of this.pending) {
      if (item.notBefore > clock.now()) wake = wake === null ? item.notBefore : Math.min(wake, item.notBefore);
      if (seen.has(item.command.method)) continue;
      seen.add(item.command.method);
      const held = tracker.heldUntil(item.command.method);
      if (held !== null) wake = wake === null ? held : Math.min(wake, held);
    }
    return wake;
  }

  private chunkFor(seconds: number): number {
    return Math.max(1, Math.min(this.maxChunk, Math.floor(this.targetSeconds / Math.max(seconds, 1e-6))));
  }
}
