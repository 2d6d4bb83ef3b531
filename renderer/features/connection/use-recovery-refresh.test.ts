import { describe, expect, it } from 'vitest';
import { needsRefreshAfterOutage, recoveryRefreshDelay } from './use-recovery-refresh.ts';

const awaySince = 50_000;

describe('needsRefreshAfterOutage', () => {
  it('refreshes what failed while the portal was away', () => {
    expect(needsRefreshAfterOutage({ status: 'error', dataUpdatedAt: awaySince + 1_000 }, awaySince)).toBe(true);
  });

  it('refreshes data older than the outage', () => {
    expect(needsRefreshAfterOutage({ status: 'success', dataUpdatedAt: awaySince - 1 }, awaySince)).toBe(true);
    expect(needsRefreshAfterOutage({ status: 'pending', dataUpdatedAt: 0 }, awaySince)).toBe(true);
  });

  it('leaves alone data that arrived since the portal went away', () => {
    expect(needsRefreshAfterOutage({ status: 'success', dataUpdatedAt: awaySince }, awaySince)).toBe(false);
    expect(needsRefreshAfterOutage({ status: 'success', dataUpdatedAt: awaySince + 10 }, awaySince)).toBe(false);
  });
});

describe('recoveryRefreshDelay', () => {
  it('refreshes at once when the last recovery refresh is 5 s old or more (or there was none)', () => {
    expect(recoveryRefreshDelay(0, 100_000)).toBe(0);
    expect(recoveryRefreshDelay(95_000, 100_000)).toBe(0);
  });

  it('waits out the rest of the 5 s when the portal comes back again sooner', () => {
    expect(recoveryRefreshDelay(98_000, 100_000)).toBe(3_000);
    expect(recoveryRefreshDelay(100_000, 100_000)).toBe(5_000);
  });
});
