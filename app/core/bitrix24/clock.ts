// The real clock; tests and the demo portal may inject their own through ClientOptions.clock.
import { setTimeout as delay } from 'node:timers/promises';
import { Bitrix24Error, CLIENT_CODES } from './errors.ts';
import type { Clock } from './types.ts';

export const systemClock: Clock = {
  now: () => Date.now(),
  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    try {
      await delay(Math.max(0, ms), undefined, signal ? { signal } : undefined);
    } catch (error) {
      if (signal?.aborted) throw abortError();
      throw error;
    }
  },
};

export function abortError(): Bitrix24Error {
  return new Bitrix24Error({ code: CLIENT_CODES.aborted });
}

/** Rejects with ABORTED when the signal is already aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortError();
}
