// What stops a run or a chat, and how the run says so: the run's own errors, which portal errors stop the whole
// run, and the wording of a stop.
import { errorText } from '../../contract/errors.ts';
import { AppError } from '../app-error.ts';
import type { Bitrix24Error } from '../bitrix24/errors.ts';
import type { ChatChange } from './journal.ts';

/** The chats or options given for a run cannot make one. */
export class RunInputError extends AppError {
  override readonly name = 'RunInputError';
  constructor(message: string) {
    super({ code: 'RUN_STATE', category: 'bad-input', message, retryable: false });
  }
}

/** What was asked does not fit the run's state (resume a finished run, retry one with nothing failed, …). */
export class RunStateError extends AppError {
  override readonly name: string = 'RunStateError';
  constructor(message: string, code: 'RUN_STATE' | 'RUN_PORTAL_MISMATCH' = 'RUN_STATE') {
    super({ code, category: 'bad-input', message, retryable: false });
  }
}

/** The run belongs to another portal than the client given to resume it: the profile chosen is the mistake. */
export class RunPortalMismatchError extends RunStateError {
  override readonly name = 'RunPortalMismatchError';
  constructor(message: string) {
    super(message, 'RUN_PORTAL_MISMATCH');
  }
}

/** Thrown from `beforeSend` so the engine stops sending: the run is pausing, cancelling or stopping. */
export class Halt extends Error {
  override readonly name = 'Halt';
}

/** Errors that concern the run as a whole, not one chat: the run stops on them. */
export function isRunWide(error: Bitrix24Error): boolean {
  return (
    error.category === 'reauth' ||
    error.category === 'blocked' ||
    error.category === 'unreachable' ||
    (error.category === 'permission' && errorText(error.code)?.runWide === true)
  );
}

/** The journal change that fails one chat with the portal's error. */
export function failure(chatId: number, error: Bitrix24Error): ChatChange {
  return { id: chatId, s: 'failed', code: error.code, msg: error.message };
}

/** The portal's message and what the user does about the stop. */
export function stopMessage(error: Bitrix24Error): string {
  switch (error.category) {
    case 'blocked':
      return `${error.message} The run is stopped; resume it once the portal works again.`;
    case 'reauth':
    case 'permission':
      return `${error.message} The run is stopped; fix the profile and resume it.`;
    case 'unreachable':
      return `${error.message} The run is stopped; resume it when the portal can be reached.`;
    default:
      return error.message;
  }
}

/** A time of day as the run's messages give it ("Waiting until 14:05:09"). */
export function clockTime(ms: number): string {
  return new Date(ms).toLocaleTimeString('en-GB', { hour12: false });
}
