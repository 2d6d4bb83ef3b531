// Words for runs; every result is plain text.
import type { RunMode, RunProgress, RunStatus } from '../../../app/contract/index.ts';
import { clockTime, formatDuration } from '../../shared/format.ts';
import { LIVE_STATUSES } from './run.keys.ts';

export const MODE_LABELS: Record<RunMode, string> = {
  start: 'Start sessions',
  restart: 'Restart sessions',
};

export const STATUS_LABELS: Record<RunStatus, string> = {
  running: 'Running',
  paused: 'Paused',
  holding: 'Waiting for the portal',
  stopped: 'Stopped',
  cancelled: 'Cancelled',
  finished: 'Finished',
  interrupted: 'Interrupted',
};

export const STATE_LABELS = {
  pending: 'Pending',
  sent: 'Sent',
  started: 'Started',
  verified: 'Verified',
  'already-active': 'Already active',
  failed: 'Failed',
  skipped: 'Skipped',
} as const;

/**
 * The progress bar's words: chats done (started, verified or already active), the failed and skipped ones when
 * there are some, and the time left while the run is moving and its pace is known.
 */
export function progressText(run: RunProgress): string {
  const ok = run.counts.started + run.counts.verified + run.counts['already-active'];
  const parts = [`${ok.toLocaleString()} of ${run.total.toLocaleString()} chats done`];
  if (run.counts.failed > 0) parts.push(`${run.counts.failed.toLocaleString()} failed`);
  if (run.counts.skipped > 0) parts.push(`${run.counts.skipped.toLocaleString()} skipped`);
  const until = run.status === 'holding' ? (run.reason?.until ?? null) : null;
  const moving = LIVE_STATUSES.has(run.status) && run.status !== 'paused';
  // While held, the time it waits for is what is known; a time left from before the hold would be stale.
  if (until !== null) {
    const what = run.reason?.code === 'OPERATION_TIME_LIMIT' ? "the portal's budget" : 'the portal';
    parts.push(`waiting for ${what} until ${clockTime(until)}`);
  } else if (moving && run.etaSeconds !== null) parts.push(`about ${formatDuration(run.etaSeconds)} left`);
  return parts.join(', ');
}

/** The preview's expected duration: a run shorter than a second is "under 1 s", not "about 0 s". */
export function expectedDurationText(seconds: number): string {
  return seconds < 1 ? 'under 1 s' : `about ${formatDuration(seconds)}`;
}
