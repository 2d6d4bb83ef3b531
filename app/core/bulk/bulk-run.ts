// One bulk run: reads the portal's highest session id once (the watermark; where the portal lacks Session.list,
// each chat's session before touching it), sends the writes through the engine's batch with the journal fsynced
// before every request, confirms each new session with dialog.get, and reconciles any write whose fate is unknown by
// reading state once the portal can no longer be running it.
import { setMaxListeners } from 'node:events';
import { errorText } from '../../contract/errors.ts';
import type { ChatState, RunMode, RunProgress, RunStatus } from '../../contract/runs.ts';
import { AppError } from '../app-error.ts';
import { type Bitrix24Error, CLIENT_CODES, isBitrix24Error } from '../bitrix24/errors.ts';
import type { BatchCommand, Bitrix24Client, CommandOutcome, LimitsSnapshot } from '../bitrix24/types.ts';
import { parseDialog } from '../chats/dialog.ts';
import { asInt, asList, asRecord } from '../chats/lenient.ts';
import { type InvalidLine, MAX_CHAT_ID, MAX_RUN_CHATS } from './chat-ids.ts';
import { DEFAULT_COSTS, estimate, METHODS } from './estimate.ts';
import {
  type BaselineRecord,
  type ChatChange,
  JOURNAL_VERSION,
  type JournalRecord,
  JournalWriter,
  type RunHeader,
  type RunReason,
  readJournal,
  type SentRecord,
  type StepOkRecord,
  type WriteStep,
} from './journal.ts';
import { type ChatEntry, isUnfinished, RunState } from './run-state.ts';
import {
  acquireLock,
  appendAudit,
  createRunDir,
  loadRun,
  newRunId,
  progressOf,
  readCosts,
  recordCosts,
  recordSessionCheck,
  runDirOf,
  writeResults,
} from './run-store.ts';

/** The portal cuts a request at 60 s; a margin covers clock skew and the time the answer takes to arrive. */
export const DEFAULT_REQUEST_LIMIT_MS = 65_000;
/** Chats handed to the engine per batch call: small enough for pause to bite quickly, big enough to pipeline. */
const DEFAULT_WINDOW = 200;
/** Run-level re-queues of a write the engine gave up on although the portal refused it before running it. */
const MAX_REQUEUES = 5;
/** Failed reads of one chat before the run stops asking. */
const MAX_READ_FAILURES = 5;
const EMIT_EVERY_MS = 250;
/** Sessions read for the watermark: created in the same second, the newest ones come back in any order. */
const WATERMARK_PAGE = 50;
/** Session.list refusals meaning "not for this portal or user": the run reads each chat's session instead. */
const NO_SESSION_LIST = new Set([
  'ERROR_METHOD_NOT_FOUND',
  'TARIFF_RESTRICTION',
  'INVALID_FILTER',
  'ACCESS_DENIED',
  'ACCESS_ERROR',
]);

/** Permission codes that concern the webhook or app as a whole, not one dialog: the run stops on them. */

export interface BulkEnvironment {
  client: Bitrix24Client;
  /** `<data>/runs` */
  runsDir: string;
  /** The profile the run belongs to (id null when the portal came from OPENLINES_WEBHOOK_URL). */
  profile: { id: string | null; name: string };
  plan?: string | null;
  /** How long after sending a request the portal may still be running it (default 65 s). */
  requestLimitMs?: number;
  /** Commands per batch request at most (the engine adapts below it). */
  maxChunkSize?: number;
  /** Chats per engine call. */
  windowSize?: number;
  /** Length of the portal's operating window in seconds, for time estimates (600 in the cloud). */
  operatingWindowSeconds?: number;
  /** Diagnostics; lines are redacted by the caller's sink. */
  log?: (line: string) => void;
}

export interface StartRunInput {
  chatIds: readonly number[];
  mode: RunMode;
  /** Bad lines of the input the user chose to skip: kept in the run header for the record. */
  invalid?: readonly InvalidLine[];
  duplicates?: number;
  retryOf?: string | null;
}

export interface FailedChat {
  chatId: number;
  code: string;
  message: string;
}

/** What a run (or one execution of it) ended with: the CLI's `--json` object plus the status. */
export interface RunSummary {
  runId: string;
  mode: RunMode;
  status: RunStatus;
  reason: RunReason | null;
  total: number;
  /** Chats a new session was started on (verified or not). */
  started: number;
  alreadyActive: number;
  verified: number;
  failed: FailedChat[];
  skipped: number;
  /** Chats still pending or in flight (a stopped or interrupted run). */
  unfinished: number;
  invalid: InvalidLine[];
  duplicates: number;
  requests: number;
  limitHits: number;
  /** This execution's duration. */
  durationMs: number;
  resultsFile: string | null;
}

export interface RunHandle {
  readonly runId: string;
  readonly runDir: string;
  progress(): RunProgress;
  /** Called on every change (throttled); returns the unsubscribe function. */
  subscribe(listener: (progress: RunProgress) => void): () => void;
  /** Stops sending after the requests in flight; `resume` continues. */
  pause(): RunProgress;
  resume(): RunProgress;
  /** Stops sending, confirms what was in flight, marks the rest skipped; resolves when the run has ended. */
  cancel(): Promise<RunSummary>;
  /** Stops at once (shutdown, SIGINT): everything is in the journal and the run can be resumed later. */
  interrupt(reason?: RunReason): Promise<RunSummary>;
  /** Resolves when the run finishes, stops, is cancelled or interrupted. */
  readonly done: Promise<RunSummary>;
}

