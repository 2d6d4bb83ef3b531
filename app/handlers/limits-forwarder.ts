// A client's limits (bucket, operating budgets, hits) forwarded as `limits.changed`, at most one event per
// interval: several changes within it become one event carrying the latest snapshot.
import type { LimitsSnapshot } from '../contract/index.ts';
import type { Bitrix24Client } from '../core/bitrix24/types.ts';

/** Starts forwarding; returns the function that stops it. */
export function forwardLimits(
  client: Pick<Bitrix24Client, 'limits'>,
  send: (snapshot: LimitsSnapshot) => void,
  intervalMs: number,
): () => void {
  let last = 0;
  let timer: NodeJS.Timeout | null = null;
  const emit = () => {
    last = Date.now();
    send(client.limits.snapshot());
  };
  const unsubscribe = client.limits.subscribe(() => {
    const wait = intervalMs - (Date.now() - last);
    if (wait <= 0) return emit();
    timer ??= setTimeout(() => {
      timer = null;
      emit();
    }, wait);
    timer.unref();
  });
  return () => {
    unsubscribe();
    if (timer) clearTimeout(timer);
  };
}
