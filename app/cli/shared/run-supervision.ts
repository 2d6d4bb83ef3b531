// A started or resumed run, watched in the terminal to its end: progress on stderr about once a second, SIGINT or
// SIGTERM stop sending and leave the run resumable, the summary on stderr and the result on stdout.
import type { RunProgress } from '../../contract/runs.ts';
import type { RunHandle, RunSummary } from '../../core/runs/index.ts';
import { EXIT, type ExitCode } from './exit-codes.ts';
import { note, printJson } from './output.ts';
import { duration, jsonResult, printSummary, summaryExitCode } from './run-result.ts';

function progressLine(progress: RunProgress): string {
  const { counts } = progress;
  // Counted as the summary counts: done is started (verified or not) or already active; failed and skipped apart.
  const done = counts.started + counts.verified + counts['already-active'];
  const parts = [
    `${done}/${progress.total} done`,
    `${counts.verified} verified`,
    `${counts['already-active']} already active`,
    `${counts.failed} failed`,
  ];
  if (counts.skipped > 0) parts.push(`${counts.skipped} skipped`);
  parts.push(`${progress.requests} requests`);
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
    // The resume command is printed once, under the summary.
    note(`openlines: ${signal}: stopping after the requests on their way; press it again to quit at once.`);
    void handle.interrupt({ code: 'INTERRUPTED', message: `Interrupted by ${signal}.`, until: null });
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
  // Progress lines are throttled: the last one shown must be the state the summary reports.
  const finalLine = progressLine(handle.progress());
  if (finalLine !== lastLine) note(finalLine);
  printSummary(summary);
  if (json) printJson(jsonResult(summary));
  return summaryExitCode(summary);
}