/** The chats or options given for a run cannot make one. */
export class RunInputError extends AppError {
  override readonly name = 'RunInputError';
  constructor(message: string) {
    super({ code: 'RUN_STATE', category: 'bad-input', message, retryable: false });
  }
}

/** What was asked does not fit the run's state (resume a finished run, retry one with nothing failed, …). */
export class RunStateError extends AppError {
  override readonly name: string = 'RunStateError';
  constructor(message: string) {
    super({ code: 'RUN_STATE', category: 'bad-input', message, retryable: false });
  }
}

/** The run belongs to another portal than the client given to resume it. */
export class RunPortalMismatchError extends RunStateError {
  override readonly name = 'RunPortalMismatchError';
}

/** Runs live in this process, by folder: resuming one of them continues it instead of starting a second copy. */
const live = new Map<string, BulkRun>();

export function liveRun(runDir: string): RunHandle | undefined {
  return live.get(runDir);
}

export function liveRuns(): RunHandle[] {
  return [...live.values()];
}

export async function startRun(env: BulkEnvironment, input: StartRunInput): Promise<RunHandle> {
  const chatIds = [...new Set(input.chatIds)];
  if (chatIds.length === 0) throw new RunInputError('There are no chats to run.');
  if (chatIds.length > MAX_RUN_CHATS) {
    throw new RunInputError(`A run takes at most ${MAX_RUN_CHATS.toLocaleString('en')} chats; split the list.`);
  }
  const bad = chatIds.find((id) => !Number.isInteger(id) || id < 1 || id > MAX_CHAT_ID);
  if (bad !== undefined) throw new RunInputError(`${String(bad)} is not a chat id.`);
  const runId = newRunId();
  const dir = await createRunDir(env.runsDir, runId);
  const release = await acquireLock(dir, runId);
  try {
    const header: RunHeader = {
      t: 'header',
      v: JOURNAL_VERSION,
      runId,
      profileId: env.profile.id,
      profileName: env.profile.name,
      portal: env.client.portalLabel,
      mode: input.mode,
      plan: env.plan ?? null,
      chatIds,
      invalid: [...(input.invalid ?? [])],
      duplicates: input.duplicates ?? 0,
      requestLimitMs: env.requestLimitMs ?? DEFAULT_REQUEST_LIMIT_MS,
      retryOf: input.retryOf ?? null,
      createdAt: Date.now(),
    };
    const journal = await JournalWriter.create(dir, header);
    const run = new BulkRun(
      env,
      new RunState(header),
      journal,
      dir,
      release,
      false,
      await readCosts(env.runsDir, header.portal),
    );
    run.begin();
    return run;
  } catch (error) {
    await release();
    throw error;
  }
}

export async function resumeRun(env: BulkEnvironment, runId: string): Promise<RunHandle> {
  const dir = runDirOf(env.runsDir, runId);
  const running = live.get(dir);
  if (running) {
    running.resume();
    return running;
  }
  const release = await acquireLock(dir, runId);
  try {
    const journal = await JournalWriter.reopen(dir);
    try {
      const { records } = await readJournal(dir);
      const state = RunState.replay(records);
      if (!isUnfinished(state.status)) throw new RunStateError(`Bulk run ${runId} has already ${state.status}.`);
      const portal = env.client.portalLabel.toLowerCase();
      if (state.header.portal.toLowerCase() !== portal) {
        throw new RunPortalMismatchError(
          `Bulk run ${runId} was made on ${state.header.portal} (profile "${state.header.profileName}"), not on ${env.client.portalLabel}.`,
        );
      }
      // The user resumes a run the portal had blocked: they are saying the block was lifted.
      if (env.client.limits.snapshot().blocked) env.client.clearBlock();
      const run = new BulkRun(
        env,
        state,
        journal,
        dir,
        release,
        true,
        await readCosts(env.runsDir, state.header.portal),
      );
      run.begin();
      return run;
    } catch (error) {
      await journal.close();
      throw error;
    }
  } catch (error) {
    await release();
    throw error;
  }
}

/**
 * Cancels a run: a live one stops sending; one whose process ended is taken up just long enough to read back what
 * it had in flight, then marked cancelled (what was never sent becomes `skipped`).
 */
export async function cancelRun(env: BulkEnvironment, runId: string): Promise<RunHandle> {
  const running = live.get(runDirOf(env.runsDir, runId));
  const handle = running ?? (await resumeRun(env, runId));
  void handle.cancel();
  return handle;
}

/** A new run over the failed chats of a run that has ended (same mode and portal). */
export async function retryFailed(env: BulkEnvironment, runId: string): Promise<RunHandle> {
  const stored = await loadRun(env.runsDir, runId);
  if (isUnfinished(stored.status)) {
    throw new RunStateError(`Bulk run ${runId} has not ended yet: resume it rather than retrying its failed chats.`);
  }
  const failed = [...stored.state.chats.values()].filter((chat) => chat.state === 'failed').map((chat) => chat.chatId);
  if (failed.length === 0) throw new RunStateError(`Bulk run ${runId} has no failed chats.`);
  return startRun(env, { chatIds: failed, mode: stored.state.header.mode, retryOf: runId });
}

