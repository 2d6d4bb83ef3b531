// Keeps the profile's limits snapshot current from `limits.changed` events while the panel is mounted.
import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import type { LimitsSnapshot } from '../../../app/contract/index.ts';
import { getApi } from '../../bridge/index.ts';
import { limitsKeys } from './limits.keys.ts';

export function useLimitsEvents(profileId: string, portal: string | undefined): void {
  const client = useQueryClient();
  useEffect(() => {
    if (!portal) return;
    // Events name the portal, not the profile: only this profile's portal is taken.
    return getApi().on('limits.changed', (snapshot) => {
      if (snapshot.portal !== portal) return;
      client.setQueryData<LimitsSnapshot>(limitsKeys.detail(profileId), snapshot);
    });
  }, [client, profileId, portal]);
}
