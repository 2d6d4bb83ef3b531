// The one base of every error the console raises on purpose: a stable code, a category and a message that is safe
// to show. The IPC envelope and the CLI's exit code are derived from the category alone, each in one place.
import type { ErrorCategory } from '../contract/index.ts';

export type { ErrorCategory };

/** Categories where sending the same request again may succeed without anyone changing anything. */
const RETRYABLE: ReadonlySet<ErrorCategory> = new Set<ErrorCategory>(['retry', 'wait-reset', 'keychain']);

export function isRetryableCategory(category: ErrorCategory): boolean {
  return RETRYABLE.has(category);
}

export interface AppErrorInit {
  code: string;
  category: ErrorCategory;
  /** Shown to the user as is: never a secret. */
  message: string;
  retryable?: boolean;
  cause?: unknown;
}

export class AppError extends Error {
  override readonly name: string = 'AppError';
  readonly code: string;
  readonly category: ErrorCategory;
  readonly #retryable: boolean | undefined;

  constructor(init: AppErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.code = init.code;
    this.category = init.category;
    this.#retryable = init.retryable;
  }

  /** Sending the same request again may succeed; the category decides unless the raiser knows better. */
  get retryable(): boolean {
    return this.#retryable ?? isRetryableCategory(this.category);
  }
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}