/** Wakes the lanes when something they wait for changed. */
class Wake {
  private waiters: Array<() => void> = [];

  notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }

  wait(ms?: number): Promise<void> {
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = () => {
        if (timer) clearTimeout(timer);
        resolve();
      };
      this.waiters.push(done);
      if (ms !== undefined) timer = setTimeout(done, Math.max(0, Math.min(ms, 2_147_000_000)));
    });
  }
}

type ReadPurpose = 'baseline' | 'verify' | 'reconcile';

/** Thrown from `beforeSend` so the engine stops sending: the run is pausing, cancelling or stopping. */
class Halt extends Error {
  override readonly name = 'Halt';
}

function clockTime(ms: number): string {
  return new Date(ms).toLocaleTimeString('en-GB', { hour12: false });
}

class BulkRun implements RunHandle {
  readonly runId: string;
  readonly done: Promise<RunSummary>;
  private resolveDone!: (summary: RunSummary) => void;
  private readonly requestLimitMs: number;
  private readonly windowSize: number;
  private readonly maxChunkSize: number;
  private readonly execStartedAt = Date.now();
  private finalStatus: RunStatus | null = null;
  private stop: { status: 'stopped' | 'interrupted'; reason: RunReason | null } | null = null;
  private paused = false;
  private cancelRequested = false;
  /** Waiting for requests the portal may still be running (resume after a crash). */
  private inFlightHold: RunReason | null = null;
  private readonly abort = new AbortController();
  private readonly wake = new Wake();
  private readonly reserved = new Set<number>();
  private readonly readFailures = new Map<number, number>();
  private readonly notBefore = new Map<number, number>();
  private readonly requeues = new Map<number, number>();
  private readonly gaveUpVerify = new Set<number>();
  private readonly listeners = new Set<(progress: RunProgress) => void>();
  private readonly seenHits = new Set<string>();
  private readonly costSamples = new Map<string, { sum: number; count: number }>();
  private emitTimer: NodeJS.Timeout | null = null;
  private extendTimer: NodeJS.Timeout | null = null;
  private lastEmit = 0;
  private resultsFile: string | null = null;
  private fatal: Error | null = null;
  private unsubscribeLimits: (() => void) | null = null;

  constructor(
    private readonly env: BulkEnvironment,
    private readonly state: RunState,
    private readonly journal: JournalWriter,
    readonly runDir: string,
    private readonly releaseLock: () => Promise<void>,
    private readonly resumed: boolean,
    private readonly knownCosts: Record<string, number>,
  ) {
    this.runId = state.header.runId;
    this.requestLimitMs = env.requestLimitMs ?? state.header.requestLimitMs ?? DEFAULT_REQUEST_LIMIT_MS;
    this.windowSize = Math.max(1, env.windowSize ?? DEFAULT_WINDOW);
    this.maxChunkSize = Math.max(1, Math.min(50, env.maxChunkSize ?? 50));
    this.done = new Promise((resolve) => {
      this.resolveDone = resolve;
    });
    // Every request in flight (several per lane) listens on the run's one signal.
    setMaxListeners(0, this.abort.signal);
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
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  pause(): RunProgress {
    if (!this.finalStatus && !this.stop && !this.cancelRequested && !this.paused) {
      this.paused = true;
      void this.journalStatus('paused').catch((error) => this.failFatally(error));
      this.emitNow();
    }
    return this.progress();
  }

  resume(): RunProgress {
    if (this.paused && !this.finalStatus) {
      this.paused = false;
      void this.journalStatus('running').catch((error) => this.failFatally(error));
      this.wake.notify();
      this.emitNow();
    }
    return this.progress();
  }

  cancel(): Promise<RunSummary> {
    if (!this.finalStatus && !this.stop) {
      this.cancelRequested = true;
      this.paused = false;
      this.wake.notify();
      this.emitNow();
    }
    return this.done;
  }

  interrupt(reason?: RunReason): Promise<RunSummary> {
    if (!this.finalStatus && !this.stop) {
      this.stop = {
        status: 'interrupted',
        reason: reason ?? {
          code: 'INTERRUPTED',
          message: 'The run was interrupted; resume it to continue.',
          until: null,
        },
      };
      this.abort.abort();
      this.wake.notify();
      this.emitNow();
    }
    return this.done;
  }

  // ── the run ────────────────────────────────────────────────────────────────

  private async execute(): Promise<RunSummary> {
    this.unsubscribeLimits = this.env.client.limits.subscribe((snapshot) => this.onLimits(snapshot));
    this.extendTimer = setInterval(() => {
      void this.extendInFlight().catch((error) => this.failFatally(error));
    }, this.extendEveryMs);
    this.extendTimer.unref?.();
    try {
      await this.journalStatus(this.paused ? 'paused' : 'running');
      this.emitNow();
      if (this.state.watermark === undefined) await this.readWatermark();
      // After a crash, writes that were in flight are settled by reading before anything is sent again.
      if (!this.stop && !this.fatal) await this.reconcileInFlight();
      if (!this.stop && !this.fatal) await Promise.all([this.writeLane(), this.readLane()]);
      if (this.fatal) throw this.fatal;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.env.log?.(`bulk run ${this.runId}: ${message}`);
      this.stop ??= {
        status: 'interrupted',
        reason: { code: 'RUN_FAILED', message: `The run stopped on an unexpected error: ${message}`, until: null },
      };
    }
    return this.finish();
  }

  private async finish(): Promise<RunSummary> {
    this.unsubscribeLimits?.();
    if (this.extendTimer) clearInterval(this.extendTimer);
    let status: RunStatus;
    let reason: RunReason | null = null;
    if (this.stop) {
      status = this.stop.status;
      reason = this.stop.reason;
    } else if (this.cancelRequested) {
      status = 'cancelled';
      const skipped: ChatChange[] = [];
      for (const chat of this.state.chats.values()) {
        if (chat.state === 'pending') skipped.push({ id: chat.chatId, s: 'skipped' });
      }
      await this.record([{ t: 'chat', at: Date.now(), c: skipped }]).catch(() => undefined);
    } else status = 'finished';
    try {
      await this.journalStatus(status, reason);
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
        startedAt: this.execStartedAt,
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
      await recordCosts(this.env.runsDir, this.state.header.portal, this.measuredCosts());
    } catch (error) {
      this.env.log?.(`bulk run ${this.runId}: audit log not written (${String(error)})`);
    }
    await this.journal.close().catch(() => undefined);
    await this.releaseLock().catch(() => undefined);
    this.finalStatus = status;
    live.delete(this.runDir);
    if (this.emitTimer) clearTimeout(this.emitTimer);
    this.emitNow();
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
      durationMs: Date.now() - this.execStartedAt,
      resultsFile: this.resultsFile,
    };
  }

