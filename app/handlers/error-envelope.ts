// Every thrown error becomes the envelope's typed error: the renderer keys on `code` and `category`, and the
// message is always safe to show (secrets masked, never a raw portal description alone).
import type { IpcError } from '../contract/index.ts';
import { isBitrix24Error } from '../core/bitrix24/errors.ts';
import { KeychainUnavailableError } from '../core/keychain/keychain.ts';
import { SecretUnreadableError } from '../core/keychain/profile-secrets.ts';
import { ProfileError, ProfileValidationError } from '../core/profiles/errors.ts';
import { redact } from '../core/redact.ts';
import { APP_CODES, HandlerError } from './handler-error.ts';

const PROFILE_CATEGORIES: Record<string, IpcError['category']> = {
  PROFILE_NOT_FOUND: 'not-found',
  NO_PROFILE: 'not-found',
  PROFILE_EXISTS: 'bad-input',
  INVALID_PROFILE: 'bad-input',
  PROVISIONING_FILE_INVALID: 'bad-input',
  SECRET_MISSING: 'reauth',
  PROFILES_FILE_UNREADABLE: 'internal',
  PROFILES_FILE_TOO_NEW: 'internal',
};

/** `knownSecrets` are masked wherever they appear, on top of the secret-shaped patterns. */
export function toIpcError(error: unknown, knownSecrets: readonly string[] = []): IpcError {
  const safe = (text: string) => redact(text, knownSecrets);
  if (error instanceof HandlerError) {
    return { code: error.code, category: error.category, message: safe(error.message), retryable: error.retryable };
  }
  if (isBitrix24Error(error)) {
    return { code: error.code, category: error.category, message: safe(error.message), retryable: error.retryable };
  }
  if (error instanceof KeychainUnavailableError) {
    return { code: APP_CODES.keychainUnavailable, category: 'keychain', message: safe(error.message), retryable: true };
  }
  if (error instanceof SecretUnreadableError) {
    return { code: error.code, category: 'reauth', message: safe(error.message), retryable: false };
  }
  if (error instanceof ProfileValidationError || error instanceof ProfileError) {
    return {
      code: error.code,
      category: PROFILE_CATEGORIES[error.code] ?? 'internal',
      message: safe(error.message),
      retryable: false,
    };
  }
  const detail = error instanceof Error ? error.message : String(error);
  return {
    code: APP_CODES.internal,
    category: 'internal',
    message: safe(`Something went wrong in the console: ${detail.split('\n')[0] ?? ''}`.trim()),
    retryable: false,
  };
}
