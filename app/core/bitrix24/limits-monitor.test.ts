// The limits panel's feed: snapshots reflect what happened, and a burst of requests does not flood listeners.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { createBitrix24Client } from './client.ts';
import { answer, type StubPortal, startStubPortal } from './testing/stub-portal.ts';
import type { LimitsSnapshot } from './types.ts';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()?.();
});

describe('limits monitor', () => {
  it('coalesces notifications and reports the bucket, operating time and requests sent', async () => {
    const portal: StubPortal = await startStubPortal((_request, res) =>
      answer(res, 200, {
        result: true,
        time: {
          start: 1,
          finish: 1.1,
          duration: 0.1,
          processing: 0.1,
          operating: 12.5,
          operating_reset_at: Date.now() / 1000 + 300,
        },
      }),
    );
    cleanup.push(() => portal.close());
    const client = createBitrix24Client({
      credentials: { kind: 'webhook', webhookUrl: portal.webhookUrl },
      plan: 'enterprise',
    });
    const heard: LimitsSnapshot[] = [];
    const unsubscribe = client.limits.subscribe((snapshot) => heard.push(snapshot));
    await Promise.all(Array.from({ length: 40 }, () => client.call('imopenlines.dialog.get', { CHAT_ID: 1 })));
    await sleep(250);
    expect(heard.length).toBeGreaterThan(0);
    expect(heard.length).toBeLessThan(10);
    const last = heard[heard.length - 1];
    expect(last?.portal).toBe(`127.0.0.1:${new URL(portal.origin).port}`);
    expect(last?.requestsSent).toBe(40);
    expect(last?.bucket.capacity).toBe(250);
    expect(last?.bucket.level).toBeGreaterThan(30);
    expect(last?.methods).toEqual([
      expect.objectContaining({
        method: 'imopenlines.dialog.get',
        operatingSeconds: 12.5,
        budgetSeconds: 480,
        heldUntil: null,
      }),
    ]);

    unsubscribe();
    const count = heard.length;
    await client.call('profile');
    await sleep(250);
    expect(heard.length).toBe(count);
  });
});