  private get halted(): boolean {
    return this.stop !== null || this.fatal !== null;
  }

  private untilResumed(): Promise<void> {
    return this.wake.wait();
  }

  /**
   * Reads the portal's highest session id, once per run and before any write: a session the run opens gets a larger
   * id (ids are auto-increment), so one number replaces a read of every chat before its write. The newest page by
   * creation date is enough; its largest id is taken since sessions of the same second come back in any order.
   */
  private async readWatermark(): Promise<void> {
    if (this.state.writesSent) {
      // A run written before watermarks (or whose writes began without one): reading now would count its own sessions.
      await this.record([{ t: 'mark', at: Date.now(), w: null, why: 'OLD_JOURNAL' }]);
      return;
    }
    while (this.paused && !this.halted && !this.cancelRequested) await this.untilResumed();
    if (this.halted || this.cancelRequested) return;
    let w: number | null = null;
    let why: string | undefined;
    try {
      this.state.requests++;
      this.emitSoon();
      const { result } = await this.env.client.call(
        METHODS.sessionList,
        { order: 'dateCreate', orderDirection: 'desc', limit: WATERMARK_PAGE },
        { idempotent: true, signal: this.abort.signal },
      );
      w = 0;
      for (const session of asList(asRecord(result).sessions)) w = Math.max(w, asInt(asRecord(session).id));
    } catch (error) {
      if (!isBitrix24Error(error)) throw error;
      if (error.code === CLIENT_CODES.aborted) return;
      const code = error.code.toUpperCase();
      if (!NO_SESSION_LIST.has(code) && isRunWide(error)) {
        this.stopFor(error);
        return;
      }
      // No Session.list here, or it failed for this call only: reading each chat first is slower but as exact.
      why = code;
    }
    await this.record([{ t: 'mark', at: Date.now(), w, ...(why ? { why } : {}) }]);
    this.env.log?.(
      w === null
        ? `bulk run ${this.runId}: reading each chat's session before its write (Session.list: ${why ?? 'unavailable'})`
        : `bulk run ${this.runId}: new sessions are those above session id ${w}`,
    );
    await recordSessionCheck(this.env.runsDir, this.state.header.portal, w === null ? 'per-chat' : 'watermark').catch(
      (error) => this.env.log?.(`bulk run ${this.runId}: session check not remembered (${String(error)})`),
    );
    this.emitSoon();
  }

  /** Resume after a crash: wait until the portal cannot still be running what was sent, then read. */
  private async reconcileInFlight(): Promise<void> {
    const inFlight = [...this.state.chats.values()].filter((chat) => chat.state === 'sent');
    if (inFlight.length === 0) return;
    const until = Math.max(...inFlight.map((chat) => chat.inFlight?.until ?? 0));
    while (!this.halted && Date.now() < until) {
      this.inFlightHold = {
        code: 'IN_FLIGHT',
        message: `Waiting until ${clockTime(until)}: the portal may still be running ${inFlight.length} writes sent before the run stopped.`,
        until,
      };
      this.emitNow();
      await this.wake.wait(until - Date.now());
    }
    this.inFlightHold = null;
    await this.readLane('reconcile');
  }

  private async writeLane(): Promise<void> {
    for (;;) {
      if (this.halted || this.cancelRequested) return;
      if (this.paused) {
        await this.untilResumed();
        continue;
      }
      const work = this.pickWrites();
      if (work.length === 0) {
        if (!this.writesMayCome()) return;
        await this.wake.wait();
        continue;
      }
      await this.sendWrites(work);
      this.wake.notify();
    }
  }

