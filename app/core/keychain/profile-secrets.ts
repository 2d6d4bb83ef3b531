// What a profile's keychain entry holds, and the only code that reads or writes it.
//
// Entry: service `openlines-console`, account = the profile's `keychainAccount` (its id plus a random part made when
// the profile was created, so two data folders, or a profile re-added under an old id, never share an entry),
// value = JSON bound to the portal and CA certificate it was saved for:
//   webhook: {"v":2,"kind":"webhook","code":"<webhook code>","portal":"https://host","ca":<sha-256 of the PEM>|null}
//   oauth:   {"v":2,"kind":"oauth","clientSecret":"…","accessToken":"…","refreshToken":"…","expiresAt":<ms>,…}
// Only the webhook CODE is stored, not the whole URL: host and user id live in the profile, and the code is the only
// secret part. Profiles written before keychain accounts existed use the bare profile id and version-1 values
// (no binding) until ProfileStore moves them (legacySecretAccount).
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { AppError } from '../app-error.ts';
import type { OAuthTokens } from '../bitrix24/types.ts';
import { type Keychain, KeychainUnavailableError, systemKeychain } from './keychain.ts';

export interface WebhookSecret {
  kind: 'webhook';
  code: string;
}

export interface OAuthSecret {
  kind: 'oauth';
  clientSecret: string;
  tokens: OAuthTokens;
}

export type ProfileSecret = WebhookSecret | OAuthSecret;

/** Whether the keychain holds a profile's secret; `unknown` when no keychain answered. */
export type SecretState = 'stored' | 'missing' | 'unknown';

/** What ties an entry to one profile of one data folder, and to the portal it may be sent to. */
export interface SecretOwner {
  id: string;
  portal: string;
  keychainAccount?: string | undefined;
  caCertificatePem?: string | undefined;
}

/** The account before keychain accounts existed: the bare profile id, shared by every data folder. */
export function legacySecretAccount(owner: Pick<SecretOwner, 'id'>): string {
  return owner.id;
}

function accountOf(owner: SecretOwner): string {
  return owner.keychainAccount ?? legacySecretAccount(owner);
}

function caFingerprint(pem: string | undefined): string | null {
  return pem === undefined ? null : createHash('sha256').update(pem.trim()).digest('hex');
}

// Version 1 carried no binding; version 2 always does.
const bindingFields = {
  v: z.union([z.literal(1), z.literal(2)]),
  portal: z.string().optional(),
  ca: z.string().nullable().optional(),
};
const storedSchema = z.discriminatedUnion('kind', [
  z.object({ ...bindingFields, kind: z.literal('webhook'), code: z.string().min(1) }),
  z.object({
    ...bindingFields,
    kind: z.literal('oauth'),
    clientSecret: z.string().min(1),
    accessToken: z.string().min(1),
    refreshToken: z.string().min(1),
    expiresAt: z.number().optional(),
  }),
]);

/** The keychain entry exists but is not something this version wrote. */
export class SecretUnreadableError extends AppError {
  override readonly name = 'SecretUnreadableError';
  constructor(
    readonly profileId: string,
    problem = 'is not readable by this version',
  ) {
    super({
      code: 'SECRET_UNREADABLE',
      category: 'reauth',
      message: `The keychain entry of profile "${profileId}" ${problem}; enter the secret again.`,
      retryable: false,
    });
  }
}

function encode(owner: SecretOwner, secret: ProfileSecret): string {
  const bound = { v: 2, portal: owner.portal, ca: caFingerprint(owner.caCertificatePem) };
  if (secret.kind === 'webhook') return JSON.stringify({ ...bound, kind: 'webhook', code: secret.code });
  const { accessToken, refreshToken, expiresAt } = secret.tokens;
  return JSON.stringify({
    ...bound,
    kind: 'oauth',
    clientSecret: secret.clientSecret,
    accessToken,
    refreshToken,
    expiresAt,
  });
}

