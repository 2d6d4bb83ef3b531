// Typed profile errors: each has a stable `code` the IPC envelope and the CLI's exit code key on, and a message
// that is safe to show (never a secret, never a file's content).
import type { ErrorCategory } from '../../contract/index.ts';
import { AppError } from '../app-error.ts';
import type { FieldProblem } from './schema.ts';

export type ProfileErrorCode =
  | 'PROFILE_NOT_FOUND'
  | 'PROFILE_EXISTS'
  | 'INVALID_PROFILE'
  | 'NO_PROFILE'
  | 'SECRET_MISSING'
  | 'PROFILES_FILE_UNREADABLE'
  | 'PROFILES_FILE_TOO_NEW'
  | 'PROVISIONING_FILE_INVALID';

const CATEGORIES: Record<ProfileErrorCode, ErrorCategory> = {
  PROFILE_NOT_FOUND: 'not-found',
  NO_PROFILE: 'not-found',
  PROFILE_EXISTS: 'bad-input',
  INVALID_PROFILE: 'bad-input',
  PROVISIONING_FILE_INVALID: 'bad-input',
  SECRET_MISSING: 'reauth',
  PROFILES_FILE_UNREADABLE: 'internal',
  PROFILES_FILE_TOO_NEW: 'internal',
};

export class ProfileError extends AppError {
  override readonly name: string = 'ProfileError';
  declare readonly code: ProfileErrorCode;
  constructor(code: ProfileErrorCode, message: string) {
    super({ code, category: CATEGORIES[code], message, retryable: false });
  }
}

/** What the console and the CLI call a profile's fields (the provisioning file's own keys stay as they are). */
const FIELD_LABELS: Record<string, string> = {
  name: 'Name',
  webhookUrl: 'Webhook URL',
  portal: 'Portal address',
  plan: 'Plan',
  caCertificatePem: 'CA certificate',
  'auth.userId': 'Webhook user id',
  'auth.clientId': 'Application client id',
};

/** Bad profile input: every problem, field by field, in the words the supervisor typed it under. */
export class ProfileValidationError extends ProfileError {
  override readonly name = 'ProfileValidationError';
  constructor(readonly problems: FieldProblem[]) {
    const told = problems.map(
      (p) => `${FIELD_LABELS[p.field] ?? p.field}: ${lowerFirst(p.reason.replace(/\.+$/, ''))}`,
    );
    super('INVALID_PROFILE', `The profile is not valid. ${told.join('; ')}.`);
  }
}

function lowerFirst(text: string): string {
  return /^[A-Z][a-z]/.test(text) ? text[0]!.toLowerCase() + text.slice(1) : text;
}

/** The profile has no secret in the keychain yet (e.g. it was provisioned by IT): ask the user for it. */
export class SecretMissingError extends ProfileError {
  override readonly name = 'SecretMissingError';
  constructor(
    readonly profileId: string,
    readonly profileName: string,
  ) {
    super(
      'SECRET_MISSING',
      `Profile "${profileName}" has no secret in the keychain yet; enter its webhook (or OAuth secret) to use it.`,
    );
  }
}
