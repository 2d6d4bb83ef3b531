import { queryOptions } from '@tanstack/react-query';
import { getApi } from '../../bridge/index.ts';

export const connectionKeys = {
  all: ['connection'] as const,
  detail: (profileId: string) => [...connectionKeys.all, profileId] as const,
};

export function connectionOptions(profileId: string) {
  return queryOptions({
    queryKey: connectionKeys.detail(profileId),
    queryFn: () => getApi().call('connection.get', { profileId }),
    // Check often while the portal is away, so the console recovers by itself soon after it answers again.
    refetchInterval: (query) =>
      query.state.data?.state === 'online' && query.state.status === 'success' ? 15_000 : 3_000,
    refetchIntervalInBackground: true,
  });
}
