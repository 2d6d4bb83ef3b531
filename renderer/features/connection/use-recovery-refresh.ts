import { type QueryState, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { chatKeys } from '../chats/chat.keys.ts';
import { usePortalAvailability } from './use-portal-availability.ts';

/** The least time between two recovery refreshes. */
const RECOVERY_SPACING_MS = 5_000;

/**
 * When the portal answers again, refresh what of this profile failed or aged while it was away — only that, without
 * cancelling fetches already under way, and at most once per RECOVERY_SPACING_MS. A portal can refuse some methods and
 * answer others (USER_ID on chat reads while the list loads), so "away" and "back" can alternate within a second;
 * refetching everything on each "back" turned that into a loop of refetches that starved the user's own clicks.
 */
export function useRecoveryRefresh(profileId: string): void {
  const { available } = usePortalAvailability(profileId);
  const queryClient = useQueryClient();
  const awaySince = useRef<number | null>(available ? null : Date.now());
  const lastRefresh = useRef(0);
  useEffect(() => {
    if (!available) {
      awaySince.current ??= Date.now();
      return;
    }
    const since = awaySince.current;
    awaySince.current = null;
    if (since === null) return;
    const refresh = () => {
      lastRefresh.current = Date.now();
      void queryClient.invalidateQueries(
        { queryKey: chatKeys.all(profileId), predicate: (query) => needsRefreshAfterOutage(query.state, since) },
        { cancelRefetch: false },
      );
    };
    const wait = recoveryRefreshDelay(lastRefresh.current, Date.now());
    if (wait === 0) {
      refresh();
      return;
    }
    const timer = setTimeout(refresh, wait);
    return () => clearTimeout(timer);
  }, [available, profileId, queryClient]);
}

/** How long a recovery refresh waits so that two of them are at least RECOVERY_SPACING_MS apart (0: now). */
export function recoveryRefreshDelay(lastRefreshAt: number, now: number): number {
  return Math.max(0, lastRefreshAt + RECOVERY_SPACING_MS - now);
}

/** A query failed, or holds data older than the moment the portal went away. */
export function needsRefreshAfterOutage(state: Pick<QueryState, 'status' | 'dataUpdatedAt'>, awaySince: number) {
  return state.status === 'error' || state.dataUpdatedAt < awaySince;
}
