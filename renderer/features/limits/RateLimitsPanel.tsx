// The portal's limits as the client sees them: the request bucket, calls waiting, each method's operating time
// against its budget with a countdown to its reset, recent 503/429 answers, and requests over the run.
import { useQuery } from '@tanstack/react-query';
import { useEffect, useId, useMemo } from 'react';
import type { LimitsSnapshot, RunProgress } from '../../../app/contract/index.ts';
import { clockTime, formatDuration } from '../../shared/format.ts';
import { useNow } from '../../shared/use-now.ts';
import { limitsOptions } from './limits.keys.ts';
import { binRequests, recordLimits, useLimitsHistory } from './limits-history.ts';
import { methodLabel } from './method-labels.ts';
import { RequestsChart } from './RequestsChart.tsx';
import { useLimitsEvents } from './use-limits-events.ts';

const CHART_BINS = 40;
const LATE_SAMPLE_MS = 1_000;
/** Without a run, the chart shows this much of the recent past. */
const IDLE_WINDOW_MS = 5 * 60_000;
const HITS_SHOWN = 5;

interface RateLimitsPanelProps {
  profileId: string;
  /** The run on screen: the chart covers its time. */
  run: RunProgress | null;
}

export function RateLimitsPanel({ profileId, run }: RateLimitsPanelProps) {
  const headingId = useId();
  const limits = useQuery(limitsOptions(profileId));
  const snapshot = limits.data;
  useLimitsEvents(profileId, snapshot?.portal);
  // The answer of limits.get is a sample too: the chart starts from it.
  useEffect(() => {
    if (snapshot) recordLimits(snapshot, limits.dataUpdatedAt);
  }, [snapshot, limits.dataUpdatedAt]);
  const now = useNow(1_000);

  return (
    <section className="rate-limits panel" aria-labelledby={headingId}>
      <h3 id={headingId}>Rate limits</h3>
      {limits.isPending ? <p role="status">Reading the portal's limits…</p> : null}
      {limits.isError && !snapshot ? (
        <p role="alert" className="error-message">
          Could not read the portal's limits: {limits.error.message}
        </p>
      ) : null}
      {snapshot ? <LimitsDetails snapshot={snapshot} run={run} now={now} /> : null}
    </section>
  );
}

function LimitsDetails({ snapshot, run, now }: { snapshot: LimitsSnapshot; run: RunProgress | null; now: number }) {
  const bucketId = useId();
  const history = useLimitsHistory(snapshot.portal);
  const from = run ? run.startedAt : now - IDLE_WINDOW_MS;
  // The limits sample telling of a run's last requests arrives just after it ends (events come at most every
  // 250 ms): an ended run's window keeps a moment past its end, or a short run would show no request at all.
  const to = run?.finishedAt ? Math.min(now, run.finishedAt + LATE_SAMPLE_MS) : now;
  const bins = useMemo(() => binRequests(history, from, to, CHART_BINS), [history, from, to]);
  const hits = snapshot.recentHits;
  const { level, capacity, drainPerSecond } = snapshot.bucket;

  return (
    <>
      {snapshot.blocked ? (
        <p className="limits-blocked">
          The portal refuses requests ({snapshot.blocked.code}) since {clockTime(snapshot.blocked.at)}:{' '}
          {snapshot.blocked.message}
        </p>
      ) : null}
      <dl className="limits-facts">
        <dt id={bucketId}>Request bucket</dt>
        <dd>
          <meter aria-labelledby={bucketId} min={0} max={capacity} high={capacity * 0.8} value={level} />
          <span>
            {formatNumber(level)} of {capacity} · drains {formatNumber(drainPerSecond)}/s
          </span>
        </dd>
        <dt>Calls waiting</dt>
        <dd>{snapshot.waiting.toLocaleString()}</dd>
        <dt>Requests sent</dt>
        <dd>{snapshot.requestsSent.toLocaleString()}</dd>
        <dt>503/429 answers (last 10 min)</dt>
        <dd>{hits.length.toLocaleString()}</dd>
      </dl>

      <table className="limits-methods">
        <caption>Operating time per method</caption>
        <thead>
          <tr>
            <th scope="col">Method</th>
            <th scope="col">Used of budget</th>
            <th scope="col">Reset</th>
          </tr>
        </thead>
        <tbody>
          {snapshot.methods.length === 0 ? (
            <tr>
              <td colSpan={3} className="muted">
                No method has used operating time yet.
              </td>
            </tr>
          ) : (
            snapshot.methods.map((entry) => (
              <tr key={entry.method}>
                <th scope="row" className="method-name">
                  {methodLabel(entry.method)}
                  {methodLabel(entry.method) !== entry.method ? (
                    <span className="code method-code">{entry.method}</span>
                  ) : null}
                </th>
                <td>
                  <meter
                    aria-label={`Operating time of ${methodLabel(entry.method)}`}
                    min={0}
                    max={entry.budgetSeconds}
                    high={entry.budgetSeconds * 0.8}
                    value={Math.min(entry.operatingSeconds, entry.budgetSeconds)}
                  />{' '}
                  {formatNumber(entry.operatingSeconds)} s of {formatNumber(entry.budgetSeconds)} s
                </td>
                <td>{resetText(entry, now)}</td>
              </tr>
            ))
          )}
        </tbody>
      </table>

      {hits.length > 0 ? (
        <>
          <h4>Recent limit answers</h4>
          <ul className="limits-hits">
            {hits
              .slice(-HITS_SHOWN)
              .reverse()
              .map((hit) => (
                <li key={`${hit.at}-${hit.method}-${hit.code}`}>
                  {clockTime(hit.at)} <span className="code">{hit.code}</span> on {methodLabel(hit.method)}{' '}
                  <span className="code">({hit.method})</span>
                </li>
              ))}
          </ul>
        </>
      ) : null}

      <RequestsChart bins={bins} hits={hits.map((hit) => hit.at)} />
    </>
  );
}

function resetText(entry: LimitsSnapshot['methods'][number], now: number): string {
  if (entry.heldUntil !== null && entry.heldUntil > now) {
    return `held until ${clockTime(entry.heldUntil)} (${formatDuration((entry.heldUntil - now) / 1000)})`;
  }
  if (entry.resetAt !== null && entry.resetAt > now) return `in ${formatCountdown(entry.resetAt - now)}`;
  return '—';
}

/** m:ss, ticking every second. */
function formatCountdown(ms: number): string {
  const seconds = Math.ceil(ms / 1000);
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

function formatNumber(value: number): string {
  return value.toLocaleString(undefined, { maximumFractionDigits: 1 });
}
