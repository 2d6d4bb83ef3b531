import { queryOptions } from '@tanstack/react-query';
import { getApi } from '../../bridge/index.ts';

export const profileKeys = {
  all: ['profiles'] as const,
  list: () => [...profileKeys.all, 'list'] as const,
};

export function profileListOptions() {
  return queryOptions({
    queryKey: profileKeys.list(),
    queryFn: () => getApi().call('profiles.list', {}),
    staleTime: 30_000,
  });
}
