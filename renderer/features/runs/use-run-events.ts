// `run.progressed` events written straight into the cache: the progress bar and counts move with the run without
// polling; a run's results, and the chats table of its profile, are refetched when its status changes and at most
// every few seconds while it runs.
import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { CHAT_STATES } from '../../../app/contract/index.ts';
import { getApi } from '../../bridge/index.ts';
import { chatKeys } from '../chats/chat.keys.ts';
import { runKeys, storeRunProgress } from './run.keys.ts';

const RESULTS_REFRESH_MS = 2_000;
/** While a run changes sessions, the chats table follows this often (not every 15 s as on its own). */
const CHATS_REFRESH_MS = 3_000;

export function useRunEvents(): void {
  const client = useQueryClient();
  useEffect(() => {
    const lastResultsRefresh = new Map<string, number>();
    const lastChatsRefresh = new Map<string, number>();
    const off = getApi().on('run.progressed', (run) => {
      const previous = storeRunProgress(client, run);
      const now = Date.now();
      const statusChanged = previous === undefined || previous.status !== run.status;
      const countsChanged =
        previous === undefined || CHAT_STATES.some((state) => previous.counts[state] !== run.counts[state]);
      if (statusChanged) {
        // A run that appeared or ended: the audit log's other lists may not have it yet.
        void client.invalidateQueries({ queryKey: runKeys.lists(), refetchType: 'active' });
      }
      if (statusChanged || (countsChanged && now - (lastResultsRefresh.get(run.runId) ?? 0) >= RESULTS_REFRESH_MS)) {
        lastResultsRefresh.set(run.runId, now);
        // Only a results table on screen refetches (refetchType 'active' is the default).
        void client.invalidateQueries({ queryKey: runKeys.result(run.runId) });
      }
      // Chats the run closed or started show their new state in the table soon, and once more when it ends.
      const sessionsChanged =
        previous !== undefined &&
        (previous.counts.started !== run.counts.started ||
          previous.counts.verified !== run.counts.verified ||
          previous.closedWaiting !== run.closedWaiting);
      if (statusChanged || (sessionsChanged && now - (lastChatsRefresh.get(run.runId) ?? 0) >= CHATS_REFRESH_MS)) {
        lastChatsRefresh.set(run.runId, now);
        // A run on OPENLINES_WEBHOOK_URL's portal has no profile id: every chat list is asked.
        void client.invalidateQueries({ queryKey: run.profileId ? chatKeys.lists(run.profileId) : ['chats'] });
      }
    });
    return off;
  }, [client]);
}