  private async readLane(only?: 'reconcile'): Promise<void> {
    for (;;) {
      if (this.halted) return;
      if (this.paused && !this.cancelRequested) {
        await this.untilResumed();
        continue;
      }
      const { work, nextAt } = this.pickReads(only);
      if (work.length === 0) {
        if (this.readsDone(only)) return;
        await this.wake.wait(nextAt === null ? undefined : nextAt - Date.now());
        continue;
      }
      await this.sendReads(work);
      this.wake.notify();
    }
  }

  private writesMayCome(): boolean {
    for (const chat of this.state.chats.values()) {
      if (chat.state === 'pending' || chat.state === 'sent') return true;
    }
    return false;
  }

  private readsDone(only?: 'reconcile'): boolean {
    for (const chat of this.state.chats.values()) {
      if (chat.state === 'sent') return false;
      if (only) continue;
      if (chat.state === 'started' && !this.gaveUpVerify.has(chat.chatId)) return false;
      if (chat.state === 'pending' && !this.cancelRequested) return false;
    }
    return true;
  }

  private stepOf(chat: ChatEntry): WriteStep {
    return chat.closed ? 'start' : 'finish';
  }

  private pickWrites(): ChatEntry[] {
    const work: ChatEntry[] = [];
    for (const chat of this.state.chats.values()) {
      if (work.length >= this.windowSize) break;
      if (chat.state === 'pending' && this.state.hasReference(chat) && !this.reserved.has(chat.chatId)) {
        work.push(chat);
      }
    }
    return work;
  }

  private pickReads(only?: 'reconcile'): {
    work: Array<{ chat: ChatEntry; purpose: ReadPurpose }>;
    nextAt: number | null;
  } {
    const now = Date.now();
    const work: Array<{ chat: ChatEntry; purpose: ReadPurpose }> = [];
    let nextAt: number | null = null;
    const later = (at: number) => {
      nextAt = nextAt === null ? at : Math.min(nextAt, at);
    };
    const ready = (chat: ChatEntry): boolean => {
      if (this.reserved.has(chat.chatId)) return false;
      const wait = this.notBefore.get(chat.chatId) ?? 0;
      if (wait > now) {
        later(wait);
        return false;
      }
      return true;
    };
    // First what blocks progress: writes of unknown fate, then confirmations, then baselines ahead of the writes.
    for (const chat of this.state.chats.values()) {
      if (work.length >= this.windowSize) break;
      if (chat.state !== 'sent' || !chat.uncertain || !ready(chat)) continue;
      const until = chat.inFlight?.until ?? 0;
      if (until > now) later(until);
      else work.push({ chat, purpose: 'reconcile' });
    }
    if (only) return { work, nextAt };
    for (const chat of this.state.chats.values()) {
      if (work.length >= this.windowSize) break;
      if (chat.state === 'started' && !this.gaveUpVerify.has(chat.chatId) && ready(chat)) {
        work.push({ chat, purpose: 'verify' });
      }
    }
    if (this.cancelRequested || this.state.watermark !== null) return { work, nextAt };
    let backlog = 0;
    for (const chat of this.state.chats.values()) {
      if (chat.state === 'pending' && this.state.hasReference(chat)) backlog++;
    }
    const lookahead = this.windowSize * 2;
    for (const chat of this.state.chats.values()) {
      if (work.length >= this.windowSize || backlog >= lookahead) break;
      if (chat.state === 'pending' && !this.state.hasReference(chat) && ready(chat)) {
        work.push({ chat, purpose: 'baseline' });
        backlog++;
      }
    }
    return { work, nextAt };
  }

  // ── writes ─────────────────────────────────────────────────────────────────

  private async sendWrites(work: ChatEntry[]): Promise<void> {
    const byKey = new Map<string, { chat: ChatEntry; step: WriteStep }>();
    const commands: BatchCommand[] = work.map((chat) => {
      const step = this.stepOf(chat);
      const key = `${step === 'start' ? 's' : 'f'}${chat.chatId}`;
      byKey.set(key, { chat, step });
      this.reserved.add(chat.chatId);
      return { key, method: step === 'start' ? METHODS.start : METHODS.finish, params: { CHAT_ID: chat.chatId } };
    });
    try {
      const report = await this.env.client.batch(commands, {
        maxChunkSize: this.maxChunkSize,
        signal: this.abort.signal,
        beforeSend: (chunk) => this.beforeWrite(chunk, byKey),
        onSettled: (outcomes) => this.guard(() => this.onWritesSettled(outcomes, byKey)),
      });
      if (report.stoppedBy) this.stopFor(report.stoppedBy);
    } finally {
      for (const chat of work) this.reserved.delete(chat.chatId);
    }
  }

  private async beforeWrite(
    chunk: readonly BatchCommand[],
    byKey: Map<string, { chat: ChatEntry; step: WriteStep }>,
  ): Promise<void> {
    this.checkSending(false);
    const at = Date.now();
    const until = at + this.requestLimitMs;
    this.state.requests++;
    const steps = new Map<WriteStep, number[]>();
    for (const command of chunk) {
      const entry = byKey.get(command.key);
      if (!entry) continue;
      const list = steps.get(entry.step) ?? [];
      list.push(entry.chat.chatId);
      steps.set(entry.step, list);
    }
    const records: SentRecord[] = [...steps].map(([step, c]) => ({
      t: 'sent',
      at,
      step,
      until,
      c,
      req: this.state.requests,
      hits: this.state.limitHits,
    }));
    // The request leaves only once this is on disk.
    await this.record(records);
    this.emitSoon();
  }

