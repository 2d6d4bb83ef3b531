// The journal of one bulk run: `<data>/runs/<runId>/journal.jsonl`, one JSON record a line, append-only, fsynced
// before the engine sends the request the records announce. A crash can tear only the last line; reading drops it.
import { constants as fsConstants } from 'node:fs';
import { type FileHandle, open, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ChatState, RunMode, RunStatus } from '../../contract/runs.ts';
import { AppError } from '../app-error.ts';
import { fsyncFolder } from '../data-folder.ts';
import { redact } from '../redact.ts';
import type { InvalidLine } from './chat-ids.ts';

export const JOURNAL_FILE = 'journal.jsonl';
export const JOURNAL_VERSION = 1;

/** The write a chat is waiting for or has in flight: `finish` is restart mode's first step. */
export type WriteStep = 'finish' | 'start';

export interface RunHeader {
  t: 'header';
  v: number;
  runId: string;
  /** Profile id, or null when the portal came from OPENLINES_WEBHOOK_URL. */
  profileId: string | null;
  profileName: string;
  /** Host of the portal (never the webhook path). */
  portal: string;
  mode: RunMode;
  plan: string | null;
  chatIds: number[];
  invalid: InvalidLine[];
  duplicates: number;
  /** How long a request may still run on the portal after it was sent (the portal's limit plus a margin). */
  requestLimitMs: number;
  /** The run whose failed chats this run retries. */
  retryOf: string | null;
  createdAt: number;
}

/** The session each chat had before the run touched it: `[chatId, sessionId]`. */
export interface BaselineRecord {
  t: 'base';
  at: number;
  c: Array<[number, number]>;
}

/**
 * The portal's highest session id before the run wrote anything (`w`), read once with imopenlines.v2.Session.list:
 * session ids only grow, so a chat whose session id is above it has a session the run (or a visitor) opened. `w`
 * is null where the portal has no Session.list for this user: each chat's session is then read before its write.
 * It is a record rather than a header field because the header is on disk before the run sends anything, and a run
 * stopped by the portal before this read can still be resumed.
 */
export interface WatermarkRecord {
  t: 'mark';
  at: number;
  w: number | null;
  /** Why there is no watermark (the portal's error code, or OLD_JOURNAL for a run whose writes began without one). */
  why?: string;
}

/** Written and fsynced before the request carrying these chats' writes leaves. */
export interface SentRecord {
  t: 'sent';
  at: number;
  step: WriteStep;
  /** Until when the portal may still be running this request (unix ms). */
  until: number;
  c: number[];
  /** Requests and limit hits of the run so far, so counters survive a crash. */
  req: number;
  hits: number;
}

/**
 * These chats' writes are still with the engine, which may send a request again (after QUERY_LIMIT_EXCEEDED or an
 * operating-time hold) long after the `sent` record: the portal may run them until this later time.
 */
export interface ExtendRecord {
  t: 'ext';
  at: number;
  until: number;
  c: number[];
}

/** The engine said these commands never reached the portal. */
export interface UnsentRecord {
  t: 'unsent';
  at: number;
  c: number[];
}

/** The portal answered `true` to this step for these chats. */
export interface StepOkRecord {
  t: 'ok';
  at: number;
  step: WriteStep;
  c: number[];
}

export interface ChatChange {
  id: number;
  s: ChatState;
  /** Restart mode: the first step is done (or was not needed). */
  closed?: boolean;
  /** The new session confirmed by dialog.get. */
  sid?: number;
  code?: string;
  msg?: string;
  /** A finish whose fate was unknown is being sent again: a "nothing to finish" answer then means it had run. */
  uf?: boolean;
}

export interface ChatRecord {
  t: 'chat';
  at: number;
  c: ChatChange[];
}

export interface RunReason {
  code: string;
  message: string;
  /** Unix ms until which the run holds, when it resumes by itself. */
  until: number | null;
}

export interface StatusRecord {
  t: 'status';
  at: number;
  status: RunStatus;
  reason: RunReason | null;
  req: number;
  hits: number;
  /** Milliseconds this execution (process) has been running the run, at this record. */
  activeMs: number;
}

export type JournalRecord =
  | RunHeader
  | BaselineRecord
  | WatermarkRecord
  | SentRecord
  | ExtendRecord
  | UnsentRecord
  | StepOkRecord
  | ChatRecord
  | StatusRecord;

