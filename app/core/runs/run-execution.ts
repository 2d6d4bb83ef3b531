// One execution of a bulk run: reads the portal's highest session id once (the watermark; where the portal lacks
// Session.list, each chat's session before touching it), sends the writes through the engine's batch with the
// journal fsynced before every request, confirms each new session with dialog.get, and reconciles any write whose
// fate is unknown by reading state once the portal can no longer be running it. The lanes do the sending
// (write-lane.ts, read-lane.ts); this is the handle the callers hold, and the start and end of an execution.
import type { RunProgress, RunStatus } from '../../contract/runs.ts';
import type { LimitsSnapshot } from '../bitrix24/types.ts';
import type { ChatChange, JournalWriter, RunReason } from './journal.ts';
import { ReadLane } from './read-lane.ts';
import { actionOf } from './run-action.ts';
import { RunCore } from './run-core.ts';
import { clockTime } from './run-errors.ts';
import { secondsLeft } from './run-progress.ts';
import type { RunState } from './run-state.ts';
import { appendAudit, progressOf, recordCosts, writeResults } from './run-store.ts';
import type { FailedChat, RunEnvironment, RunHandle, RunSummary } from './run-types.ts';
import { WriteLane } from './write-lane.ts';

/** Runs live in this process, by folder: resuming one of them continues it instead of starting a second copy. */
const live = new Map<string, RunExecution>();

export function liveRun(runDir: string): RunHandle | undefined {
  return live.get(runDir);
}

export function liveRuns(): RunHandle[] {
  return [...live.values()];
}

export class RunExecution implements RunHandle {
  readonly runId: string;
  readonly done: Promise<RunSummary>;
  private resolveDone!: (summary: RunSummary) => void;
  private readonly run: RunCore;
  private readonly writes: WriteLane;
  private readonly reads: ReadLane;
  private finalStatus: RunStatus | null = null;
  private readonly seenHits = new Set<string>();
  private extendTimer: NodeJS.Timeout | null = null;
  private resultsFile: string | null = null;
  private unsubscribeLimits: (() => void) | null = null;

  constructor(
    private readonly env: RunEnvironment,
    private readonly state: RunState,
    journal: JournalWriter,
    readonly runDir: string,
    private readonly releaseLock: () => Promise<void>,
    private readonly resumed: boolean,
    private readonly knownCosts: Record<string, number>,
  ) {
    this.runId = state.header.runId;
    this.run = new RunCore(env, state, journal, actionOf(state.header.mode), () => this.progress());
    this.writes = new WriteLane(this.run);
    this.reads = new ReadLane(this.run);
    this.done = new Promise((resolve) => {
      this.resolveDone = resolve;
    });
    // Hits seen before this execution are not this run's.
    for (const hit of env.client.limits.snapshot().recentHits) this.seenHits.add(hitKey(hit));
  }

  begin(): void {
    live.set(this.runDir, this);
    void this.execute().then(this.resolveDone);
  }

  // ── the public handle ──────────────────────────────────────────────────────

  progress(): RunProgress {
    const status = this.visibleStatus();
    return progressOf(this.state, status, {
      etaSeconds: this.finalStatus ? null : this.eta(),
      reason: this.visibleReason(status),
      resultsFile: this.resultsFile,
    });
  }

  subscribe(listener: (progress: RunProgress) => void): () => void {
    return this.run.events.subscribe(listener);
  }

  pause(): RunProgress {
    const { run } = this;
    if (!this.finalStatus && !run.stop && !run.cancelRequested && !run.paused) {
      run.paused = true;
      void run.journalStatus('paused').catch((error) => run.failFatally(error));
      run.events.now();
    }
    return this.progress();
  }

  resume(): RunProgress {
    const { run } = this;
    if (run.paused && !this.finalStatus) {
      run.paused = false;
      void run.journalStatus('running').catch((error) => run.failFatally(error));
      run.wake.notify();
      run.events.now();
    }
    return this.progress();
  }

