import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId } from 'react';
import type { ProfileSummary } from '../../../app/contract/index.ts';
import { getApi } from '../../bridge/index.ts';
import { profileKeys } from './profile.keys.ts';

interface PortalSwitcherProps {
  profiles: readonly ProfileSummary[];
  activeProfileId: string | null;
}

export function PortalSwitcher({ profiles, activeProfileId }: PortalSwitcherProps) {
  const queryClient = useQueryClient();
  const id = useId();
  const select = useMutation({
    mutationFn: (profileId: string) => getApi().call('profiles.select', { profileId }),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: profileKeys.all });
    },
  });
  return (
    <div className="portal-switcher">
      <label htmlFor={`${id}-portal`}>Portal</label>
      <select
        id={`${id}-portal`}
        value={activeProfileId ?? ''}
        disabled={select.isPending || profiles.length === 0}
        aria-describedby={select.isError ? `${id}-error` : undefined}
        onChange={(event) => select.mutate(event.target.value)}
      >
        {activeProfileId === null ? <option value="">Choose a portal</option> : null}
        {profiles.map((profile) => (
          <option key={profile.id} value={profile.id}>
            {profile.isDemo ? `${profile.name} (demo)` : `${profile.name} — ${profile.host}`}
          </option>
        ))}
      </select>
      {select.isError ? (
        <span id={`${id}-error`} role="alert" className="error-inline">
          Could not switch the portal: {select.error.message}
        </span>
      ) : null}
    </div>
  );
}