function decode(owner: SecretOwner, value: string): ProfileSecret {
  let parsed: z.output<typeof storedSchema>;
  try {
    parsed = storedSchema.parse(JSON.parse(value));
  } catch {
    throw new SecretUnreadableError(owner.id);
  }
  if (parsed.v === 1) {
    // Unbound entries exist only under the legacy account; anywhere else one was not written by this console.
    if (owner.keychainAccount !== undefined) throw new SecretUnreadableError(owner.id);
  } else if (parsed.portal !== owner.portal) {
    throw new SecretUnreadableError(owner.id, `was saved for another portal (${parsed.portal ?? 'none'})`);
  } else if ((parsed.ca ?? null) !== caFingerprint(owner.caCertificatePem)) {
    throw new SecretUnreadableError(owner.id, 'was saved with another CA certificate');
  }
  if (parsed.kind === 'webhook') return { kind: 'webhook', code: parsed.code };
  const tokens: OAuthTokens = { accessToken: parsed.accessToken, refreshToken: parsed.refreshToken };
  if (parsed.expiresAt !== undefined) tokens.expiresAt = parsed.expiresAt;
  return { kind: 'oauth', clientSecret: parsed.clientSecret, tokens };
}

/**
 * Typed access to portal secrets, one keychain entry per profile. A secret is returned only to the portal and CA
 * certificate it was saved with: a profile that moved elsewhere reads SecretUnreadableError, never the old secret.
 */
export class ProfileSecrets {
  constructor(readonly keychain: Keychain = systemKeychain()) {}

  async get(owner: SecretOwner): Promise<ProfileSecret | null> {
    const value = await this.keychain.get(accountOf(owner));
    return value === null ? null : decode(owner, value);
  }

  /** True when an entry this profile may use is stored (one saved for another portal does not count). */
  async has(owner: SecretOwner): Promise<boolean> {
    try {
      return (await this.get(owner)) !== null;
    } catch (error) {
      if (error instanceof SecretUnreadableError) return false;
      throw error;
    }
  }

  /** Whether the keychain holds the owner's secret; `unknown` when no keychain answered. */
  async state(owner: SecretOwner): Promise<SecretState> {
    try {
      return (await this.has(owner)) ? 'stored' : 'missing';
    } catch (error) {
      if (error instanceof KeychainUnavailableError) return 'unknown';
      throw error;
    }
  }

  async save(owner: SecretOwner, secret: ProfileSecret): Promise<void> {
    await this.keychain.set(accountOf(owner), encode(owner, secret));
  }

  async delete(owner: SecretOwner): Promise<boolean> {
    return this.keychain.delete(accountOf(owner));
  }

  /**
   * Copies a legacy entry (bare profile id, no binding) to the profile's own account, bound to its current portal;
   * deleteLegacy removes the original once the profile names its new account. Returns whether there was a usable one.
   */
  async copyLegacy(owner: SecretOwner & { keychainAccount: string }): Promise<boolean> {
    const value = await this.keychain.get(legacySecretAccount(owner));
    if (value === null) return false;
    let secret: ProfileSecret;
    try {
      secret = decode({ ...owner, keychainAccount: undefined }, value);
    } catch (error) {
      // Nothing usable to move; the profile asks for its secret like a new one.
      if (error instanceof SecretUnreadableError) return false;
      throw error;
    }
    await this.save(owner, secret);
    return true;
  }

  deleteLegacy(owner: Pick<SecretOwner, 'id'>): Promise<boolean> {
    return this.keychain.delete(legacySecretAccount(owner));
  }

  /**
   * Replaces the stored OAuth token pair the moment a refresh succeeds: refresh tokens rotate, so the old pair is
   * useless once the portal has issued a new one.
   */
  async rotateTokens(owner: SecretOwner, tokens: OAuthTokens): Promise<void> {
    const current = await this.get(owner);
    if (current?.kind !== 'oauth') {
      throw new SecretUnreadableError(owner.id, current ? 'holds a webhook, not OAuth tokens' : 'is missing');
    }
    await this.save(owner, { ...current, tokens: { ...tokens } });
  }

  /** A ClientOptions.onTokensRotated for this profile. */
  tokenRotationHandler(owner: SecretOwner): (tokens: OAuthTokens) => Promise<void> {
    return (tokens) => this.rotateTokens(owner, tokens);
  }
}
