// Requests over the run as bars in inline SVG, with a text description for assistive technology.
import { useId } from 'react';
import { formatDuration } from '../../shared/format.ts';
import type { RequestBins } from './limits-history.ts';

const WIDTH = 320;
const HEIGHT = 72;
const GAP = 1;

interface RequestsChartProps {
  bins: RequestBins;
  /** Times of recent 503/429 answers, marked under the bars. */
  hits: readonly number[];
}

export function RequestsChart({ bins, hits }: RequestsChartProps) {
  const titleId = useId();
  const descId = useId();
  const peak = Math.max(1, ...bins.counts);
  const barWidth = WIDTH / bins.counts.length;
  const span = bins.to - bins.from;
  const shownHits = hits.filter((at) => at >= bins.from && at <= bins.to);
  const description =
    bins.total === 0
      ? `No requests in the last ${formatDuration(span / 1000)}.`
      : `${bins.total.toLocaleString()} requests over ${formatDuration(span / 1000)}, at most ${Math.max(...bins.counts).toLocaleString()} in ${formatBin(bins.binMs)}` +
        `${shownHits.length > 0 ? `; ${shownHits.length} limit ${shownHits.length === 1 ? 'hit' : 'hits'} marked in red` : ''}.`;
  return (
    <figure className="requests-chart">
      <svg
        role="img"
        aria-labelledby={titleId}
        aria-describedby={descId}
        viewBox={`0 0 ${WIDTH} ${HEIGHT + 8}`}
        preserveAspectRatio="none"
      >
        <title id={titleId}>Requests over the run</title>
        <desc id={descId}>{description}</desc>
        <line className="axis" x1={0} y1={HEIGHT + 0.5} x2={WIDTH} y2={HEIGHT + 0.5} />
        {bins.counts.map((count, index) => {
          const height = (count / peak) * (HEIGHT - 4);
          return (
            <rect
              // biome-ignore lint/suspicious/noArrayIndexKey: bins are positional; their index is their identity.
              key={index}
              className="bar"
              x={index * barWidth + GAP / 2}
              y={HEIGHT - height}
              width={Math.max(0.5, barWidth - GAP)}
              height={height}
            />
          );
        })}
        {shownHits.map((at) => {
          const x = ((at - bins.from) / span) * WIDTH;
          return <rect key={at} className="hit" x={Math.min(WIDTH - 2, x)} y={HEIGHT + 2} width={2} height={6} />;
        })}
      </svg>
      {/* Shown for sighted users; assistive technology already reads it from <desc>. */}
      <figcaption className="muted" aria-hidden="true">
        {description}
      </figcaption>
    </figure>
  );
}

/** A bar's width in time: short runs have bars of a fraction of a second, which whole seconds would call 0 s. */
function formatBin(ms: number): string {
  if (ms < 1_000) return `${Math.max(1, Math.round(ms))} ms`;
  if (ms < 10_000) return `${(ms / 1000).toLocaleString(undefined, { maximumFractionDigits: 1 })} s`;
  return formatDuration(ms / 1000);
}
