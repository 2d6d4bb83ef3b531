// Which portal a command talks to, and the ClientOptions for it: the CLI, the desktop app and bulk runs all start
// here. Order: an explicit profile name, else OPENLINES_WEBHOOK_URL (automation), else OPENLINES_PROFILE, else
// the default profile. The embedded demo portal is the desktop app's business, not this module's.
import type { ClientOptions, Plan } from '../bitrix24/types.ts';
import { dataFolder } from '../data-folder.ts';
import type { ProfileSecret } from '../keychain/profile-secrets.ts';
import { buildWebhookUrl, hostOf, splitWebhookUrl } from './address.ts';
import { ProfileError, ProfileValidationError, SecretMissingError } from './errors.ts';
import { ProfileStore } from './profile-store.ts';
import type { Profile } from './schema.ts';

export type PortalSource = 'profile-option' | 'env-webhook' | 'env-profile' | 'default-profile';

export interface ResolvedPortal {
  source: PortalSource;
  /** Null when the portal came from OPENLINES_WEBHOOK_URL. */
  profile: Profile | null;
  /** Host of the portal, safe to show and log. */
  label: string;
  clientOptions: ClientOptions;
}

export interface ResolvePortalOptions {
  /** `--profile NAME`: a profile id or display name. */
  profileName?: string | undefined;
  env?: NodeJS.ProcessEnv;
  /** Defaults to the store in the data folder `env` points at. */
  store?: ProfileStore;
}

/** The engine's plan for a profile's: `detect` leaves it to the engine's default (standard pacing). */
export function enginePlan(plan: Profile['plan']): Plan | undefined {
  return plan === 'detect' ? undefined : plan;
}

/**
 * ClientOptions from a profile and its keychain secret. For OAuth, rotated tokens go straight back to the keychain
 * through `onTokensRotated` (pass `store.secrets.tokenRotationHandler(profile)`).
 */
export function clientOptionsFor(
  profile: Profile,
  secret: ProfileSecret,
  onTokensRotated?: ClientOptions['onTokensRotated'],
): ClientOptions {
  const options: ClientOptions =
    profile.auth.kind === 'webhook'
      ? {
          credentials: {
            kind: 'webhook',
            webhookUrl: buildWebhookUrl(
              profile.portal,
              profile.auth.userId,
              requireKind(profile, secret, 'webhook').code,
            ),
          },
        }
      : {
          credentials: {
            kind: 'oauth',
            clientEndpoint: profile.auth.clientEndpoint ?? `${profile.portal}/rest/`,
            clientId: profile.auth.clientId,
            clientSecret: requireKind(profile, secret, 'oauth').clientSecret,
            tokens: { ...requireKind(profile, secret, 'oauth').tokens },
            ...(profile.auth.tokenUrl ? { tokenUrl: profile.auth.tokenUrl } : {}),
          },
          ...(onTokensRotated ? { onTokensRotated } : {}),
        };
  const plan = enginePlan(profile.plan);
  if (plan) options.plan = plan;
  if (profile.caCertificatePem) options.caCertificatePem = profile.caCertificatePem;
  return options;
}

function requireKind<K extends ProfileSecret['kind']>(
  profile: Profile,
  secret: ProfileSecret,
  kind: K,
): Extract<ProfileSecret, { kind: K }> {
  if (secret.kind !== kind) {
    throw new ProfileValidationError([
      { field: 'secret', reason: `in the keychain is for ${secret.kind}, but profile "${profile.id}" uses ${kind}` },
    ]);
  }
  return secret as Extract<ProfileSecret, { kind: K }>;
}

/** A profile with its keychain secret turned into ClientOptions; SecretMissingError when it has none yet. */
export async function clientOptionsForProfile(store: ProfileStore, profile: Profile): Promise<ClientOptions> {
  const secret = await store.secrets.get(profile);
  if (!secret) throw new SecretMissingError(profile.id, profile.name);
  return clientOptionsFor(profile, secret, store.secrets.tokenRotationHandler(profile));
}

/** Resolves the portal to use, in the documented order; reads the keychain but never the network. */
export async function resolvePortal(options: ResolvePortalOptions = {}): Promise<ResolvedPortal> {
  const env = options.env ?? process.env;
  const store = options.store ?? new ProfileStore({ home: dataFolder({ env }) });

  if (options.profileName?.trim()) {
    const profile = await store.get(options.profileName);
    return fromProfile(store, profile, 'profile-option');
  }

  const webhookUrl = env.OPENLINES_WEBHOOK_URL?.trim();
  if (webhookUrl) {
    const parts = splitWebhookUrl(webhookUrl);
    if (!parts.ok) throw new ProfileValidationError([{ field: 'OPENLINES_WEBHOOK_URL', reason: parts.reason }]);
    const clientOptions: ClientOptions = {
      credentials: {
        kind: 'webhook',
        webhookUrl: buildWebhookUrl(parts.value.portal, parts.value.userId, parts.value.code),
      },
    };
    const plan = env.OPENLINES_PLAN?.trim();
    if (plan === 'standard' || plan === 'enterprise') clientOptions.plan = plan;
    else if (plan && plan !== 'detect') {
      throw new ProfileValidationError([{ field: 'OPENLINES_PLAN', reason: 'must be standard, enterprise or detect' }]);
    }
    return { source: 'env-webhook', profile: null, label: hostOf(parts.value.portal), clientOptions };
  }

  const named = env.OPENLINES_PROFILE?.trim();
  if (named) return fromProfile(store, await store.get(named), 'env-profile');

  const profile = await store.defaultProfile();
  if (!profile) {
    throw new ProfileError(
      'NO_PROFILE',
      'No portal is configured: add one with `openlines profiles add`, choose one with --profile, ' +
        'or set OPENLINES_WEBHOOK_URL.',
    );
  }
  return fromProfile(store, profile, 'default-profile');
}

async function fromProfile(store: ProfileStore, profile: Profile, source: PortalSource): Promise<ResolvedPortal> {
  return {
    source,
    profile,
    label: hostOf(profile.portal),
    clientOptions: await clientOptionsForProfile(store, profile),
  };
}
