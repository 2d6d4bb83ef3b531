import { useQuery } from '@tanstack/react-query';
import { connectionOptions } from './connection.keys.ts';
import { connectionStateText, usePortalAvailability } from './use-portal-availability.ts';

/** The connection state beside the portal switcher. */
export function ConnectionStatus({ profileId }: { profileId: string }) {
  const connection = useQuery(connectionOptions(profileId));
  const availability = usePortalAvailability(profileId);
  const state = availability.available ? (connection.data?.state ?? 'unknown') : 'unreachable';
  const text = availability.available && state !== 'online' && connection.data ? connectionStateText(state) : null;
  return (
    <p className={`connection-state state-${availability.available ? 'online' : 'offline'}`} role="status">
      <span aria-hidden="true" className="dot" />
      {text ?? (availability.available ? 'Connected' : 'Portal unreachable')}
    </p>
  );
}
