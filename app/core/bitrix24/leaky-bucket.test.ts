// The client-side request bucket: many callers at once never overfill the portal's bucket, wait in arrival
// order, and can give up waiting.
import { afterEach, describe, expect, it } from 'vitest';
import { createBitrix24Client } from './client.ts';
import { systemClock } from './clock.ts';
import { LeakyBucket } from './leaky-bucket.ts';
import { answer, type StubPortal, startStubPortal } from './testing/stub-portal.ts';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()?.();
});

/** A portal that enforces its own leaky bucket and answers 503 QUERY_LIMIT_EXCEEDED when it is full. */
async function strictPortal(capacity: number, drainPerSecond: number): Promise<StubPortal & { refused: () => number }> {
  let level = 0;
  let updated = Date.now();
  let refused = 0;
  const portal = await startStubPortal((_request, res) => {
    const now = Date.now();
    level = Math.max(0, level - ((now - updated) / 1000) * drainPerSecond);
    updated = now;
    if (level + 1 > capacity) {
      refused += 1;
      answer(res, 503, { error: 'QUERY_LIMIT_EXCEEDED', error_description: 'Too many requests' });
      return;
    }
    level += 1;
    answer(res, 200, { result: true });
  });
  cleanup.push(() => portal.close());
  return Object.assign(portal, { refused: () => refused });
}

describe('leaky bucket', () => {
  it('keeps 20 concurrent callers inside the portal bucket', async () => {
    const portal = await strictPortal(6, 12);
    const client = createBitrix24Client({
      credentials: { kind: 'webhook', webhookUrl: portal.webhookUrl },
      bucket: { capacity: 6, drainPerSecond: 12 },
    });
    const results = await Promise.all(
      Array.from({ length: 20 }, async () => {
        const first = await client.call('profile');
        const second = await client.call('profile');
        return [first.result, second.result];
      }),
    );
    expect(results.flat()).toEqual(Array(40).fill(true));
    expect(portal.refused()).toBe(0);
    expect(portal.requests).toHaveLength(40);
    expect(client.limits.snapshot().requestsSent).toBe(40);
  });

  it('a client whose bucket is larger than the portal’s is refused by it (the check above can fail)', async () => {
    const portal = await strictPortal(6, 12);
    const client = createBitrix24Client({
      credentials: { kind: 'webhook', webhookUrl: portal.webhookUrl },
      bucket: { capacity: 40, drainPerSecond: 40 },
    });
    await Promise.all(Array.from({ length: 20 }, () => client.call('profile')));
    expect(portal.refused()).toBeGreaterThan(0);
    expect(client.limits.snapshot().recentHits.some((hit) => hit.code === 'QUERY_LIMIT_EXCEEDED')).toBe(true);
  });

  it('serves waiting callers first come, first served', async () => {
    const bucket = new LeakyBucket({ capacity: 3, drainPerSecond: 100, clock: systemClock, margin: 0 });
    const order: number[] = [];
    await Promise.all(Array.from({ length: 20 }, (_, i) => bucket.acquire().then(() => order.push(i))));
    expect(order).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('lets a caller stop waiting without disturbing the others', async () => {
    const bucket = new LeakyBucket({ capacity: 2, drainPerSecond: 20, clock: systemClock, margin: 0 });
    const controller = new AbortController();
    const waits = Array.from({ length: 8 }, (_, i) =>
      bucket.acquire(i === 4 ? controller.signal : undefined).then(
        () => 'ok',
        (error: { code?: string }) => error.code,
      ),
    );
    expect(bucket.waiting()).toBe(6);
    controller.abort();
    expect(await Promise.all(waits)).toEqual(['ok', 'ok', 'ok', 'ok', 'ABORTED', 'ok', 'ok', 'ok']);
    expect(bucket.waiting()).toBe(0);
  });

  it('keeps a safety margin below the portal capacity', async () => {
    const bucket = new LeakyBucket({ capacity: 50, drainPerSecond: 2, clock: systemClock });
    let granted = 0;
    const controller = new AbortController();
    for (let i = 0; i < 50; i += 1) {
      bucket.acquire(controller.signal).then(
        () => {
          granted += 1;
        },
        () => undefined,
      );
    }
    await new Promise((resolve) => setImmediate(resolve));
    expect(granted).toBeLessThan(50);
    expect(granted).toBeGreaterThanOrEqual(45);
    controller.abort();
  });
});
