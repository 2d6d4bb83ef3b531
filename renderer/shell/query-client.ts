import { QueryClient } from '@tanstack/react-query';
import { isBridgeError } from '../bridge/index.ts';

/** How long a persisted cache may be shown offline; gcTime is at least this so restored data is not dropped. */
export const CACHE_MAX_AGE_MS = 24 * 60 * 60 * 1000;

export const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      gcTime: CACHE_MAX_AGE_MS,
      // The portal's reachability is not the browser's: always ask the bridge, which knows.
      networkMode: 'always',
      // Retry only what the host says is worth retrying; an unreachable portal is re-polled by refetchInterval.
      retry: (failureCount, error) =>
        failureCount < 2 && isBridgeError(error) && error.retryable && error.category !== 'unreachable',
    },
    mutations: { networkMode: 'always', retry: false },
  },
});
