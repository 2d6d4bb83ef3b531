// A run's progress for the renderer's tests: a running run of ten chats, none done, changed by `patch`.
import type { RunCounts, RunProgress } from '../../../app/contract/index.ts';

export function runProgress(patch: Partial<Omit<RunProgress, 'counts'>> & { counts?: Partial<RunCounts> } = {}) {
  const { counts, ...rest } = patch;
  const run: RunProgress = {
    runId: 'run-1',
    profileId: 'p1',
    profileName: 'Main portal',
    portal: 'example.bitrix24.com',
    mode: 'restart',
    status: 'running',
    total: 10,
    counts: { pending: 10, sent: 0, started: 0, verified: 0, 'already-active': 0, failed: 0, skipped: 0, ...counts },
    closedWaiting: 0,
    requests: 0,
    limitHits: 0,
    startedAt: Date.UTC(2026, 0, 2, 9, 0, 0),
    finishedAt: null,
    etaSeconds: null,
    reason: null,
    retryOf: null,
    resultsFile: null,
    ...rest,
  };
  return run;
}
