// A started or resumed run, watched in the terminal to its end: progress on stderr about once a second, SIGINT or
// SIGTERM stop sending and leave the run resumable, the summary on stderr and the result on stdout.
import type { RunProgress } from '../../contract/runs.ts';
import type { RunHandle, RunSummary } from '../../core/runs/index.ts';
import { EXIT, type ExitCode } from './exit-codes.ts';
import { note, printJson } from './output.ts';
import { duration, jsonResult, printSummary, summaryExitCode } from './run-result.ts';

function progressLine(progress: RunProgress): string {
  const { counts } = progress;
  const done = counts.verified + counts['already-active'] + counts.failed + counts.skipped + counts.started;
  const parts = [
    `${done}/${progress.total} done`,
    `${counts.verified} verified`,
    `${counts['already-active']} already active`,
    `${counts.failed} failed`,
    `${progress.requests} requests`,
  ];
  if (progress.limitHits > 0) parts.push(`${progress.limitHits} limit hits`);
  if (progress.etaSeconds !== null && progress.status === 'running')
    parts.push(`about ${duration(progress.etaSeconds)} left`);
  return `openlines: ${progress.status} · ${parts.join(' · ')}`;
}

/** Runs the run to its end in the terminal and returns the exit code its end stands for. */
export async function superviseRun(handle: RunHandle, json: boolean): Promise<ExitCode> {
  note(`openlines: run ${handle.runId} (journal in ${handle.runDir})`);
  let lastLine = '';
  let lastAt = 0;
  let lastStatus = '';
  const unsubscribe = handle.subscribe((progress) => {
    const now = Date.now();
    if (progress.status !== lastStatus && progress.reason) note(`openlines: ${progress.reason.message}`);
    const line = progressLine(progress);
    if (progress.status !== lastStatus || (now - lastAt >= 1_000 && line !== lastLine)) {
      note(line);
      lastLine = line;
      lastAt = now;
    }
    lastStatus = progress.status;
  });
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    if (signals > 1) process.exit(EXIT.stopped);
    note(`openlines: ${signal}: stopping; the run stays resumable with "openlines resume ${handle.runId}".`);
    void handle.interrupt({
      code: 'INTERRUPTED',
      message: `Interrupted by ${signal}; resume it with "openlines resume ${handle.runId}".`,
      until: null,
    });
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let summary: RunSummary;
  try {
    summary = await handle.done;
  } finally {
    unsubscribe();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  printSummary(summary);
  if (json) printJson(jsonResult(summary));
  return summaryExitCode(summary);
}
