// The audit log: every run in this data folder, newest first, with its profile, when, mode, counts and
// outcome; each can be shown with its results, or its results exported as CSV.
import { useQuery } from '@tanstack/react-query';
import { useId } from 'react';
import type { RunProgress } from '../../../app/contract/index.ts';
import { dateTimeOf } from '../../shared/format.ts';
import { runListOptions } from './run.keys.ts';
import { MODE_LABELS, progressText, STATUS_LABELS } from './run-format.ts';
import { useExportCsv } from './use-run-actions.ts';

interface RunHistoryProps {
  currentRunId: string | null;
  onShowRun(runId: string): void;
}

export function RunHistory({ currentRunId, onShowRun }: RunHistoryProps) {
  const headingId = useId();
  const runs = useQuery(runListOptions(null));
  const exportCsv = useExportCsv();
  const list = runs.data ?? [];

  return (
    <section className="run-history panel" aria-labelledby={headingId}>
      <h3 id={headingId}>Bulk run history</h3>
      {runs.isPending ? <p role="status">Loading the bulk runs…</p> : null}
      {runs.isError && !runs.data ? (
        <p role="alert" className="error-message">
          Could not load the bulk runs: {runs.error.message}
        </p>
      ) : null}
      {runs.data && list.length === 0 ? <p className="muted">No bulk run yet.</p> : null}
      {list.length > 0 ? (
        <div className="run-history-scroll">
          <table aria-label="Bulk runs">
            <thead>
              <tr>
                <th scope="col">Started</th>
                <th scope="col">Run</th>
                <th scope="col">Outcome</th>
              </tr>
            </thead>
            <tbody>
              {list.map((run) => (
                <HistoryRow
                  key={run.runId}
                  run={run}
                  current={run.runId === currentRunId}
                  onShow={() => onShowRun(run.runId)}
                  onExport={() => exportCsv.mutate(run.runId)}
                  exporting={exportCsv.isPending && exportCsv.variables === run.runId}
                />
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {exportCsv.isError ? (
        <p role="alert" className="error-message">
          Could not export the results: {exportCsv.error.message}
        </p>
      ) : null}
    </section>
  );
}

function HistoryRow({
  run,
  current,
  onShow,
  onExport,
  exporting,
}: {
  run: RunProgress;
  current: boolean;
  onShow(): void;
  onExport(): void;
  exporting: boolean;
}) {
  return (
    <tr aria-current={current ? 'true' : undefined}>
      <td title={run.runId}>{dateTimeOf(run.startedAt)}</td>
      <td>
        {MODE_LABELS[run.mode]}, {run.total.toLocaleString()} {run.total === 1 ? 'chat' : 'chats'}
        <br />
        <span className="muted">{run.profileName || run.portal}</span>
      </td>
      <td>
        {STATUS_LABELS[run.status]}: {progressText(run)}
        {run.retryOf ? (
          <>
            <br />
            <span className="muted">retry of {run.retryOf}</span>
          </>
        ) : null}
        <div className="row-actions">
          <button type="button" aria-label={`Show run ${run.runId}`} onClick={onShow} disabled={current}>
            Show
          </button>
          <button type="button" aria-label={`Export CSV of run ${run.runId}`} onClick={onExport} disabled={exporting}>
            CSV
          </button>
        </div>
      </td>
    </tr>
  );
}
