// What the lanes of one run execution share: the state and its journal, the controls (pause, cancel, stop), the
// one abort signal and wake, the chats a lane has in the engine, and the plumbing every lane writes through.
import { setMaxListeners } from 'node:events';
import type { RunProgress, RunStatus } from '../../contract/runs.ts';
import { type Bitrix24Error, CLIENT_CODES } from '../bitrix24/errors.ts';
import type { JournalRecord, JournalWriter, RunReason } from './journal.ts';
import type { RunAction } from './run-action.ts';
import { Halt, stopMessage } from './run-errors.ts';
import { CostSamples, ProgressEmitter } from './run-progress.ts';
import type { RunState } from './run-state.ts';
import { DEFAULT_REQUEST_LIMIT_MS, type RunEnvironment } from './run-types.ts';
import { Wake } from './wake.ts';

/** Chats handed to the engine per batch call: small enough for pause to bite quickly, big enough to pipeline. */
const DEFAULT_WINDOW = 200;

export class RunCore {
  readonly runId: string;
  /** How long after sending a request the portal may still be running it. */
  readonly requestLimitMs: number;
  readonly windowSize: number;
  readonly maxChunkSize: number;
  readonly execStartedAt = Date.now();
  stop: { status: 'stopped' | 'interrupted'; reason: RunReason | null } | null = null;
  paused = false;
  cancelRequested = false;
  fatal: Error | null = null;
  readonly abort = new AbortController();
  readonly wake = new Wake();
  /** Chats one of the lanes has in the engine right now: the other lane leaves them alone. */
  readonly reserved = new Set<number>();
  readonly costs = new CostSamples();
  readonly events: ProgressEmitter;

  constructor(
    readonly env: RunEnvironment,
    readonly state: RunState,
    readonly journal: JournalWriter,
    readonly action: RunAction,
    progress: () => RunProgress,
  ) {
    this.runId = state.header.runId;
    this.requestLimitMs = env.requestLimitMs ?? state.header.requestLimitMs ?? DEFAULT_REQUEST_LIMIT_MS;
    this.windowSize = Math.max(1, env.windowSize ?? DEFAULT_WINDOW);
    this.maxChunkSize = Math.max(1, Math.min(50, env.maxChunkSize ?? 50));
    this.events = new ProgressEmitter(progress, (error) =>
      this.env.log?.(`bulk run ${this.runId}: a progress listener failed (${String(error)})`),
    );
    // Every request in flight (several per lane) listens on the run's one signal.
    setMaxListeners(0, this.abort.signal);
  }

  get halted(): boolean {
    return this.stop !== null || this.fatal !== null;
  }

  untilResumed(): Promise<void> {
    return this.wake.wait();
  }

  /** Refuses to let a request leave while pausing, cancelling or stopping. */
  checkSending(read: boolean): void {
    if (this.halted) throw new Halt('The run is stopping.');
    if (this.paused && !this.cancelRequested) throw new Halt('The run is paused.');
    if (this.cancelRequested && !read) throw new Halt('The run is being cancelled.');
  }

  stopFor(error: Bitrix24Error): void {
    // Our own halt (pause, cancel, interrupt) is not the portal's doing.
    if (error.code === CLIENT_CODES.aborted) return;
    if (this.stop) return;
    const code = error.code;
    this.stop = { status: 'stopped', reason: { code, message: stopMessage(error), until: null } };
    this.env.log?.(`bulk run ${this.runId} stopped: ${code}`);
    this.wake.notify();
    this.events.now();
  }

  /** Outcome handlers must not throw into the engine silently: a journal failure ends the run. */
  async guard(action: () => Promise<void>): Promise<void> {
    try {
      await action();
    } catch (error) {
      this.failFatally(error);
      throw error;
    }
  }

  failFatally(error: unknown): void {
    this.fatal ??= error instanceof Error ? error : new Error(String(error));
    this.wake.notify();
  }

  /** Journals the records (fsynced) and only then applies them: memory never runs ahead of the disk. */
  async record(records: JournalRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.journal.append(records);
    for (const record of records) this.state.apply(record);
  }

  async journalStatus(status: RunStatus, reason: RunReason | null = null): Promise<void> {
    await this.record([
      {
        t: 'status',
        at: Date.now(),
        status,
        reason,
        req: this.state.requests,
        hits: this.state.limitHits,
        activeMs: Date.now() - this.execStartedAt,
      },
    ]);
  }
}