  cancel(): Promise<RunSummary> {
    const { run } = this;
    if (!this.finalStatus && !run.stop) {
      run.cancelRequested = true;
      run.paused = false;
      run.wake.notify();
      run.events.now();
    }
    return this.done;
  }

  interrupt(reason?: RunReason): Promise<RunSummary> {
    const { run } = this;
    if (!this.finalStatus && !run.stop) {
      run.stop = {
        status: 'interrupted',
        reason: reason ?? {
          code: 'INTERRUPTED',
          message: 'The run was interrupted; resume it to continue.',
          until: null,
        },
      };
      run.abort.abort();
      run.wake.notify();
      run.events.now();
    }
    return this.done;
  }

  // ── one execution ──────────────────────────────────────────────────────────

  private async execute(): Promise<RunSummary> {
    const { run } = this;
    this.unsubscribeLimits = this.env.client.limits.subscribe((snapshot) => this.onLimits(snapshot));
    this.extendTimer = setInterval(() => {
      if (this.finalStatus) return;
      void this.writes.extendInFlight().catch((error) => run.failFatally(error));
    }, this.writes.extendEveryMs);
    this.extendTimer.unref?.();
    try {
      await run.journalStatus(run.paused ? 'paused' : 'running');
      run.events.now();
      if (this.state.watermark === undefined) await this.reads.readWatermark();
      // After a crash, writes that were in flight are settled by reading before anything is sent again.
      if (!run.halted) await this.reads.reconcileInFlight();
      if (!run.halted) await Promise.all([this.writes.drain(), this.reads.drain()]);
      if (run.fatal) throw run.fatal;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.env.log?.(`bulk run ${this.runId}: ${message}`);
      run.stop ??= {
        status: 'interrupted',
        reason: { code: 'RUN_FAILED', message: `The run stopped on an unexpected error: ${message}`, until: null },
      };
    }
    return this.finish();
  }

  private async finish(): Promise<RunSummary> {
    const { run } = this;
    this.unsubscribeLimits?.();
    if (this.extendTimer) clearInterval(this.extendTimer);
    let status: RunStatus;
    let reason: RunReason | null = null;
    if (run.stop) {
      status = run.stop.status;
      reason = run.stop.reason;
    } else if (run.cancelRequested) {
      status = 'cancelled';
      const skipped: ChatChange[] = [];
      for (const chat of this.state.chats.values()) {
        if (chat.state === 'pending') skipped.push({ id: chat.chatId, s: 'skipped' });
      }
      await run.record([{ t: 'chat', at: Date.now(), c: skipped }]).catch(() => undefined);
    } else status = 'finished';
    try {
      await run.journalStatus(status, reason);
    } catch (error) {
      this.env.log?.(`bulk run ${this.runId}: the journal could not record the end (${String(error)})`);
    }
    this.state.status = status;
    this.state.reason = reason;
    try {
      this.resultsFile = await writeResults(this.runDir, this.state);
    } catch (error) {
      this.env.log?.(`bulk run ${this.runId}: results file not written (${String(error)})`);
    }
    try {
      await appendAudit(this.env.runsDir, {
        runId: this.runId,
        profileId: this.state.header.profileId,
        profileName: this.state.header.profileName,
        portal: this.state.header.portal,
        mode: this.state.header.mode,
        startedAt: run.execStartedAt,
        endedAt: Date.now(),
        resumed: this.resumed,
        total: this.state.header.chatIds.length,
        counts: this.state.counts(),
        requests: this.state.requests,
        limitHits: this.state.limitHits,
        outcome: status,
        reason,
        resultsFile: this.resultsFile ?? '',
      });
      await recordCosts(this.env.runsDir, this.state.header.portal, run.costs.measured());
    } catch (error) {
      this.env.log?.(`bulk run ${this.runId}: audit log not written (${String(error)})`);
    }
    await run.journal.close().catch(() => undefined);
    await this.releaseLock().catch(() => undefined);
    this.finalStatus = status;
    live.delete(this.runDir);
    run.events.cancelPending();
    run.events.now();
    return this.summary();
  }