  private get extendEveryMs(): number {
    return Math.max(100, Math.round(this.requestLimitMs / 2));
  }

  /**
   * The engine may send a request of writes again well after `beforeSend` (QUERY_LIMIT_EXCEEDED back-off, an
   * operating-time hold), and the portal may run it for up to the request limit from then. So while writes stay
   * with the engine, their deadline in the journal is kept at least a request limit ahead of now (plus a tick of
   * slack): whenever the process dies, resume waits long enough for the last copy that may have left.
   */
  private async extendInFlight(): Promise<void> {
    if (this.finalStatus) return;
    const now = Date.now();
    const slack = this.extendEveryMs;
    const due: number[] = [];
    for (const chatId of this.reserved) {
      const chat = this.state.chats.get(chatId);
      if (chat?.state !== 'sent' || chat.uncertain || !chat.inFlight) continue;
      if (chat.inFlight.until < now + this.requestLimitMs + slack) due.push(chatId);
    }
    if (due.length === 0) return;
    await this.record([{ t: 'ext', at: now, until: now + this.requestLimitMs + 2 * slack, c: due }]);
  }

  private async onWritesSettled(
    outcomes: readonly CommandOutcome[],
    byKey: Map<string, { chat: ChatEntry; step: WriteStep }>,
  ): Promise<void> {
    const at = Date.now();
    const ok = new Map<WriteStep, number[]>();
    const unsent: number[] = [];
    const changes: ChatChange[] = [];
    const okFor = (step: WriteStep, chatId: number) => {
      const list = ok.get(step) ?? [];
      list.push(chatId);
      ok.set(step, list);
    };
    for (const outcome of outcomes) {
      const entry = byKey.get(outcome.key);
      if (!entry) continue;
      const { chat, step } = entry;
      if (outcome.status === 'ok') {
        okFor(step, chat.chatId);
        this.sampleCost(step === 'start' ? METHODS.start : METHODS.finish, outcome.time);
        continue;
      }
      if (outcome.status === 'not-sent') {
        // After our own abort a request may have been cut mid-flight: its fate is unknown, so it stays `sent`
        // (and is read back on resume). Otherwise `not-sent` means it never left.
        if (chat.state === 'sent' && this.abort.signal.aborted) continue;
        if (chat.state === 'sent') unsent.push(chat.chatId);
        continue;
      }
      const { error } = outcome;
      switch (error.category) {
        case 'ambiguous':
          // It may have run: read it back once the portal can no longer be running it.
          chat.uncertain = true;
          break;
        case 'retry':
        case 'wait-reset':
          // Refused before it ran; the engine gave up on it for now.
          if (this.bumpRequeue(chat.chatId)) unsent.push(chat.chatId);
          else changes.push(failure(chat.chatId, error));
          break;
        case 'reauth':
        case 'blocked':
        case 'unreachable':
          unsent.push(chat.chatId);
          this.stopFor(error);
          break;
        case 'permission':
          if (errorText(error.code)?.runWide) {
            unsent.push(chat.chatId);
            this.stopFor(error);
          } else changes.push(failure(chat.chatId, error));
          break;
        default:
          // A finish sent again after an unknown fate, refused as bad input: the first one had closed it.
          if (step === 'finish' && chat.uncertainFinish) okFor('finish', chat.chatId);
          else changes.push(failure(chat.chatId, error));
      }
    }
    const records: JournalRecord[] = [];
    for (const [step, c] of ok) records.push({ t: 'ok', at, step, c } satisfies StepOkRecord);
    if (unsent.length > 0) records.push({ t: 'unsent', at, c: unsent });
    if (changes.length > 0) records.push({ t: 'chat', at, c: changes });
    await this.record(records);
    this.emitSoon();
  }

  private bumpRequeue(chatId: number): boolean {
    const count = (this.requeues.get(chatId) ?? 0) + 1;
    this.requeues.set(chatId, count);
    return count <= MAX_REQUEUES;
  }

  // ── reads ──────────────────────────────────────────────────────────────────

  private async sendReads(work: Array<{ chat: ChatEntry; purpose: ReadPurpose }>): Promise<void> {
    const byKey = new Map<string, { chat: ChatEntry; purpose: ReadPurpose }>();
    const commands: BatchCommand[] = work.map(({ chat, purpose }) => {
      const key = `${purpose[0]}${chat.chatId}`;
      byKey.set(key, { chat, purpose });
      this.reserved.add(chat.chatId);
      return { key, method: METHODS.read, params: { CHAT_ID: chat.chatId } };
    });
    try {
      const report = await this.env.client.batch(commands, {
        idempotent: true,
        maxChunkSize: 50,
        signal: this.abort.signal,
        beforeSend: () => {
          this.checkSending(true);
          this.state.requests++;
          this.emitSoon();
        },
        onSettled: (outcomes) => this.guard(() => this.onReadsSettled(outcomes, byKey)),
      });
      if (report.stoppedBy) this.stopFor(report.stoppedBy);
    } finally {
      for (const { chat } of work) this.reserved.delete(chat.chatId);
    }
  }

