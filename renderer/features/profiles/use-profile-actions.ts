// Every profile change the console can make. Each mutation awaits the profile list's invalidation (the host also
// emits profiles.changed, which does the same for other windows); a new secret also refetches that profile's chats.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { ChannelInput } from '../../../app/contract/index.ts';
import { getApi } from '../../bridge/index.ts';
import { chatKeys } from '../chats/chat.keys.ts';
import { connectionKeys } from '../connection/connection.keys.ts';
import { profileKeys } from './profile.keys.ts';

function useInvalidateProfiles() {
  const client = useQueryClient();
  return () => client.invalidateQueries({ queryKey: profileKeys.all });
}

export function useAddProfile() {
  const invalidate = useInvalidateProfiles();
  return useMutation({
    mutationFn: (input: ChannelInput<'profiles.add'>) => getApi().call('profiles.add', input),
    onSuccess: invalidate,
  });
}

export function useRenameProfile() {
  const invalidate = useInvalidateProfiles();
  return useMutation({
    mutationFn: (input: { profileId: string; name: string }) => getApi().call('profiles.rename', input),
    onSuccess: invalidate,
  });
}

export function useSelectProfile() {
  const invalidate = useInvalidateProfiles();
  return useMutation({
    mutationFn: (profileId: string) => getApi().call('profiles.select', { profileId }),
    onSuccess: invalidate,
  });
}

export function useRemoveProfile() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (profileId: string) => getApi().call('profiles.remove', { profileId }),
    onSuccess: async ({ removed }) => {
      client.removeQueries({ queryKey: chatKeys.all(removed) });
      client.removeQueries({ queryKey: connectionKeys.detail(removed) });
      await client.invalidateQueries({ queryKey: profileKeys.all });
    },
  });
}

export function useSetSecret() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: { profileId: string; webhookUrl: string }) => getApi().call('profiles.setSecret', input),
    onSuccess: async (profile) => {
      await Promise.all([
        client.invalidateQueries({ queryKey: profileKeys.all }),
        client.invalidateQueries({ queryKey: chatKeys.all(profile.id) }),
        client.invalidateQueries({ queryKey: connectionKeys.detail(profile.id) }),
      ]);
    },
  });
}

export function useImportProfiles() {
  const invalidate = useInvalidateProfiles();
  return useMutation({
    mutationFn: (text: string) => getApi().call('profiles.import', { text }),
    onSuccess: invalidate,
  });
}

export function useCheckProfile() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (profileId: string) => getApi().call('profiles.check', { profileId }),
    // The check records the connection state on the host: show it wherever the state is displayed.
    onSettled: (_data, _error, profileId) => client.invalidateQueries({ queryKey: connectionKeys.detail(profileId) }),
  });
}
