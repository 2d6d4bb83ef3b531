import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { chatKeys } from '../chats/chat.keys.ts';
import { usePortalAvailability } from './use-portal-availability.ts';

/** When the portal answers again, refresh everything of this profile that failed or aged while it was away. */
export function useRecoveryRefresh(profileId: string): void {
  const { available } = usePortalAvailability(profileId);
  const queryClient = useQueryClient();
  const wasAvailable = useRef(available);
  useEffect(() => {
    if (available && !wasAvailable.current) {
      void queryClient.invalidateQueries({ queryKey: chatKeys.all(profileId) });
    }
    wasAvailable.current = available;
  }, [available, profileId, queryClient]);
}
