// Every thrown error becomes the envelope's typed error: the renderer keys on `code` and `category`, and the
// message is always safe to show (secrets masked, never a raw portal description alone).
import type { IpcError } from '../contract/index.ts';
import { isAppError } from '../core/app-error.ts';
import { redact } from '../core/redact.ts';
import { APP_CODES } from './handler-error.ts';

/** `knownSecrets` are masked wherever they appear, on top of the secret-shaped patterns. */
export function toIpcError(error: unknown, knownSecrets: readonly string[] = []): IpcError {
  const safe = (text: string) => redact(text, knownSecrets);
  if (isAppError(error)) {
    return { code: error.code, category: error.category, message: safe(error.message), retryable: error.retryable };
  }
  const detail = error instanceof Error ? error.message : String(error);
  return {
    code: APP_CODES.internal,
    category: 'internal',
    message: safe(`Something went wrong in the console: ${detail.split('\n')[0] ?? ''}`.trim()),
    retryable: false,
  };
}
