// What the bulk-run tests (core, CLI and handlers) share: polling waits and the exactly-once check of a restart,
// read from the demo portal's own counters.
import { expect } from 'vitest';
import type { DemoPortal } from '../../../demo-portal/types.ts';

/** Polls `test` until it holds. */
export async function until(test: () => boolean, timeoutMs = 30_000, everyMs = 20): Promise<void> {
  const start = Date.now();
  while (!test()) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** Waits until `read()` has not changed for `quietMs`, and returns its value. */
export async function steady(read: () => number, quietMs: number, timeoutMs = 30_000): Promise<number> {
  const start = Date.now();
  let value = read();
  let since = Date.now();
  while (Date.now() - since < quietMs) {
    if (Date.now() - start > timeoutMs) throw new Error('the value kept changing');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const next = read();
    if (next !== value) {
      value = next;
      since = Date.now();
    }
  }
  return value;
}

/** Each chat was started exactly once, is open, and holds a session other than the one it had before the run. */
export function expectRestartedOnce(demo: DemoPortal, chatIds: readonly number[], before: Map<number, number>): void {
  for (const id of chatIds) {
    const chat = demo.chat(id);
    expect({ id, starts: demo.counters.sessionStarts.get(id), open: (chat?.status ?? 0) < 60 }).toEqual({
      id,
      starts: 1,
      open: true,
    });
    expect(chat?.sessionId).not.toBe(before.get(id));
  }
}
