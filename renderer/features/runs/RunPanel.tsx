// The run on screen: its banner, progress with counts and time left, the controls, and its results.
import { useQuery } from '@tanstack/react-query';
import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { CHAT_STATES, type RunProgress, retryMaySucceed } from '../../../app/contract/index.ts';
import { clockTime } from '../../shared/format.ts';
import { bannerFor, RunBanner } from './RunBanner.tsx';
import { RunResults } from './RunResults.tsx';
import { doneCount, LIVE_STATUSES, runResultsOptions } from './run.keys.ts';
import { MODE_LABELS, progressText, STATE_LABELS, STATUS_LABELS } from './run-format.ts';
import { useRunWorkspace } from './run-workspace-context.tsx';
import { useExportCsv, useRunAction } from './use-run-actions.ts';

interface RunPanelProps {
  run: RunProgress;
}

export function RunPanel({ run }: RunPanelProps) {
  const id = useId();
  const pauseRef = useRef<HTMLButtonElement>(null);
  const resumeRef = useRef<HTMLButtonElement>(null);
  // The button pressed becomes disabled; keyboard focus moves to its counterpart instead of the page, once that
  // counterpart is enabled (a resumed run says "running" in its next progress, not always in the answer).
  const [focusNext, setFocusNext] = useState<'pause' | 'resume' | null>(null);
  const pause = useRunAction('runs.pause', () => setFocusNext('resume'));
  const resume = useRunAction('runs.resume', () => setFocusNext('pause'));
  const [confirmingCancel, setConfirmingCancel] = useState(false);
  const cancel = useRunAction('runs.cancel', () => setConfirmingCancel(false));
  const exportCsv = useExportCsv();
  const workspace = useRunWorkspace();
  const results = useQuery({ ...runResultsOptions(run.runId), enabled: run.counts.failed > 0 });
  // Only failures a retry may help are retried: the portal refused the others for the chat itself.
  const retryable = useMemo(
    () =>
      (results.data ?? [])
        .filter((result) => result.state === 'failed' && retryMaySucceed(result.code))
        .map((result) => result.chatId),
    [results.data],
  );
  const hopeless = run.counts.failed - retryable.length;

  const live = LIVE_STATUSES.has(run.status);
  const done = doneCount(run);
  const ended = run.status === 'finished' || run.status === 'cancelled';
  const busy = pause.isPending || resume.isPending || cancel.isPending;
  const canPause = (run.status === 'running' || run.status === 'holding') && !busy;
  const canResume = (run.status === 'paused' || run.status === 'stopped' || run.status === 'interrupted') && !busy;
  const canCancel = !ended && !busy && run.reason?.code !== 'CANCELLING';
  const canRetry = !live && retryable.length > 0 && !busy;
  const progress = progressText(run);
  // Why closed chats wait, in the banner's words.
  const hold = run.closedWaiting > 0 ? bannerFor(run) : null;
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
  const actionError = [pause, resume, cancel, exportCsv].find((action) => action.isError)?.error ?? null;
  const openRetry = () =>
    workspace.openDialog({
      kind: 'ids',
      chatIds: retryable,
      description:
        `The ${retryable.length.toLocaleString()} failed ${retryable.length === 1 ? 'chat' : 'chats'} of run ${run.runId} that may succeed now` +
        (hopeless > 0
          ? `; ${hopeless.toLocaleString()} the portal refused for the chat itself (not an open line, no such chat, no rights) are left out.`
          : '.'),
      retry: { runId: run.runId, mode: run.mode },
    });

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
        {run.closedWaiting > 0 ? (
          <p className="run-closed-waiting">
            {run.closedWaiting.toLocaleString()} {run.closedWaiting === 1 ? 'chat is' : 'chats are'} closed and waiting
            for {run.closedWaiting === 1 ? 'its' : 'their'} new session
            {run.status === 'holding' && hold ? `: ${hold.title.toLowerCase()}.` : '.'}
          </p>
        ) : null}
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
        <button type="button" disabled={!canCancel || confirmingCancel} onClick={() => setConfirmingCancel(true)}>
          Cancel
        </button>
        <button
          type="button"
          disabled={!canRetry}
          aria-describedby={!live && run.counts.failed > 0 && retryable.length === 0 ? `${id}-no-retry` : undefined}
          onClick={openRetry}
        >
          Retry failed
        </button>
        <button type="button" disabled={exportCsv.isPending} onClick={() => exportCsv.mutate(run.runId)}>
          Export CSV
        </button>
      </fieldset>
      {confirmingCancel && canCancel ? (
        <div className="run-cancel-confirm" role="alertdialog" aria-labelledby={`${id}-cancel-question`}>
          <p id={`${id}-cancel-question`}>
            Cancel this run? What was sent is still confirmed; the {run.counts.pending.toLocaleString()} chats not sent
            yet are skipped.
          </p>
          <button type="button" className="danger" onClick={() => cancel.mutate(run.runId)}>
            Cancel the run
          </button>
          <button type="button" onClick={() => setConfirmingCancel(false)}>
            Keep running
          </button>
        </div>
      ) : null}
      {!live && run.counts.failed > 0 && results.isSuccess && retryable.length === 0 ? (
        <p id={`${id}-no-retry`} className="muted">
          No failed chat can succeed on a retry: the portal refused each for the chat itself.
        </p>
      ) : null}
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
