// What the renderer is told about a profile (never a secret): stored profiles, the built-in demo profile and the
// portal of OPENLINES_WEBHOOK_URL.
import type { ProfileSummary } from '../contract/index.ts';
import { parseWebhookUrl } from '../core/bitrix24/portal-address.ts';
import type { ProfileListing } from '../core/profiles/profile-store.ts';

/** The built-in profile on the embedded demo portal, shown when no profile exists (or with `serve --demo`). */
export const DEMO_PROFILE_ID = 'demo';
/** The profile standing for OPENLINES_WEBHOOK_URL in `env` mode. */
export const ENV_PROFILE_ID = 'env';

/** The secret part of a webhook URL (to redact it), or null when the text is not one. */
export function webhookCodeOf(webhookUrl: string): string | null {
  try {
    return parseWebhookUrl(webhookUrl).code;
  } catch {
    return null;
  }
}

export function demoSummary(isDefault: boolean): ProfileSummary {
  return {
    id: DEMO_PROFILE_ID,
    name: 'Demo portal',
    host: '127.0.0.1',
    authKind: 'webhook',
    plan: 'standard',
    isDefault,
    isDemo: true,
    hasSecret: true,
    defaultFilters: { lineIds: [], statuses: [], operatorIds: [] },
  };
}

export function envSummary(webhookUrl: string): ProfileSummary {
  let host = '';
  try {
    host = new URL(webhookUrl).host;
  } catch {
    host = 'invalid address';
  }
  return {
    ...demoSummary(true),
    id: ENV_PROFILE_ID,
    name: 'Portal from OPENLINES_WEBHOOK_URL',
    host,
    plan: 'detect',
    isDemo: false,
  };
}

export function summaryOf(listing: ProfileListing): ProfileSummary {
  const { profile } = listing;
  return {
    id: profile.id,
    name: profile.name,
    host: new URL(profile.portal).host,
    authKind: profile.auth.kind,
    plan: profile.plan,
    isDefault: listing.isDefault,
    isDemo: false,
    hasSecret: listing.secret === 'stored',
    defaultFilters: {
      lineIds: [...profile.defaultFilters.lineIds],
      statuses: [...profile.defaultFilters.statuses],
      operatorIds: [...profile.defaultFilters.operatorIds],
    },
  };
}