export function journalPath(runDir: string): string {
  return path.join(runDir, JOURNAL_FILE);
}

export interface JournalContents {
  header: RunHeader;
  records: JournalRecord[];
  /** A torn last line (a crash mid-write) was dropped. */
  tornTail: boolean;
}

/** A journal that cannot be read back: edited, damaged in the middle, or of another version. */
export class JournalError extends AppError {
  override readonly name = 'JournalError';
  constructor(message: string) {
    super({ code: 'RUN_JOURNAL_DAMAGED', category: 'internal', message, retryable: false });
  }
}

/** Reads a journal, dropping a torn last line; a damaged line elsewhere is an error (the file was edited). */
export async function readJournal(runDir: string): Promise<JournalContents> {
  const file = journalPath(runDir);
  const text = await readFile(file, 'utf8');
  const lines = text.split('\n');
  const complete = text.endsWith('\n');
  // The piece after the last line break was never finished: a torn write, or nothing.
  const tail = lines.pop() ?? '';
  const records: JournalRecord[] = [];
  let tornTail = !complete && tail !== '';
  for (const [index, line] of lines.entries()) {
    if (line === '') continue;
    try {
      records.push(JSON.parse(line) as JournalRecord);
    } catch {
      throw new JournalError(`The journal ${file} is damaged at line ${index + 1}.`);
    }
  }
  if (tornTail) {
    // A complete record may lack only its line break; keep it if it parses.
    try {
      records.push(JSON.parse(tail) as JournalRecord);
      tornTail = false;
    } catch {
      // Torn: the request it announced was never sent, since sending waits for the fsync.
    }
  }
  const header = records[0];
  if (header?.t !== 'header') throw new JournalError(`The journal ${file} has no run header.`);
  if (header.v !== JOURNAL_VERSION) throw new JournalError(`The journal ${file} has version ${header.v}.`);
  return { header, records, tornTail };
}

/** Appends records; each `append` resolves only once the bytes are on disk. Appends are serialized. */
export class JournalWriter {
  private queue: Promise<void> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly handle: FileHandle,
    readonly file: string,
  ) {}

  /** Creates the journal of a new run with its header. */
  static async create(runDir: string, header: RunHeader): Promise<JournalWriter> {
    const file = journalPath(runDir);
    const handle = await open(
      file,
      fsConstants.O_CREAT | fsConstants.O_EXCL | fsConstants.O_WRONLY | fsConstants.O_APPEND,
      0o600,
    );
    const writer = new JournalWriter(handle, file);
    await writer.append([header]);
    // The header is on disk; so must be the file's entry in the run folder.
    await fsyncFolder(runDir);
    return writer;
  }

  /** Opens an existing journal for appending, cutting a torn last line first. */
  static async reopen(runDir: string): Promise<JournalWriter> {
    const file = journalPath(runDir);
    const handle = await open(file, fsConstants.O_RDWR);
    try {
      const { size } = await stat(file);
      if (size > 0) {
        const text = await readFile(file, 'utf8');
        const end = text.lastIndexOf('\n') + 1;
        const tail = text.slice(end);
        let keep = Buffer.byteLength(text.slice(0, end));
        if (tail !== '') {
          let whole = false;
          try {
            JSON.parse(tail);
            whole = true;
          } catch {}
          if (whole) {
            // A whole record missing its line break: finish the line instead of dropping it.
            await handle.write('\n', size);
            keep = size + 1;
          }
          await handle.truncate(keep);
          await handle.sync();
        }
      }
    } catch (error) {
      await handle.close();
      throw error;
    }
    await handle.close();
    const appender = await open(file, fsConstants.O_WRONLY | fsConstants.O_APPEND);
    return new JournalWriter(appender, file);
  }

  append(records: readonly JournalRecord[]): Promise<void> {
    if (records.length === 0) return this.queue;
    const text = records.map((record) => `${redact(JSON.stringify(record))}\n`).join('');
    const next = this.queue.then(async () => {
      if (this.closed) throw new JournalError('The journal is closed.');
      await this.handle.write(text);
      await this.handle.sync();
    });
    // One failed write must not wedge the ones after it; the caller of this append still sees the error.
    this.queue = next.catch(() => undefined);
    return next;
  }

  async close(): Promise<void> {
    await this.queue;
    if (this.closed) return;
    this.closed = true;
    await this.handle.close();
  }
}
