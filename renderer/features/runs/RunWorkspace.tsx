// Runs around the chats view: the toolbar actions (rendered inside the chats view) open the dialog;
// beside the chats, the runs left unfinished, the run on screen, the portal's rate limits and the run history.
import { useQuery } from '@tanstack/react-query';
import { type ReactNode, useMemo, useState } from 'react';
import type { RunProgress } from '../../../app/contract/index.ts';
import { RateLimitsPanel } from '../limits/RateLimitsPanel.tsx';
import { NewRunDialog } from './NewRunDialog.tsx';
import { ResumeOffer } from './ResumeOffer.tsx';
import { RunHistory } from './RunHistory.tsx';
import { RunPanel } from './RunPanel.tsx';
import { LIVE_STATUSES, runListOptions } from './run.keys.ts';
import { type ChatChoice, RunWorkspaceContext, type RunWorkspaceValue } from './run-workspace-context.tsx';
import { useRunEvents } from './use-run-events.ts';
import './runs.css';

const NO_RUNS: readonly RunProgress[] = [];

function belongsTo(run: RunProgress, profileId: string): boolean {
  // A run on the portal of OPENLINES_WEBHOOK_URL has no profile id.
  return run.profileId === profileId || run.profileId === '';
}

function latest(runs: readonly RunProgress[]): RunProgress | undefined {
  let newest: RunProgress | undefined;
  for (const run of runs) if (!newest || run.startedAt > newest.startedAt) newest = run;
  return newest;
}

export function RunWorkspace({ profileId, children }: { profileId: string; children: ReactNode }) {
  useRunEvents();
  const runs = useQuery(runListOptions(null));
  const [chosenRunId, setChosenRunId] = useState<string | null>(null);
  const [dialog, setDialog] = useState<{ key: number; choice: ChatChoice } | null>(null);

  const all = runs.data ?? NO_RUNS;
  const mine = useMemo(() => all.filter((run) => belongsTo(run, profileId)), [all, profileId]);
  // The run picked by the supervisor, else one this profile is running right now, else its latest when that one
  // ended (a reload keeps showing how it ended; an unfinished one is offered for resuming instead).
  const newest = latest(mine);
  const current =
    (chosenRunId ? all.find((run) => run.runId === chosenRunId) : undefined) ??
    mine.find((run) => LIVE_STATUSES.has(run.status)) ??
    (newest && (newest.status === 'finished' || newest.status === 'cancelled') ? newest : null);
  const unfinished = useMemo(
    () =>
      mine.filter((run) => (run.status === 'interrupted' || run.status === 'stopped') && run.runId !== current?.runId),
    [mine, current?.runId],
  );

  const value = useMemo<RunWorkspaceValue>(
    () => ({
      profileId,
      currentRunId: current?.runId ?? null,
      showRun: setChosenRunId,
      openDialog: (choice) => setDialog((previous) => ({ key: (previous?.key ?? 0) + 1, choice })),
    }),
    [profileId, current?.runId],
  );

  return (
    <RunWorkspaceContext.Provider value={value}>
      <div className="runs-layout">
        <div className="runs-main">{children}</div>
        <aside className="runs-side" aria-label="Bulk restarts">
          <ResumeOffer runs={unfinished} onShowRun={setChosenRunId} />
          {current ? <RunPanel key={current.runId} run={current} /> : null}
          <RateLimitsPanel profileId={profileId} run={current} />
          <RunHistory currentRunId={current?.runId ?? null} onShowRun={setChosenRunId} />
        </aside>
      </div>
      {dialog ? (
        <NewRunDialog
          key={dialog.key}
          profileId={profileId}
          choice={dialog.choice}
          onClose={() => setDialog(null)}
          onStarted={setChosenRunId}
        />
      ) : null}
    </RunWorkspaceContext.Provider>
  );
}
