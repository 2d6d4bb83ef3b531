// A portal's rate limits: `limits.get` gives the first snapshot, `limits.changed` events keep it current.
import { queryOptions } from '@tanstack/react-query';
import { getApi } from '../../bridge/index.ts';

export const limitsKeys = {
  all: ['limits'] as const,
  details: () => [...limitsKeys.all, 'detail'] as const,
  detail: (profileId: string) => [...limitsKeys.details(), profileId] as const,
};

/** Events carry the changes; this slow refresh only moves the countdowns' source while nothing is sent. */
const IDLE_REFRESH_MS = 30_000;

export function limitsOptions(profileId: string) {
  return queryOptions({
    queryKey: limitsKeys.detail(profileId),
    queryFn: () => getApi().call('limits.get', { profileId }),
    staleTime: 10_000,
    refetchInterval: IDLE_REFRESH_MS,
  });
}
