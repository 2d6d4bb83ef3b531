// Runs (bulk session starts and restarts): the API the CLI, the desktop handlers and the benchmark use.
import type { RunChatResult, RunMode, RunProgress } from '../../contract/runs.ts';
import type { Bitrix24Client, LimitsSnapshot } from '../bitrix24/types.ts';
import type { InvalidLine } from './chat-ids.ts';
import { callsFor, costOf, type Estimate, estimate, type SessionCheck } from './estimate.ts';
import { RunInputError } from './run-errors.ts';
import { liveRun, liveRuns } from './run-execution.ts';
import {
  type AuditEntry,
  chatResults,
  type DamagedRun,
  isUnfinished,
  loadRun,
  loadRuns,
  progressOf,
  readAudit,
  readCosts,
  readSessionCheck,
  resultsCsv,
  resultsFileOf,
  runDirOf,
} from './run-store.ts';

export {
  chatIdsFromList,
  type InvalidLine,
  MAX_CHAT_ID,
  MAX_RUN_CHATS,
  type ParsedChatIds,
  parseChatIds,
  runSizeProblem,
} from './chat-ids.ts';
export { DEFAULT_COSTS, type Estimate, estimate, METHODS, type SessionCheck } from './estimate.ts';
export { JournalError, type RunReason } from './journal.ts';
export { cancelRun, type RetryPlan, resumeRun, retryPlan, startRun } from './run-api.ts';
export { RunInputError, RunPortalMismatchError, RunStateError } from './run-errors.ts';
export { liveRun, liveRuns } from './run-execution.ts';
export { type AuditEntry, type DamagedRun, RunBusyError, RunNotFoundError, readAudit } from './run-store.ts';
export {
  DEFAULT_REQUEST_LIMIT_MS,
  type FailedChat,
  type RunEnvironment,
  type RunHandle,
  type RunSummary,
  type StartRunInput,
} from './run-types.ts';

export interface PreviewInput {
  /** Unique ids, as parseChatIds and chatIdsFromList give them. */
  chatIds: readonly number[];
  mode: RunMode;
  invalid?: readonly InvalidLine[];
  duplicates?: number;
}

export interface PreviewContext {
  /** Its limits snapshot (bucket level, operating budgets) is read; nothing is sent. */
  client?: Pick<Bitrix24Client, 'limits' | 'portalLabel'>;
  limits?: LimitsSnapshot | null;
  /** Where earlier runs left the call costs they measured on this portal. */
  runsDir?: string;
  /** Seconds per call by method, overriding what earlier runs measured. */
  costs?: Record<string, number>;
  /** How the run will check sessions, overriding what earlier runs on this portal found. */
  sessionCheck?: SessionCheck;
  maxChunkSize?: number;
  operatingWindowSeconds?: number;
}

export interface RunPreviewInfo {
  mode: RunMode;
  /** Chats the run would touch. */
  total: number;
  invalid: InvalidLine[];
  duplicates: number;
  /** HTTP requests the run is expected to make (reads before and after included). */
  requests: number;
  expectedSeconds: number;
  /** What limits the pace: `bucket`, `execution`, or the method whose operating budget does. */
  boundBy: string;
  /** Seconds per call used for the estimate, by method. */
  costs: Record<string, number>;
  /**
   * How the run is expected to tell new sessions from old: `watermark` (one Session.list read) where an earlier run
   * on this portal found it, else `per-chat` (a read of each chat before its write): the estimate is then an upper
   * bound, since the run itself uses the watermark wherever the portal offers it.
   */
  sessionCheck: SessionCheck;
}

/** What a run would do and how long it would take. Sends nothing. */
export async function previewRun(context: PreviewContext, input: PreviewInput): Promise<RunPreviewInfo> {
  const total = input.chatIds.length;
  const learnt = context.runsDir && context.client ? await readCosts(context.runsDir, context.client.portalLabel) : {};
  const costs = { ...learnt, ...(context.costs ?? {}) };
  const limits = context.limits ?? context.client?.limits.snapshot() ?? null;
  const learntCheck =
    context.runsDir && context.client ? await readSessionCheck(context.runsDir, context.client.portalLabel) : null;
  const sessionCheck = context.sessionCheck ?? learntCheck ?? 'per-chat';
  const calls = callsFor(input.mode, total, sessionCheck);
  const result: Estimate = estimate(
    { calls, costs, limits, now: Date.now() },
    {
      ...(context.maxChunkSize ? { maxChunkSize: context.maxChunkSize } : {}),
      ...(context.operatingWindowSeconds ? { operatingWindowSeconds: context.operatingWindowSeconds } : {}),
    },
  );
  const used: Record<string, number> = {};
  for (const method of Object.keys(calls)) used[method] = costOf(costs, method);
  return {
    mode: input.mode,
    total,
    invalid: [...(input.invalid ?? [])],
    duplicates: input.duplicates ?? 0,
    requests: result.requests,
    expectedSeconds: result.seconds,
    boundBy: result.boundBy,
    costs: used,
    sessionCheck,
  };
}

/** Every run in the data folder, newest first; runs live in this process show their live progress. */
export async function listRuns(runsDir: string, onDamaged?: (run: DamagedRun) => void): Promise<RunProgress[]> {
  const stored = await loadRuns(runsDir, onDamaged);
  return Promise.all(
    stored.map(
      async (run) =>
        liveRun(run.dir)?.progress() ??
        progressOf(run.state, run.status, { resultsFile: await resultsFileOf(run.dir) }),
    ),
  );
}

/** Runs that neither finished nor were cancelled (stopped, interrupted, or killed): offered for resume. */
export async function listUnfinishedRuns(
  runsDir: string,
  onDamaged?: (run: DamagedRun) => void,
): Promise<RunProgress[]> {
  const runs = await listRuns(runsDir, onDamaged);
  const live = new Set(liveRuns().map((run) => run.runId));
  return runs.filter((run) => isUnfinished(run.status) && !live.has(run.runId));
}

export async function readResults(runsDir: string, runId: string): Promise<RunChatResult[]> {
  const run = await loadRun(runsDir, runId);
  return chatResults(run.state);
}

/** The results as CSV text, with the file name to save it under. */
export async function exportCsv(runsDir: string, runId: string): Promise<{ fileName: string; csv: string }> {
  const run = await loadRun(runsDir, runId);
  return { fileName: `openlines-run-${runId}.csv`, csv: resultsCsv(run.state) };
}

/** The audit log: one entry per execution of a run, newest first. */
export async function listAudit(runsDir: string): Promise<AuditEntry[]> {
  return (await readAudit(runsDir)).reverse();
}

export function runDir(runsDir: string, runId: string): string {
  return runDirOf(runsDir, runId);
}

/** Shortens how long a run waits for writes the portal may still be running; only tests against a local portal set it. */
export const REQUEST_LIMIT_ENV = 'OPENLINES_BULK_REQUEST_LIMIT_MS';

/** Milliseconds from `OPENLINES_BULK_REQUEST_LIMIT_MS`, or undefined for the default (the portal's 60 s and a margin). */
export function requestLimitFromEnv(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const raw = env[REQUEST_LIMIT_ENV]?.trim();
  if (!raw) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    throw new RunInputError(`${REQUEST_LIMIT_ENV} must be a whole number of milliseconds (got "${raw}").`);
  }
  return value;
}
