import { formatAge } from '../../shared/format.ts';
import { useNow } from '../../shared/use-now.ts';
import {
  PORTAL_UNAVAILABLE_REASON_ID,
  type UnavailableKind,
  usePortalAvailability,
} from './use-portal-availability.ts';
import { useRecoveryRefresh } from './use-recovery-refresh.ts';

/** Says, while it lasts, that the portal (or the console host) cannot be reached and how old the data shown is. */
export function ConnectionBanner({ profileId, profileName }: { profileId: string; profileName: string }) {
  const availability = usePortalAvailability(profileId);
  useRecoveryRefresh(profileId);
  const now = useNow(5_000);
  if (availability.available) return null;
  return (
    <div role="alert" className="banner banner-offline">
      <strong>{headline(availability.kind, profileName)}</strong>{' '}
      <span id={PORTAL_UNAVAILABLE_REASON_ID}>{availability.reason}</span>{' '}
      {availability.dataUpdatedAt > 0 ? (
        <span>Showing data from {formatAge(availability.dataUpdatedAt, now)}.</span>
      ) : (
        <span>No saved data to show yet.</span>
      )}{' '}
      <span>Actions that need the portal are disabled; the console reconnects by itself.</span>
    </div>
  );
}

function headline(kind: UnavailableKind | null, profileName: string): string {
  switch (kind) {
    case 'host':
      return 'Lost the connection to the console host.';
    case 'auth':
      return `The portal “${profileName}” refuses this profile’s credentials.`;
    case 'blocked':
      return `The portal “${profileName}” has stopped accepting requests from this console.`;
    default:
      return `The portal “${profileName}” cannot be reached.`;
  }
}