  private async onReadsSettled(
    outcomes: readonly CommandOutcome[],
    byKey: Map<string, { chat: ChatEntry; purpose: ReadPurpose }>,
  ): Promise<void> {
    const at = Date.now();
    const baseline: BaselineRecord = { t: 'base', at, c: [] };
    const changes: ChatChange[] = [];
    const { mode } = this.state.header;
    for (const outcome of outcomes) {
      const entry = byKey.get(outcome.key);
      if (!entry || outcome.status === 'not-sent') continue;
      const { chat, purpose } = entry;
      if (outcome.status === 'failed') {
        const change = this.readFailed(chat, purpose, outcome.error);
        if (change) changes.push(change);
        continue;
      }
      this.sampleCost(METHODS.read, outcome.time);
      this.readFailures.delete(chat.chatId);
      const sessionId = parseDialog(outcome.result).sessionId;
      const changed = this.state.isNewSession(chat, sessionId);
      if (purpose === 'baseline') {
        if (chat.state === 'pending' && chat.baseline === null) baseline.c.push([chat.chatId, sessionId]);
      } else if (purpose === 'verify') {
        if (chat.state !== 'started') continue;
        if (changed) changes.push({ id: chat.chatId, s: 'verified', sid: sessionId });
        else if (mode === 'start') {
          // session.start on an open session only joins it: the session it had before the run.
          changes.push({ id: chat.chatId, s: 'already-active', sid: sessionId });
        } else {
          changes.push({
            id: chat.chatId,
            s: 'failed',
            sid: sessionId,
            code: 'SESSION_NOT_CLOSED',
            msg: 'The portal accepted the close and the start, but the chat kept its session.',
          });
        }
      } else {
        if (chat.state !== 'sent') continue;
        if (chat.inFlight?.step === 'start' || chat.closed) {
          // A new session: the start ran (and this reading confirms it). The old one: it never ran.
          changes.push(
            changed ? { id: chat.chatId, s: 'verified', sid: sessionId } : { id: chat.chatId, s: 'pending' },
          );
        } else if (changed) {
          changes.push({ id: chat.chatId, s: 'pending', closed: true });
        } else {
          // Closing keeps the session id, so reading cannot tell: send the finish again (the portal is done with
          // the first one), and take a "nothing to close" answer as proof that it had run.
          changes.push({ id: chat.chatId, s: 'pending', closed: false, uf: true });
        }
      }
    }
    const records: JournalRecord[] = [];
    if (baseline.c.length > 0) records.push(baseline);
    if (changes.length > 0) records.push({ t: 'chat', at, c: changes });
    await this.record(records);
    this.emitSoon();
  }

  /** A read that failed: stop the run, give up on the chat, or try again a little later. */
  private readFailed(chat: ChatEntry, purpose: ReadPurpose, error: Bitrix24Error): ChatChange | null {
    if (isRunWide(error)) {
      this.stopFor(error);
      return null;
    }
    const count = (this.readFailures.get(chat.chatId) ?? 0) + 1;
    this.readFailures.set(chat.chatId, count);
    const definite = error.category === 'bad-input' || error.category === 'permission';
    if (purpose === 'baseline' && (definite || count >= MAX_READ_FAILURES)) {
      // Without its session id the chat could not be checked afterwards: do not touch it.
      return failure(chat.chatId, error);
    }
    if (count >= MAX_READ_FAILURES) {
      if (purpose === 'verify') {
        this.gaveUpVerify.add(chat.chatId);
        return {
          id: chat.chatId,
          s: 'started',
          code: 'NOT_VERIFIED',
          msg: `The start was accepted but could not be confirmed: ${error.message}`,
        };
      }
      return {
        id: chat.chatId,
        s: 'failed',
        code: 'UNCONFIRMED',
        msg: `A write was sent but whether it ran could not be read back (${error.message}). Check the chat.`,
      };
    }
    this.notBefore.set(chat.chatId, Date.now() + Math.min(30_000, 500 * 2 ** count));
    return null;
  }

  // ── shared plumbing ────────────────────────────────────────────────────────

  /** Refuses to let a request leave while pausing, cancelling or stopping. */
  private checkSending(read: boolean): void {
    if (this.halted) throw new Halt('The run is stopping.');
    if (this.paused && !this.cancelRequested) throw new Halt('The run is paused.');
    if (this.cancelRequested && !read) throw new Halt('The run is being cancelled.');
  }

  private stopFor(error: Bitrix24Error): void {
    // Our own halt (pause, cancel, interrupt) is not the portal's doing.
    if (error.code === CLIENT_CODES.aborted) return;
    if (this.stop) return;
    const code = error.code;
    this.stop = { status: 'stopped', reason: { code, message: stopMessage(error), until: null } };
    this.env.log?.(`bulk run ${this.runId} stopped: ${code}`);
    this.wake.notify();
    this.emitNow();
  }

  /** Outcome handlers must not throw into the engine silently: a journal failure ends the run. */
  private async guard(action: () => Promise<void>): Promise<void> {
    try {
      await action();
    } catch (error) {
      this.failFatally(error);
      throw error;
    }
  }

