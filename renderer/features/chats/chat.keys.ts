import { queryOptions } from '@tanstack/react-query';
import type { ChatScope } from '../../../app/contract/index.ts';
import { getApi } from '../../bridge/index.ts';
import { CHAT_PERF } from './chat-perf.ts';

/** Every chat query sits under ['chats', profileId], so one prefix invalidates (and persists) a profile's chats. */
export const chatKeys = {
  all: (profileId: string) => ['chats', profileId] as const,
  lists: (profileId: string) => [...chatKeys.all(profileId), 'list'] as const,
  list: (profileId: string, scope: ChatScope) => [...chatKeys.lists(profileId), scope] as const,
  details: (profileId: string) => [...chatKeys.all(profileId), 'detail'] as const,
  detail: (profileId: string, chatId: number) => [...chatKeys.details(profileId), chatId] as const,
};

export const CHAT_LIST_REFRESH_MS = 15_000;
const OFFLINE_RETRY_MS = 3_000;

/** History ranges change only as sessions close late; they are refreshed far less often than the working view. */
const HISTORY_REFRESH_MS = 5 * 60_000;

export function chatListOptions(profileId: string, scope: ChatScope) {
  return queryOptions({
    queryKey: chatKeys.list(profileId, scope),
    queryFn: async () => {
      const list = await getApi().call('chats.list', { profileId, scope });
      performance.mark(CHAT_PERF.dataArrived);
      return list;
    },
    staleTime: 10_000,
    // Background refresh; while the portal is unreachable, try again sooner so the view recovers by itself.
    refetchInterval: (query) =>
      query.state.status === 'error'
        ? OFFLINE_RETRY_MS
        : scope.kind === 'history'
          ? HISTORY_REFRESH_MS
          : CHAT_LIST_REFRESH_MS,
    refetchIntervalInBackground: true,
  });
}

export function chatDetailOptions(profileId: string, chatId: number) {
  return queryOptions({
    queryKey: chatKeys.detail(profileId, chatId),
    queryFn: () => getApi().call('chats.detail', { profileId, chatId }),
    staleTime: 10_000,
  });
}
