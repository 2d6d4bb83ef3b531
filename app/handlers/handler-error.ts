// The one error type a handler throws on purpose: it carries the envelope's code and category, so the dispatcher
// can pass it to the renderer unchanged. Anything else a handler throws becomes an 'internal' error.
import type { IpcError } from '../contract/index.ts';
import { AppError } from '../core/app-error.ts';

export type HandlerErrorCategory = IpcError['category'];

export interface HandlerErrorInit {
  code: string;
  category: HandlerErrorCategory;
  /** Shown to the user as is: never a secret. */
  message: string;
  retryable?: boolean;
  cause?: unknown;
}

export class HandlerError extends AppError {
  override readonly name = 'HandlerError';

  constructor(init: HandlerErrorInit) {
    // A handler's refusal is final unless it says otherwise.
    super({ ...init, retryable: init.retryable ?? false });
  }
}

/** App codes raised by the handlers themselves (Bitrix24 codes pass through as the portal sent them). */
export const APP_CODES = {
  invalidInput: 'INVALID_INPUT',
  unknownChannel: 'UNKNOWN_CHANNEL',
  invalidOutput: 'INVALID_OUTPUT',
  notFound: 'NOT_FOUND',
  keychainUnavailable: 'KEYCHAIN_UNAVAILABLE',
  secretMissing: 'SECRET_MISSING',
  forbiddenSender: 'FORBIDDEN_SENDER',
  internal: 'INTERNAL',
} as const;
