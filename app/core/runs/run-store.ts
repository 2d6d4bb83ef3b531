// Where bulk runs live in the data folder, and reading them back: `<data>/runs/<runId>/` holds the journal, the
// results CSV and a lock naming the process that runs it; `<data>/runs/audit.jsonl` records every execution.
import { randomBytes } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { access, mkdir, open, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import type { RunChatResult, RunCounts, RunMode, RunProgress, RunStatus } from '../../contract/runs.ts';
import { AppError } from '../app-error.ts';
import { atomicWriteFile, ensureFolder, fsyncFolder } from '../data-folder.ts';
import { redact } from '../redact.ts';
import type { SessionCheck } from './estimate.ts';
import { JournalError, type RunReason, readJournal } from './journal.ts';
import { isUnfinished, RunState } from './run-state.ts';

export const RESULTS_FILE = 'results.csv';
export const AUDIT_FILE = 'audit.jsonl';
export const COSTS_FILE = 'costs.json';
const LOCK_FILE = 'lock';

const RUN_ID = /^[A-Za-z0-9_-]{1,80}$/;

export class RunNotFoundError extends AppError {
  override readonly name = 'RunNotFoundError';
  constructor(readonly runId: string) {
    super({
      code: 'NOT_FOUND',
      category: 'not-found',
      message: `There is no bulk run "${runId}" in this data folder.`,
    });
  }
}

export class RunBusyError extends AppError {
  override readonly name = 'RunBusyError';
  constructor(
    readonly runId: string,
    readonly pid: number,
  ) {
    // Retryable: once the other process is done, the same call works.
    super({
      code: 'RUN_BUSY',
      category: 'bad-input',
      message: `Bulk run ${runId} is being run by another process (pid ${pid}); wait for it or stop it first.`,
      retryable: true,
    });
  }
}

/** `20260501-123000-ab12`: sortable by time, legal as a folder name everywhere. */
export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${randomBytes(2).toString('hex')}`;
}

export function runDirOf(runsDir: string, runId: string): string {
  if (!RUN_ID.test(runId)) throw new RunNotFoundError(runId);
  return path.join(runsDir, runId);
}

export async function createRunDir(runsDir: string, runId: string): Promise<string> {
  await ensureFolder(runsDir);
  const dir = runDirOf(runsDir, runId);
  await mkdir(dir, { mode: 0o700 });
  // The folder's entry in runs/ must survive a power cut too, or a run the console said was started is gone.
  await fsyncFolder(runsDir);
  return dir;
}

// ── the lock: one process runs a run at a time ───────────────────────────────

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function lockHolder(dir: string): Promise<number | null> {
  try {
    const { pid } = JSON.parse(await readFile(path.join(dir, LOCK_FILE), 'utf8')) as { pid?: unknown };
    return typeof pid === 'number' && Number.isInteger(pid) ? pid : null;
  } catch {
    return null;
  }
}

/** Whether another live process holds the run (a dead holder's lock is stale: killed or crashed). */
export async function heldByOther(dir: string): Promise<number | null> {
  const pid = await lockHolder(dir);
  return pid !== null && pid !== process.pid && alive(pid) ? pid : null;
}

export async function acquireLock(dir: string, runId: string): Promise<() => Promise<void>> {
  const file = path.join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await open(file, fsConstants.O_CREAT | fsConstants.O_EXCL | fsConstants.O_WRONLY, 0o600);
      try {
        await handle.writeFile(JSON.stringify({ pid: process.pid, at: Date.now() }));
        await handle.sync();
      } finally {
        await handle.close();
      }
      return async () => {
        await rm(file, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = await lockHolder(dir);
      if (pid !== null && alive(pid)) throw new RunBusyError(runId, pid);
      // Left by a process that died: take it over.
      await rm(file, { force: true });
    }
  }
  throw new RunBusyError(runId, -1);
}

// ── reading runs back ────────────────────────────────────────────────────────

export interface StoredRun {
  runId: string;
  dir: string;
  state: RunState;
  /** The status a reader should show: a run whose process died is `interrupted`, whatever it last wrote. */
  status: RunStatus;
}

export async function loadRun(runsDir: string, runId: string): Promise<StoredRun> {
  const dir = runDirOf(runsDir, runId);
  let contents: Awaited<ReturnType<typeof readJournal>>;
  try {
    contents = await readJournal(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new RunNotFoundError(runId);
    throw error;
  }
  const state = RunState.replay(contents.records);
  let status = state.status;
  if ((status === 'running' || status === 'paused' || status === 'holding') && (await heldByOther(dir)) === null) {
    status = 'interrupted';
  }
  return { runId, dir, state, status };
}

export async function runIds(runsDir: string): Promise<string[]> {
  let entries: string[];
  try {
    entries = await readdir(runsDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  // Newest first: ids start with their creation time.
  return entries.filter((name) => RUN_ID.test(name)).sort((a, b) => (a < b ? 1 : -1));
}

/** A run folder whose journal cannot be read: it is neither shown as a run nor resumable, and is left untouched. */
export interface DamagedRun {
  runId: string;
  dir: string;
  problem: string;
}

/** Every readable run, newest first; a damaged journal is reported to `onDamaged` rather than hiding the others. */
export async function loadRuns(runsDir: string, onDamaged?: (run: DamagedRun) => void): Promise<StoredRun[]> {
  const runs: StoredRun[] = [];
  for (const runId of await runIds(runsDir)) {
    try {
      runs.push(await loadRun(runsDir, runId));
    } catch (error) {
      if (error instanceof RunNotFoundError) continue;
      if (error instanceof JournalError) {
        onDamaged?.({ runId, dir: runDirOf(runsDir, runId), problem: error.message });
        continue;
      }
      throw error;
    }
  }
  // Ids order runs by the second they were made; their headers order runs made within the same second.
  return runs.sort((a, b) => b.state.header.createdAt - a.state.header.createdAt || (a.runId < b.runId ? 1 : -1));
}

export function progressOf(
  state: RunState,
  status: RunStatus,
  extra: { etaSeconds?: number | null; reason?: RunReason | null; resultsFile?: string | null } = {},
): RunProgress {
  const { header } = state;
  const finished = status === 'finished' || status === 'cancelled';
  return {
    runId: header.runId,
    profileId: header.profileId ?? '',
    profileName: header.profileName,
    portal: header.portal,
    mode: header.mode,
    status,
    total: header.chatIds.length,
    counts: state.counts(),
    closedWaiting: state.closedWaiting(),
    requests: state.requests,
    limitHits: state.limitHits,
    startedAt: header.createdAt,
    finishedAt: finished ? state.lastAt : null,
    etaSeconds: extra.etaSeconds ?? null,
    reason: extra.reason !== undefined ? extra.reason : state.reason,
    retryOf: header.retryOf,
    resultsFile: extra.resultsFile ?? null,
  };
}

export function chatResults(state: RunState): RunChatResult[] {
  return [...state.chats.values()].map((chat) => ({
    chatId: chat.chatId,
    state: chat.state,
    code: chat.code,
    message: chat.message,
    sessionId: chat.sessionId,
  }));
}

// ── results CSV ──────────────────────────────────────────────────────────────

/** A cell safe for spreadsheets: quoted, and never read as a formula. */
function csvCell(value: string | number | null): string {
  if (value === null) return '';
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\n\r;]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

export function resultsCsv(state: RunState): string {
  const lines = ['CHAT_ID,STATE,CODE,MESSAGE,SESSION_ID,BASELINE_SESSION_ID'];
  // The baseline is what a chat's session was compared against: its own session read before the write, or the
  // portal's highest session id when the run began (any session above it is new).
  const watermark = typeof state.watermark === 'number' ? state.watermark : null;
  for (const chat of state.chats.values()) {
    const baseline = chat.baseline ?? watermark;
    lines.push([chat.chatId, chat.state, chat.code, chat.message, chat.sessionId, baseline].map(csvCell).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

/** The results CSV a run wrote when it stopped or finished, or null while it has none. */
export async function resultsFileOf(dir: string): Promise<string | null> {
  const file = path.join(dir, RESULTS_FILE);
  try {
    await access(file);
    return file;
  } catch {
    return null;
  }
}

export async function writeResults(dir: string, state: RunState): Promise<string> {
  const file = path.join(dir, RESULTS_FILE);
  await atomicWriteFile(file, redact(resultsCsv(state)));
  return file;
}

// ── audit log ────────────────────────────────────────────────────────────────

export interface AuditEntry {
  runId: string;
  profileId: string | null;
  profileName: string;
  portal: string;
  mode: RunMode;
  /** When this execution began and ended (unix ms); a resumed run has one entry per execution. */
  startedAt: number;
  endedAt: number;
  resumed: boolean;
  total: number;
  counts: RunCounts;
  requests: number;
  limitHits: number;
  outcome: RunStatus;
  reason: RunReason | null;
  resultsFile: string;
}

export async function appendAudit(runsDir: string, entry: AuditEntry): Promise<void> {
  await ensureFolder(runsDir);
  const handle = await open(path.join(runsDir, AUDIT_FILE), 'a', 0o600);
  try {
    await handle.write(`${redact(JSON.stringify(entry))}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** The audit log, newest last; a torn last line is dropped. */
export async function readAudit(runsDir: string): Promise<AuditEntry[]> {
  let text: string;
  try {
    text = await readFile(path.join(runsDir, AUDIT_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const entries: AuditEntry[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      entries.push(JSON.parse(line) as AuditEntry);
    } catch {
      // A torn write at a crash: the execution's journal still holds everything.
    }
  }
  return entries;
}

// ── call costs learnt from earlier runs, per portal ──────────────────────────

type CostBook = Record<string, Record<string, { seconds: number; at: number }>>;

export async function readCosts(runsDir: string, portal: string): Promise<Record<string, number>> {
  try {
    const book = JSON.parse(await readFile(path.join(runsDir, COSTS_FILE), 'utf8')) as CostBook;
    const entries = book[portal] ?? {};
    return Object.fromEntries(
      Object.entries(entries)
        .filter(([, value]) => typeof value?.seconds === 'number' && value.seconds > 0)
        .map(([method, value]) => [method, value.seconds]),
    );
  } catch {
    return {};
  }
}

export async function recordCosts(runsDir: string, portal: string, costs: Record<string, number>): Promise<void> {
  if (Object.keys(costs).length === 0) return;
  let book: CostBook = {};
  try {
    book = JSON.parse(await readFile(path.join(runsDir, COSTS_FILE), 'utf8')) as CostBook;
  } catch {
    book = {};
  }
  const at = Date.now();
  book[portal] = { ...(book[portal] ?? {}) };
  for (const [method, seconds] of Object.entries(costs)) book[portal][method] = { seconds, at };
  await atomicWriteFile(path.join(runsDir, COSTS_FILE), JSON.stringify(book, null, 2));
}

// ── how each portal lets a run check its sessions, learnt from earlier runs ───

export const CHECKS_FILE = 'session-checks.json';

type CheckBook = Record<string, { check: SessionCheck; at: number }>;

/** What the last run on this portal found: a watermark (Session.list), or a read of each chat; null if none ran. */
export async function readSessionCheck(runsDir: string, portal: string): Promise<SessionCheck | null> {
  try {
    const book = JSON.parse(await readFile(path.join(runsDir, CHECKS_FILE), 'utf8')) as CheckBook;
    const check = book[portal.toLowerCase()]?.check;
    return check === 'watermark' || check === 'per-chat' ? check : null;
  } catch {
    return null;
  }
}

export async function recordSessionCheck(runsDir: string, portal: string, check: SessionCheck): Promise<void> {
  let book: CheckBook = {};
  try {
    book = JSON.parse(await readFile(path.join(runsDir, CHECKS_FILE), 'utf8')) as CheckBook;
  } catch {
    book = {};
  }
  book[portal.toLowerCase()] = { check, at: Date.now() };
  await atomicWriteFile(path.join(runsDir, CHECKS_FILE), JSON.stringify(book, null, 2));
}

export { isUnfinished };
