// What `restart` and `resume` print when a run ends or never starts: the `--json` object (exactly the keys issue #5
// names), the summary on stderr, and the exit code a run's end stands for.
import type { RunMode } from '../../contract/runs.ts';
import type { InvalidLine, RunSummary } from '../../core/runs/index.ts';
import { EXIT, type ExitCode, runStopExitCode } from './exit-codes.ts';
import { note, printJson } from './output.ts';

/** The result object `--json` prints: exactly these keys. */
export interface JsonResult {
  runId: string | null;
  mode: RunMode;
  total: number;
  started: number;
  alreadyActive: number;
  verified: number;
  failed: Array<{ chatId: number; code: string; message: string }>;
  invalid: InvalidLine[];
  duplicates: number;
  requests: number;
  limitHits: number;
  durationMs: number;
}

export function jsonResult(summary: RunSummary): JsonResult {
  return {
    runId: summary.runId,
    mode: summary.mode,
    total: summary.total,
    started: summary.started,
    alreadyActive: summary.alreadyActive,
    verified: summary.verified,
    failed: summary.failed,
    invalid: summary.invalid,
    duplicates: summary.duplicates,
    requests: summary.requests,
    limitHits: summary.limitHits,
    durationMs: summary.durationMs,
  };
}

/** A result for a run that never started (bad input, configuration, dry run). */
export function emptyResult(mode: RunMode, total: number, invalid: InvalidLine[], duplicates: number): JsonResult {
  return {
    runId: null,
    mode,
    total,
    started: 0,
    alreadyActive: 0,
    verified: 0,
    failed: [],
    invalid,
    duplicates,
    requests: 0,
    limitHits: 0,
    durationMs: 0,
  };
}

/** A run that will not start (or go on): says why on stderr, leaves the one JSON object with --json. */
export function refuseRun(code: ExitCode, message: string, json: boolean, result: JsonResult): ExitCode {
  note(`openlines: ${message}`);
  if (json) printJson(result);
  return code;
}

/** The exit code a run's end stands for. */
export function summaryExitCode(summary: RunSummary): ExitCode {
  switch (summary.status) {
    case 'finished':
      return summary.failed.length > 0 ? EXIT.someFailed : EXIT.ok;
    case 'stopped':
      // A stop without a reason is the portal's doing.
      return summary.reason ? runStopExitCode(summary.reason.code) : EXIT.stopped;
    default:
      return EXIT.stopped;
  }
}

export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** Failed chats a terminal lists before pointing at the results file. */
const FAILED_SHOWN = 50;

export function printSummary(summary: RunSummary): void {
  note(
    `openlines: run ${summary.runId} ${summary.status}: ${summary.total} chats, ${summary.started} started ` +
      `(${summary.verified} verified), ${summary.alreadyActive} already active, ${summary.failed.length} failed` +
      (summary.skipped > 0 ? `, ${summary.skipped} skipped` : '') +
      (summary.unfinished > 0 ? `, ${summary.unfinished} not done yet` : '') +
      ` · ${summary.requests} requests, ${summary.limitHits} limit hits, ${duration(summary.durationMs / 1000)}`,
  );
  for (const failed of summary.failed.slice(0, FAILED_SHOWN)) {
    note(`  chat ${failed.chatId}: ${failed.code} — ${failed.message}`);
  }
  if (summary.failed.length > FAILED_SHOWN)
    note(`  … and ${summary.failed.length - FAILED_SHOWN} more in ${summary.resultsFile ?? 'the results file'}`);
  if (summary.reason && summary.status !== 'finished') note(`openlines: ${summary.reason.message}`);
  if (summary.status === 'stopped' || summary.status === 'interrupted') {
    note(`openlines: resume with: openlines resume ${summary.runId}`);
  }
  if (summary.resultsFile) note(`openlines: results: ${summary.resultsFile}`);
}
