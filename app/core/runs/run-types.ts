// The shapes a run is started with and reports back: what the CLI, the desktop handlers and the benchmark see.
import type { RunMode, RunProgress, RunStatus } from '../../contract/runs.ts';
import type { Bitrix24Client } from '../bitrix24/types.ts';
import type { InvalidLine } from './chat-ids.ts';
import type { RunReason } from './journal.ts';

/** The portal cuts a request at 60 s; a margin covers clock skew and the time the answer takes to arrive. */
export const DEFAULT_REQUEST_LIMIT_MS = 65_000;

export interface RunEnvironment {
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