  private summary(): RunSummary {
    const counts = this.state.counts();
    const failed: FailedChat[] = [];
    for (const chat of this.state.chats.values()) {
      if (chat.state === 'failed') {
        failed.push({ chatId: chat.chatId, code: chat.code ?? 'FAILED', message: chat.message ?? 'The chat failed.' });
      }
    }
    return {
      runId: this.runId,
      mode: this.state.header.mode,
      status: this.finalStatus ?? this.visibleStatus(),
      reason: this.state.reason,
      total: this.state.header.chatIds.length,
      started: counts.started + counts.verified,
      alreadyActive: counts['already-active'],
      verified: counts.verified,
      failed,
      skipped: counts.skipped,
      unfinished: counts.pending + counts.sent,
      invalid: this.state.header.invalid,
      duplicates: this.state.header.duplicates,
      requests: this.state.requests,
      limitHits: this.state.limitHits,
      durationMs: Date.now() - this.run.execStartedAt,
      resultsFile: this.resultsFile,
    };
  }

  // ── what the portal's limits mean for the run ──────────────────────────────

  private onLimits(snapshot: LimitsSnapshot): void {
    let added = false;
    for (const hit of snapshot.recentHits) {
      const key = hitKey(hit);
      if (this.seenHits.has(key)) continue;
      this.seenHits.add(key);
      this.state.limitHits++;
      added = true;
    }
    if (added || this.operatingHold(snapshot)) this.run.events.soon();
  }

  private operatingHold(snapshot: LimitsSnapshot): RunReason | null {
    const now = Date.now();
    const { methods } = this.run.action;
    let held: { method: string; until: number } | null = null;
    for (const entry of snapshot.methods) {
      if (!methods.includes(entry.method)) continue;
      if (entry.heldUntil !== null && entry.heldUntil > now && (!held || entry.heldUntil > held.until)) {
        held = { method: entry.method, until: entry.heldUntil };
      }
    }
    if (!held) return null;
    return {
      code: 'OPERATION_TIME_LIMIT',
      message: `Paused until ${clockTime(held.until)}: ${held.method} has used its operating-time budget on the portal. The run continues by itself.`,
      until: held.until,
    };
  }

  private visibleStatus(): RunStatus {
    const { run } = this;
    if (this.finalStatus) return this.finalStatus;
    if (run.stop) return run.stop.status;
    if (run.paused) return 'paused';
    if (this.reads.inFlightHold || this.operatingHold(this.env.client.limits.snapshot())) return 'holding';
    return 'running';
  }

  private visibleReason(status: RunStatus): RunReason | null {
    const { run } = this;
    if (this.finalStatus) return this.state.reason;
    if (run.stop) return run.stop.reason;
    if (status === 'holding') return this.reads.inFlightHold ?? this.operatingHold(this.env.client.limits.snapshot());
    if (run.cancelRequested) {
      return { code: 'CANCELLING', message: 'Cancelling: confirming the chats that were in flight.', until: null };
    }
    return null;
  }

  private eta(): number | null {
    return secondsLeft({
      state: this.state,
      action: this.run.action,
      gaveUpVerify: this.reads.gaveUpVerify,
      costs: { ...this.knownCosts, ...this.run.costs.measured() },
      limits: this.env.client.limits.snapshot(),
      maxChunkSize: this.run.maxChunkSize,
      ...(this.env.operatingWindowSeconds ? { operatingWindowSeconds: this.env.operatingWindowSeconds } : {}),
    });
  }
}

function hitKey(hit: { at: number; code: string; method: string }): string {
  return `${hit.at}|${hit.code}|${hit.method}`;
}
