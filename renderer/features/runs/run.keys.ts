// Runs in the query cache: one list per profile (null: every profile, for the audit log) and each run's chat
// results. `run.progressed` events write into the lists (see use-run-events.ts) instead of polling. A preview and a
// start only write (the main process keeps a preview under its id): their keys name mutations, not cached data.
import { type QueryClient, queryOptions } from '@tanstack/react-query';
import type { RunChatResult, RunProgress, RunStatus } from '../../../app/contract/index.ts';
import { getApi } from '../../bridge/index.ts';

export const runKeys = {
  all: ['runs'] as const,
  lists: () => [...runKeys.all, 'list'] as const,
  /** `null`: the runs of every profile (the audit log). */
  list: (profileId: string | null) => [...runKeys.lists(), profileId ?? '*'] as const,
  results: () => [...runKeys.all, 'results'] as const,
  result: (runId: string) => [...runKeys.results(), runId] as const,
  preview: (profileId: string) => [...runKeys.all, 'preview', profileId] as const,
  start: (profileId: string) => [...runKeys.all, 'start', profileId] as const,
};

/** A run that a process is working on right now (its progress arrives as events). */
export const LIVE_STATUSES: ReadonlySet<RunStatus> = new Set(['running', 'holding', 'paused']);
/** A run that stopped before its end and can be resumed. */
export const RESUMABLE_STATUSES: ReadonlySet<RunStatus> = new Set(['interrupted', 'stopped', 'paused']);

/** Events keep live runs current; this slow refresh only covers an event lost while the host restarted. */
const LIVE_FALLBACK_MS = 10_000;

export function runListOptions(profileId: string | null) {
  return queryOptions({
    queryKey: runKeys.list(profileId),
    queryFn: () => getApi().call('runs.list', profileId === null ? {} : { profileId }),
    staleTime: 5_000,
    refetchInterval: (query) =>
      query.state.data?.some((run) => LIVE_STATUSES.has(run.status)) ? LIVE_FALLBACK_MS : false,
  });
}

export function runResultsOptions(runId: string) {
  return queryOptions({
    queryKey: runKeys.result(runId),
    queryFn: (): Promise<RunChatResult[]> => getApi().call('runs.results', { runId }),
    staleTime: 2_000,
  });
}

/** Whether a list of this scope shows this run: the portal of OPENLINES_WEBHOOK_URL has no profile id. */
function listShows(queryKey: readonly unknown[], run: RunProgress): boolean {
  const scope = queryKey[2];
  return scope === '*' || run.profileId === scope || run.profileId === '';
}

/** The list with this run's newest progress in it, newest run first. */
export function withRun(list: readonly RunProgress[] | undefined, run: RunProgress): RunProgress[] | undefined {
  if (!list) return list;
  const index = list.findIndex((entry) => entry.runId === run.runId);
  if (index === -1) return [run, ...list].sort((a, b) => b.startedAt - a.startedAt);
  const next = [...list];
  next[index] = run;
  return next;
}

/** Writes a run's progress into every cached list that shows it. Returns its previous progress, if any. */
export function storeRunProgress(client: QueryClient, run: RunProgress): RunProgress | undefined {
  let previous: RunProgress | undefined;
  for (const [queryKey, list] of client.getQueriesData<RunProgress[]>({ queryKey: runKeys.lists() })) {
    if (!listShows(queryKey, run)) continue;
    previous ??= list?.find((entry) => entry.runId === run.runId);
    client.setQueryData<RunProgress[]>(queryKey, (current) => withRun(current, run));
  }
  return previous;
}

/** Chats the run is done with (any state but pending and sent). */
export function doneCount(run: RunProgress): number {
  return run.total - run.counts.pending - run.counts.sent;
}
