// The explicit, networked step: does this profile reach its portal, as whom, with which scopes? Calls `profile`
// and `scope` only, and says plainly whether the portal could not be reached, refused the credentials, or lacks
// a right or scope.
import { createBitrix24Client } from '../bitrix24/client.ts';
import { type Bitrix24Error, isBitrix24Error } from '../bitrix24/errors.ts';
import type { Bitrix24Client, ClientOptions } from '../bitrix24/types.ts';
import type { ProfileStore } from './profile-store.ts';
import { clientOptionsForProfile } from './resolve-portal.ts';
import type { Profile } from './schema.ts';

/** Scopes the console needs (fact sheet §8). */
export const REQUIRED_SCOPES = ['imopenlines', 'im'] as const;

export type CheckStatus = 'ok' | 'missing-scopes' | 'unreachable' | 'auth' | 'permission' | 'blocked' | 'error';

export interface ConnectionCheck {
  status: CheckStatus;
  /** The portal answered at all. */
  reachable: boolean;
  /** Host of the portal. */
  portal: string;
  /** "Name Surname (user 1, administrator)" when `profile` answered. */
  user: string | null;
  userId: number | null;
  admin: boolean | null;
  scopes: string[];
  missingScopes: string[];
  planHint: string | null;
  /** One or two sentences for the user. */
  message: string;
  /** The Bitrix24 or client error code behind a failed check. */
  errorCode: string | null;
}

export type ClientFactory = (options: ClientOptions) => Bitrix24Client;

export interface CheckOptions {
  /** The engine's createBitrix24Client unless a test or the host shares its own. */
  createClient?: ClientFactory;
  /** The profile's plan setting, for the plan hint (`detect` when absent). */
  plan?: Profile['plan'];
  signal?: AbortSignal;
}

interface ProfileResult {
  ID?: string | number;
  ADMIN?: boolean;
  NAME?: string;
  LAST_NAME?: string;
}

export async function checkConnection(
  clientOptions: ClientOptions,
  options: CheckOptions = {},
): Promise<ConnectionCheck> {
  const createClient = options.createClient ?? createBitrix24Client;
  const client = createClient({ ...clientOptions, requestTimeoutMs: clientOptions.requestTimeoutMs ?? 20_000 });
  const portal = client.portalLabel;
  const callOptions = { idempotent: true, ...(options.signal ? { signal: options.signal } : {}) };
  const base = { portal, user: null, userId: null, admin: null, scopes: [], missingScopes: [], errorCode: null };
  let me: ProfileResult;
  let scopes: string[];
  try {
    me = (await client.call<ProfileResult>('profile', {}, callOptions)).result ?? {};
    const scopeResult = (await client.call<unknown>('scope', {}, callOptions)).result;
    scopes = Array.isArray(scopeResult) ? scopeResult.map(String) : [];
  } catch (error) {
    if (!isBitrix24Error(error)) throw error;
    return { ...base, ...failure(error, portal), planHint: null };
  }

  const userId = me.ID === undefined ? null : Number(me.ID);
  const admin = typeof me.ADMIN === 'boolean' ? me.ADMIN : null;
  const fullName = [me.NAME, me.LAST_NAME].filter((part) => typeof part === 'string' && part.trim()).join(' ');
  const user = `${fullName || 'Unnamed user'} (user ${userId ?? '?'}${admin ? ', administrator' : ''})`;
  const granted = new Set(scopes.map((s) => s.toLowerCase()));
  const missingScopes = REQUIRED_SCOPES.filter((scope) => !granted.has(scope));
  const planHint = hintFor(options.plan ?? 'detect', client);
  if (missingScopes.length) {
    return {
      ...base,
      status: 'missing-scopes',
      reachable: true,
      user,
      userId,
      admin,
      scopes,
      missingScopes,
      planHint,
      message:
        `Connected to ${portal} as ${user}, but the webhook or app lacks the scope${missingScopes.length > 1 ? 's' : ''} ` +
        `${missingScopes.join(' and ')}. Edit it on the portal and tick ${missingScopes.join(', ')}.`,
    };
  }
  return {
    ...base,
    status: 'ok',
    reachable: true,
    user,
    userId,
    admin,
    scopes,
    planHint,
    message: `Connected to ${portal} as ${user}; the scopes imopenlines and im are granted.`,
  };
}

function failure(
  error: Bitrix24Error,
  portal: string,
): Pick<ConnectionCheck, 'status' | 'reachable' | 'message' | 'errorCode'> {
  const errorCode = error.code;
  // The engine's messages often name the host already; say it once.
  const said = (lead: string) => (error.message.includes(portal) ? error.message : `${lead} ${error.message}`);
  switch (error.category) {
    case 'unreachable':
      return { status: 'unreachable', reachable: false, errorCode, message: said(`Cannot reach ${portal}.`) };
    case 'reauth':
      return {
        status: 'auth',
        reachable: true,
        errorCode,
        message: said(`${portal} answered but refused the credentials.`),
      };
    case 'permission':
      return {
        status: 'permission',
        reachable: true,
        errorCode,
        message: said(`${portal} accepted the credentials but refused access.`),
      };
    case 'blocked':
      return { status: 'blocked', reachable: true, errorCode, message: said(`${portal} blocks the REST API.`) };
    default: {
      // A time-out or a reset: something may be listening, but no answer came back.
      const reachable = errorCode !== 'REQUEST_TIMEOUT' && errorCode !== 'CONNECTION_RESET';
      return {
        status: reachable ? 'error' : 'unreachable',
        reachable,
        errorCode,
        message: said(reachable ? 'The check failed:' : `Cannot reach ${portal}:`),
      };
    }
  }
}

function hintFor(plan: Profile['plan'], client: Bitrix24Client): string {
  const throttled = client.limits.snapshot().recentHits.some((hit) => hit.code === 'QUERY_LIMIT_EXCEEDED');
  const busy = throttled
    ? ' The portal already refused requests for rate during this check: another app may share its request budget.'
    : '';
  switch (plan) {
    case 'enterprise':
      return `Paced for Enterprise (5 requests per second, bursts of 250). If the portal is not on Enterprise it will answer QUERY_LIMIT_EXCEEDED; then set the plan to standard.${busy}`;
    case 'standard':
      return `Paced for the standard plans (2 requests per second, bursts of 50). If the portal is on Enterprise, set the plan to enterprise to go up to 5 per second.${busy}`;
    default:
      return `The portal's plan cannot be read through \`profile\` or \`scope\`, so requests are paced for the standard plans (2 per second). If the portal is on Enterprise, set the plan to enterprise.${busy}`;
  }
}

/** The contract's connection state for a check. */
export function connectionStateOf(check: ConnectionCheck): 'online' | 'unreachable' | 'auth-failed' | 'blocked' {
  switch (check.status) {
    case 'ok':
    case 'missing-scopes':
    case 'permission':
    case 'error':
      return check.reachable ? 'online' : 'unreachable';
    case 'auth':
      return 'auth-failed';
    case 'blocked':
      return 'blocked';
    case 'unreachable':
      return 'unreachable';
  }
}

/** Checks a stored profile with its keychain secret (SecretMissingError when it has none yet). */
export async function checkProfile(
  store: ProfileStore,
  nameOrId: string,
  options: Omit<CheckOptions, 'plan'> = {},
): Promise<ConnectionCheck> {
  const profile = await store.get(nameOrId);
  return checkConnection(await clientOptionsForProfile(store, profile), { ...options, plan: profile.plan });
}
