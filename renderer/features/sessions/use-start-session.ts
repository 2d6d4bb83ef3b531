import { useMutation, useQueryClient } from '@tanstack/react-query';
import { getApi } from '../../bridge/index.ts';
import { chatKeys } from '../chats/chat.keys.ts';

export function useStartSession(profileId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationKey: ['sessions', profileId, 'start'],
    mutationFn: (chatId: number) => getApi().call('sessions.start', { profileId, chatId }),
    // Success or failure, the chat's state on the portal may have changed: refresh its list and detail. Not awaited:
    // the user's answer must not wait for a list refresh that may queue behind the portal's rate limit.
    onSettled: () => {
      void queryClient.invalidateQueries({ queryKey: chatKeys.all(profileId) });
    },
  });
}
