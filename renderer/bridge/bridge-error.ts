// The one error type the renderer sees from the main process or the browser host: the envelope's error, unwrapped.
import type { IpcError } from '../../app/contract/index.ts';

type Category = IpcError['category'];

export class BridgeError extends Error {
  override readonly name = 'BridgeError';
  readonly code: string;
  readonly category: Category;
  readonly retryable: boolean;

  constructor(error: IpcError) {
    super(error.message);
    this.code = error.code;
    this.category = error.category;
    this.retryable = error.retryable;
  }

  toJSON(): IpcError {
    return { code: this.code, category: this.category, message: this.message, retryable: this.retryable };
  }
}

/** The console host (or the main process) could not be reached at all: nothing was sent to the portal. */
export function hostUnreachable(message: string): BridgeError {
  return new BridgeError({ code: 'HOST_UNREACHABLE', category: 'unreachable', message, retryable: true });
}

export function isBridgeError(error: unknown): error is BridgeError {
  return error instanceof BridgeError;
}

/** True when the portal (or the host in front of it) cannot be reached, as opposed to a refusal or a bad input. */
export function isUnreachable(error: unknown): boolean {
  return isBridgeError(error) && error.category === 'unreachable';
}
