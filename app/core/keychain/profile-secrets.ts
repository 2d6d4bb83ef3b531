// What a profile's keychain entry holds, and the only code that reads or writes it.
//
// Entry: service `openlines-console`, account = profile id, value = JSON:
//   webhook: {"v":1,"kind":"webhook","code":"<webhook code>"}
//   oauth:   {"v":1,"kind":"oauth","clientSecret":"…","accessToken":"…","refreshToken":"…","expiresAt":<ms>}
// Only the webhook CODE is stored, not the whole URL: host and user id live in the profile, so renaming or
// re-addressing a profile never leaves a stale URL in the keychain, and the code is the only secret part.
import { z } from 'zod';
import type { OAuthTokens } from '../bitrix24/types.ts';
import { type Keychain, systemKeychain } from './keychain.ts';

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

const storedSchema = z.discriminatedUnion('kind', [
  z.object({ v: z.literal(1), kind: z.literal('webhook'), code: z.string().min(1) }),
  z.object({
    v: z.literal(1),
    kind: z.literal('oauth'),
    clientSecret: z.string().min(1),
    accessToken: z.string().min(1),
    refreshToken: z.string().min(1),
    expiresAt: z.number().optional(),
  }),
]);

/** The keychain entry exists but is not something this version wrote. */
export class SecretUnreadableError extends Error {
  override readonly name = 'SecretUnreadableError';
  readonly code = 'SECRET_UNREADABLE';
  constructor(
    readonly profileId: string,
    problem = 'is not readable by this version',
  ) {
    super(`The keychain entry of profile "${profileId}" ${problem}; enter the secret again.`);
  }
}

function encode(secret: ProfileSecret): string {
  if (secret.kind === 'webhook') return JSON.stringify({ v: 1, kind: 'webhook', code: secret.code });
  const { accessToken, refreshToken, expiresAt } = secret.tokens;
  return JSON.stringify({
    v: 1,
    kind: 'oauth',
    clientSecret: secret.clientSecret,
    accessToken,
    refreshToken,
    expiresAt,
  });
}

function decode(profileId: string, value: string): ProfileSecret {
  let parsed: z.output<typeof storedSchema>;
  try {
    parsed = storedSchema.parse(JSON.parse(value));
  } catch {
    throw new SecretUnreadableError(profileId);
  }
  if (parsed.kind === 'webhook') return { kind: 'webhook', code: parsed.code };
  const tokens: OAuthTokens = { accessToken: parsed.accessToken, refreshToken: parsed.refreshToken };
  if (parsed.expiresAt !== undefined) tokens.expiresAt = parsed.expiresAt;
  return { kind: 'oauth', clientSecret: parsed.clientSecret, tokens };
}

/** Typed access to portal secrets, one keychain entry per profile. */
export class ProfileSecrets {
  constructor(readonly keychain: Keychain = systemKeychain()) {}

  async get(profileId: string): Promise<ProfileSecret | null> {
    const value = await this.keychain.get(profileId);
    return value === null ? null : decode(profileId, value);
  }

  async has(profileId: string): Promise<boolean> {
    return (await this.keychain.get(profileId)) !== null;
  }

  async save(profileId: string, secret: ProfileSecret): Promise<void> {
    await this.keychain.set(profileId, encode(secret));
  }

  async delete(profileId: string): Promise<boolean> {
    return this.keychain.delete(profileId);
  }

  /**
   * Replaces the stored OAuth token pair the moment a refresh succeeds: refresh tokens rotate, so the old pair is
   * useless once the portal has issued a new one.
   */
  async rotateTokens(profileId: string, tokens: OAuthTokens): Promise<void> {
    const current = await this.get(profileId);
    if (current?.kind !== 'oauth') {
      throw new SecretUnreadableError(profileId, current ? 'holds a webhook, not OAuth tokens' : 'is missing');
    }
    await this.save(profileId, { ...current, tokens: { ...tokens } });
  }

  /** A ClientOptions.onTokensRotated for this profile. */
  tokenRotationHandler(profileId: string): (tokens: OAuthTokens) => Promise<void> {
    return (tokens) => this.rotateTokens(profileId, tokens);
  }
}
