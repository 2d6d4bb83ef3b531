// The run on screen: its banner, progress with counts and time left, the controls, and its results.
import { useEffect, useId, useRef, useState } from 'react';
import { CHAT_STATES, type RunProgress } from '../../../app/contract/index.ts';
import { clockTime } from '../../shared/format.ts';
import { RunBanner } from './RunBanner.tsx';
import { RunResults } from './RunResults.tsx';
import { doneCount, LIVE_STATUSES } from './run.keys.ts';
import { MODE_LABELS, progressText, STATE_LABELS, STATUS_LABELS } from './run-format.ts';
import { useExportCsv, useRunAction } from './use-run-actions.ts';

interface RunPanelProps {
  run: RunProgress;
  /** A retry creates a new run: show it. */
  onShowRun(runId: string): void;
}

export function RunPanel({ run, onShowRun }: RunPanelProps) {
  const id = useId();
  const pauseRef = useRef<HTMLButtonElement>(null);
  const resumeRef = useRef<HTMLButtonElement>(null);
  // The button pressed becomes disabled; keyboard focus moves to its counterpart instead of the page, once that
  // counterpart is enabled (a resumed run says "running" in its next progress, not always in the answer).
  const [focusNext, setFocusNext] = useState<'pause' | 'resume' | null>(null);
  const pause = useRunAction('runs.pause', () => setFocusNext('resume'));
  const resume = useRunAction('runs.resume', () => setFocusNext('pause'));
  const cancel = useRunAction('runs.cancel');
  const retry = useRunAction('runs.retryFailed', (next) => onShowRun(next.runId));
  const exportCsv = useExportCsv();

  const live = LIVE_STATUSES.has(run.status);
  const done = doneCount(run);
  const ended = run.status === 'finished' || run.status === 'cancelled';
  const busy = pause.isPending || resume.isPending || cancel.isPending || retry.isPending;
  const canPause = (run.status === 'running' || run.status === 'holding') && !busy;
  const canResume = (run.status === 'paused' || run.status === 'stopped' || run.status === 'interrupted') && !busy;
  const canCancel = !ended && !busy && run.reason?.code !== 'CANCELLING';
  const canRetry = !live && run.counts.failed > 0 && !busy;
  const progress = progressText(run);
  useEffect(() => {
    if (focusNext === null) return;
    // A run that ended meanwhile has no counterpart to move to.
    if (ended) {
      setFocusNext(null);
      return;
    }
    const target = focusNext === 'pause' ? (canPause ? pauseRef.current : null) : canResume ? resumeRef.current : null;
    if (!target) return;
    target.focus();
    setFocusNext(null);
  }, [focusNext, canPause, canResume, ended]);
  const actionError = [pause, resume, cancel, retry, exportCsv].find((action) => action.isError)?.error ?? null;

  return (
    <section className="run-panel panel" aria-labelledby={`${id}-heading`}>
      <h3 id={`${id}-heading`}>Bulk run</h3>
      <p className="run-meta">
        <span className="code">{run.runId}</span> · {MODE_LABELS[run.mode]} · {STATUS_LABELS[run.status]}
        <br />
        <span className="muted">
          {run.profileName || run.portal} · started {clockTime(run.startedAt)}
          {run.finishedAt ? ` · ended ${clockTime(run.finishedAt)}` : ''}
          {run.retryOf ? ` · retries the failed chats of ${run.retryOf}` : ''}
        </span>
      </p>

      <RunBanner run={run} />

      <div className="run-progress">
        <progress
          aria-label="Bulk restart progress"
          aria-valuetext={progress}
          max={Math.max(1, run.total)}
          value={done}
        />
        <p className="run-progress-text">{progress}</p>
      </div>

      <dl className="run-counts">
        {CHAT_STATES.map((state) => (
          <div key={state} className={`count state-${state}`}>
            <dt>{STATE_LABELS[state]}</dt>
            <dd>{run.counts[state].toLocaleString()}</dd>
          </div>
        ))}
        <div className="count">
          <dt>Requests</dt>
          <dd>{run.requests.toLocaleString()}</dd>
        </div>
        <div className="count">
          <dt>Limit hits</dt>
          <dd>{run.limitHits.toLocaleString()}</dd>
        </div>
      </dl>

      <fieldset className="run-controls">
        <legend className="visually-hidden">Run controls</legend>
        <button ref={pauseRef} type="button" disabled={!canPause} onClick={() => pause.mutate(run.runId)}>
          Pause
        </button>
        <button ref={resumeRef} type="button" disabled={!canResume} onClick={() => resume.mutate(run.runId)}>
          Resume
        </button>
        <button type="button" disabled={!canCancel} onClick={() => cancel.mutate(run.runId)}>
          Cancel
        </button>
        <button type="button" disabled={!canRetry} onClick={() => retry.mutate(run.runId)}>
          Retry failed
        </button>
        <button type="button" disabled={exportCsv.isPending} onClick={() => exportCsv.mutate(run.runId)}>
          Export CSV
        </button>
      </fieldset>
      {actionError ? (
        <p role="alert" className="error-message">
          {actionError.message}
        </p>
      ) : null}
      {exportCsv.isSuccess ? (
        <p role="status" className="muted">
          Saved {exportCsv.data}.
        </p>
      ) : null}

      <RunResults runId={run.runId} />
    </section>
  );
}
