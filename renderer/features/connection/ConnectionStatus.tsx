import { type UnavailableKind, usePortalAvailability } from './use-portal-availability.ts';

const UNAVAILABLE_TEXT: Record<UnavailableKind, string> = {
  host: 'Host disconnected',
  unreachable: 'Portal unreachable',
  auth: 'Sign-in refused',
  blocked: 'Blocked by the portal',
};

/** The connection state beside the portal switcher. */
export function ConnectionStatus({ profileId }: { profileId: string }) {
  const availability = usePortalAvailability(profileId);
  return (
    <p className={`connection-state state-${availability.available ? 'online' : 'offline'}`} role="status">
      <span aria-hidden="true" className="dot" />
      {availability.available ? 'Connected' : UNAVAILABLE_TEXT[availability.kind ?? 'unreachable']}
    </p>
  );
}
