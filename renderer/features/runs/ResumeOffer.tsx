// Runs that ended before their end (the app closed, the host was killed, the portal or the credentials stopped
// them), offered for resume when the console opens. Resuming reconciles the chats in flight first.
import { useId } from 'react';
import type { RunProgress } from '../../../app/contract/index.ts';
import { dateTimeOf } from '../../shared/format.ts';
import { doneCount } from './run.keys.ts';
import { MODE_LABELS, STATUS_LABELS } from './run-format.ts';
import { useRunAction } from './use-run-actions.ts';

interface ResumeOfferProps {
  runs: readonly RunProgress[];
  onShowRun(runId: string): void;
}

export function ResumeOffer({ runs, onShowRun }: ResumeOfferProps) {
  const headingId = useId();
  if (runs.length === 0) return null;
  return (
    <section className="resume-offer panel" aria-labelledby={headingId}>
      <h3 id={headingId}>Unfinished runs</h3>
      <p className="muted">These runs stopped before every chat was done. Resume one to finish it.</p>
      <ul>
        {runs.map((run) => (
          <UnfinishedRun key={run.runId} run={run} onShowRun={onShowRun} />
        ))}
      </ul>
    </section>
  );
}

function UnfinishedRun({ run, onShowRun }: { run: RunProgress; onShowRun(runId: string): void }) {
  const describedBy = useId();
  const resume = useRunAction('runs.resume', (resumed) => onShowRun(resumed.runId));
  return (
    <li>
      <p id={describedBy}>
        <span className="code">{run.runId}</span> · {MODE_LABELS[run.mode]} · {STATUS_LABELS[run.status]}
        <br />
        {doneCount(run).toLocaleString()} of {run.total.toLocaleString()} chats done · {run.profileName || run.portal} ·
        started {dateTimeOf(run.startedAt)}
        {run.reason ? (
          <>
            <br />
            <span className="muted">{run.reason.message}</span>
          </>
        ) : null}
      </p>
      <div className="row-actions">
        <button
          type="button"
          className="primary"
          aria-describedby={describedBy}
          disabled={resume.isPending}
          onClick={() => resume.mutate(run.runId)}
        >
          Resume
        </button>
        <button type="button" aria-label={`Show run ${run.runId}`} onClick={() => onShowRun(run.runId)}>
          Show
        </button>
      </div>
      {resume.isError ? (
        <p role="alert" className="error-message">
          Could not resume: {resume.error.message}
        </p>
      ) : null}
    </li>
  );
}