  private failFatally(error: unknown): void {
    this.fatal ??= error instanceof Error ? error : new Error(String(error));
    this.wake.notify();
  }

  private async record(records: JournalRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.journal.append(records);
    for (const record of records) this.state.apply(record);
  }

  private async journalStatus(status: RunStatus, reason: RunReason | null = null): Promise<void> {
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

  private sampleCost(method: string, time: { processing?: number; duration?: number } | undefined): void {
    const seconds = time?.processing ?? time?.duration;
    if (seconds === undefined || !(seconds >= 0)) return;
    const sample = this.costSamples.get(method) ?? { sum: 0, count: 0 };
    sample.sum += seconds;
    sample.count++;
    this.costSamples.set(method, sample);
  }

  private measuredCosts(): Record<string, number> {
    const costs: Record<string, number> = {};
    for (const [method, { sum, count }] of this.costSamples) if (count > 0 && sum > 0) costs[method] = sum / count;
    return costs;
  }

  private onLimits(snapshot: LimitsSnapshot): void {
    let added = false;
    for (const hit of snapshot.recentHits) {
      const key = hitKey(hit);
      if (this.seenHits.has(key)) continue;
      this.seenHits.add(key);
      this.state.limitHits++;
      added = true;
    }
    if (added || this.operatingHold(snapshot)) this.emitSoon();
  }

  private operatingHold(snapshot: LimitsSnapshot): RunReason | null {
    const now = Date.now();
    let held: { method: string; until: number } | null = null;
    for (const entry of snapshot.methods) {
      if (entry.method !== METHODS.start && entry.method !== METHODS.finish && entry.method !== METHODS.read) continue;
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
    if (this.finalStatus) return this.finalStatus;
    if (this.stop) return this.stop.status;
    if (this.paused) return 'paused';
    if (this.inFlightHold || this.operatingHold(this.env.client.limits.snapshot())) return 'holding';
    return 'running';
  }

  private visibleReason(status: RunStatus): RunReason | null {
    if (this.finalStatus) return this.state.reason;
    if (this.stop) return this.stop.reason;
    if (status === 'holding') return this.inFlightHold ?? this.operatingHold(this.env.client.limits.snapshot());
    if (this.cancelRequested) {
      return { code: 'CANCELLING', message: 'Cancelling: confirming the chats that were in flight.', until: null };
    }
    return null;
  }

  private eta(): number | null {
    let reads = 0;
    let starts = 0;
    let finishes = 0;
    for (const chat of this.state.chats.values()) {
      if (chat.state === 'pending' || chat.state === 'sent') {
        reads += this.state.hasReference(chat) ? 1 : 2;
        starts++;
        if (!chat.closed) finishes++;
      } else if (chat.state === 'started' && !this.gaveUpVerify.has(chat.chatId)) reads++;
    }
    if (reads + starts === 0) return 0;
    const costs = { ...this.knownCosts, ...this.measuredCosts() };
    const calls: Record<string, number> = { [METHODS.read]: reads, [METHODS.start]: starts };
    if (this.state.header.mode === 'restart') calls[METHODS.finish] = finishes;
    const result = estimate(
      { calls, costs, limits: this.env.client.limits.snapshot(), now: Date.now() },
      {
        maxChunkSize: this.maxChunkSize,
        ...(this.env.operatingWindowSeconds ? { operatingWindowSeconds: this.env.operatingWindowSeconds } : {}),
      },
    );
    return result.seconds;
  }

  private emitSoon(): void {
    if (this.emitTimer) return;
    const wait = Math.max(0, this.lastEmit + EMIT_EVERY_MS - Date.now());
    this.emitTimer = setTimeout(() => {
      this.emitTimer = null;
      this.emitNow();
    }, wait);
  }

  private emitNow(): void {
    this.lastEmit = Date.now();
    if (this.listeners.size === 0) return;
    const progress = this.progress();
    for (const listener of [...this.listeners]) {
      try {
        listener(progress);
      } catch (error) {
        this.env.log?.(`bulk run ${this.runId}: a progress listener failed (${String(error)})`);
      }
    }
  }
}

/** Errors that concern the run as a whole, not one chat: the run stops on them. */
function isRunWide(error: Bitrix24Error): boolean {
  return (
    error.category === 'reauth' ||
    error.category === 'blocked' ||
    error.category === 'unreachable' ||
    (error.category === 'permission' && errorText(error.code)?.runWide === true)
  );
}

function hitKey(hit: { at: number; code: string; method: string }): string {
  return `${hit.at}|${hit.code}|${hit.method}`;
}

function failure(chatId: number, error: Bitrix24Error): ChatChange {
  return { id: chatId, s: 'failed', code: error.code, msg: error.message };
}

function stopMessage(error: Bitrix24Error): string {
  switch (error.category) {
    case 'blocked':
      return `${error.message} The run is stopped; resume it once the portal works again.`;
    case 'reauth':
    case 'permission':
      return `${error.message} The run is stopped; fix the profile and resume it.`;
    case 'unreachable':
      return `${error.message} The run is stopped; resume it when the portal can be reached.`;
    default:
      return error.message;
  }
}

/** Exported for the tests and the CLI: the states a run ends a chat in without failing it. */
export const OK_STATES: readonly ChatState[] = ['started', 'verified', 'already-active'];

export { DEFAULT_COSTS };
