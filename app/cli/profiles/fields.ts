// A profile's fields from the flags of `add` and `edit`, and its secret from the prompt or stdin.
import { readFile } from 'node:fs/promises';
import type { ProfileSecret } from '../../core/keychain/profile-secrets.ts';
import { type ProfilePatch, webhookSecretFor } from '../../core/profiles/profile-store.ts';
import type { DefaultFilters, Profile } from '../../core/profiles/schema.ts';
import { UsageError } from '../command.ts';
import { positiveInt, splitList } from '../shared/arguments.ts';
import { readOAuthSecret, readSecretText } from '../shared/input.ts';
import type { Values } from './options.ts';

const OAUTH_FLAGS = ['client-id', 'client-endpoint', 'token-url'] as const;

function oauthFlagGiven(values: Values): boolean {
  return OAUTH_FLAGS.some((flag) => values[flag]);
}

export function authKind(values: Values): 'webhook' | 'oauth' {
  const kind = values.auth ?? (values['client-id'] ? 'oauth' : 'webhook');
  if (kind !== 'webhook' && kind !== 'oauth') throw new UsageError('--auth must be webhook or oauth.');
  if (kind === 'webhook' && oauthFlagGiven(values)) {
    throw new UsageError('--client-id, --client-endpoint and --token-url are for --auth oauth.');
  }
  if (kind === 'oauth' && values['user-id']) throw new UsageError('--user-id is for webhook profiles.');
  return kind;
}

/** The credentials `edit` changes, or undefined when no credentials flag was given. */
export function editedAuth(current: Profile, values: Values): ProfilePatch['auth'] | undefined {
  const touched = (['auth', 'user-id', ...OAUTH_FLAGS] as const).some((flag) => values[flag] !== undefined);
  if (!touched) return undefined;
  const kind = (values.auth ?? current.auth.kind) as string;
  if (kind === 'webhook') {
    if (oauthFlagGiven(values)) {
      throw new UsageError('--client-id, --client-endpoint and --token-url are for OAuth profiles.');
    }
    const userId = values['user-id'] ?? (current.auth.kind === 'webhook' ? String(current.auth.userId) : undefined);
    if (userId === undefined) throw new UsageError('Switching to a webhook needs --user-id.');
    return { kind: 'webhook', userId: positiveInt(userId, '--user-id') };
  }
  if (kind === 'oauth') {
    if (values['user-id']) throw new UsageError('--user-id is for webhook profiles.');
    const before = current.auth.kind === 'oauth' ? current.auth : undefined;
    const clientId = values['client-id'] ?? before?.clientId;
    if (!clientId) throw new UsageError('Switching to OAuth needs --client-id.');
    const clientEndpoint = values['client-endpoint'] ?? before?.clientEndpoint;
    const tokenUrl = values['token-url'] ?? before?.tokenUrl;
    return {
      kind: 'oauth',
      clientId,
      ...(clientEndpoint ? { clientEndpoint } : {}),
      ...(tokenUrl ? { tokenUrl } : {}),
    };
  }
  throw new UsageError('--auth must be webhook or oauth.');
}

export interface CommonFields {
  plan?: Profile['plan'];
  caCertificatePem?: string;
  defaultFilters?: Partial<DefaultFilters>;
}

/** Plan, CA certificate and default filters: the same flags for `add` and `edit`. */
export async function commonFields(values: Values): Promise<CommonFields> {
  const fields: CommonFields = {};
  if (values.plan !== undefined) fields.plan = values.plan as Profile['plan'];
  if (values['ca-file'] !== undefined) {
    try {
      fields.caCertificatePem = await readFile(values['ca-file'], 'utf8');
    } catch (error) {
      throw new UsageError(`--ca-file: cannot read ${values['ca-file']} (${(error as NodeJS.ErrnoException).code}).`);
    }
  }
  const filters: Partial<DefaultFilters> = {};
  if (values.lines !== undefined) filters.lineIds = splitList(values.lines).map((v) => positiveInt(v, '--lines'));
  if (values.operators !== undefined)
    filters.operatorIds = splitList(values.operators).map((v) => positiveInt(v, '--operators'));
  if (values.statuses !== undefined) filters.statuses = splitList(values.statuses) as DefaultFilters['statuses'];
  if (Object.keys(filters).length) fields.defaultFilters = filters;
  return fields;
}

/** `example.com/` and `https://example.com` name the same portal. */
export function normalizedPortal(text: string): string {
  const withScheme = /^[a-z]+:\/\//i.test(text) ? text : `https://${text}`;
  try {
    const url = new URL(withScheme);
    return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
  } catch {
    return text;
  }
}

/** The secret of an existing profile, of the kind its credentials need. */
export async function readSecretFor(profile: Profile): Promise<ProfileSecret> {
  if (profile.auth.kind === 'oauth') return readOAuthSecret();
  return webhookSecretFor(profile, await readSecretText(`Inbound webhook URL (or its code) for ${profile.name}: `));
}
