// Each chat of a run with its state and, when it failed, the portal's code and message (as text).
import { useQuery } from '@tanstack/react-query';
import { useId, useMemo, useState } from 'react';
import type { RunChatResult } from '../../../app/contract/index.ts';
import { runResultsOptions } from './run.keys.ts';
import { STATE_LABELS } from './run-format.ts';

/** Rows rendered at most; the CSV export holds every chat. */
const ROWS_SHOWN = 300;
const NO_RESULTS: readonly RunChatResult[] = [];

export function RunResults({ runId }: { runId: string }) {
  const id = useId();
  const results = useQuery(runResultsOptions(runId));
  const [failedOnly, setFailedOnly] = useState(false);
  const all = results.data ?? NO_RESULTS;
  const rows = useMemo(() => (failedOnly ? all.filter((row) => row.state === 'failed') : all), [all, failedOnly]);

  return (
    <section className="run-results" aria-labelledby={`${id}-heading`}>
      <div className="run-results-header">
        <h4 id={`${id}-heading`}>Results</h4>
        <div className="checkbox">
          <input
            type="checkbox"
            id={`${id}-failed`}
            checked={failedOnly}
            onChange={(event) => setFailedOnly(event.target.checked)}
          />
          <label htmlFor={`${id}-failed`}>Failed only</label>
        </div>
      </div>
      {results.isPending ? <p role="status">Loading the results…</p> : null}
      {results.isError && !results.data ? (
        <p role="alert" className="error-message">
          Could not load the results: {results.error.message}
        </p>
      ) : null}
      {results.data ? (
        <div className="run-results-scroll">
          <table aria-label="Run results" aria-rowcount={rows.length + 1}>
            <thead>
              <tr>
                <th scope="col">Chat</th>
                <th scope="col">State</th>
                <th scope="col">Code</th>
                <th scope="col">Message</th>
                <th scope="col">Session</th>
              </tr>
            </thead>
            <tbody>
              {rows.slice(0, ROWS_SHOWN).map((row) => (
                <tr key={row.chatId} className={`state-${row.state}`}>
                  <td>{row.chatId}</td>
                  <td>{STATE_LABELS[row.state]}</td>
                  <td className="code">{row.code ?? ''}</td>
                  <td>{row.message ?? ''}</td>
                  <td>{row.sessionId ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {rows.length === 0 ? <p className="muted">{failedOnly ? 'No chat failed.' : 'No chats.'}</p> : null}
          {rows.length > ROWS_SHOWN ? (
            <p className="muted">
              The first {ROWS_SHOWN} of {rows.length.toLocaleString()} chats are shown; "Export CSV" has them all.
            </p>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}
