import { describe, expect, it } from 'vitest';
import { clockTime } from '../../shared/format.ts';
import { bannerFor } from './RunBanner.tsx';
import { runProgress } from './test-support.ts';

const until = Date.UTC(2026, 0, 2, 10, 30, 0);

describe('bannerFor', () => {
  it('says nothing for a run that is simply running', () => {
    expect(bannerFor(runProgress())).toBeNull();
  });

  it('tells a hold for the operating budget, with its end, as a status that needs no action', () => {
    const banner = bannerFor(
      runProgress({ status: 'holding', reason: { code: 'OPERATION_TIME_LIMIT', message: 'Held.', until } }),
    );
    expect(banner).toMatchObject({
      role: 'status',
      title: `Paused until ${clockTime(until)} for the operating budget`,
    });
    expect(banner?.detail).toContain('continues by itself');
  });

  it('tells any other hold as waiting, until a time when the portal gave one', () => {
    const held = runProgress({ status: 'holding', reason: { code: 'QUERY_LIMIT_EXCEEDED', message: 'Busy.', until } });
    expect(bannerFor(held)).toMatchObject({ role: 'status', title: `Waiting until ${clockTime(until)}` });
    expect(bannerFor(held)?.detail).toBe('Busy. The run continues by itself.');
    expect(bannerFor(runProgress({ status: 'holding' }))).toMatchObject({ title: 'Waiting for the portal' });
  });

  it('alerts that the portal stopped the run and that Bitrix24 support is the way out', () => {
    const run = runProgress({ status: 'stopped', reason: { code: 'PORTAL_DELETED', message: 'Gone.', until: null } });
    expect(bannerFor(run)).toMatchObject({
      role: 'alert',
      tone: 'danger',
      title: 'Stopped by the portal (PORTAL_DELETED): contact Bitrix24 support',
    });
  });

  it('alerts that the profile must be fixed when the credentials stopped the run', () => {
    const run = runProgress({
      status: 'interrupted',
      reason: { code: 'INVALID_CREDENTIALS', message: 'Refused.', until: null },
    });
    expect(bannerFor(run)).toMatchObject({ role: 'alert', title: 'Stopped for authorization: fix the profile' });
    expect(bannerFor(run)?.detail).toContain('(INVALID_CREDENTIALS)');
  });

  it('offers a resume for a run interrupted or stopped for another reason', () => {
    expect(bannerFor(runProgress({ status: 'interrupted' }))).toMatchObject({
      role: 'alert',
      title: 'Interrupted before the end',
    });
    expect(bannerFor(runProgress({ status: 'stopped' }))?.title).toBe('Stopped before the end');
  });

  it('counts the failed chats of a finished run, one chat or many', () => {
    const one = runProgress({ status: 'finished', counts: { pending: 0, started: 9, failed: 1 } });
    const many = runProgress({ status: 'finished', counts: { pending: 0, started: 7, failed: 3 } });
    expect(bannerFor(one)).toMatchObject({ role: 'status', tone: 'warn', title: 'Finished with 1 failed chat' });
    expect(bannerFor(many)?.title).toBe('Finished with 3 failed chats');
    expect(bannerFor(runProgress({ status: 'finished', counts: { pending: 0, started: 10 } }))).toMatchObject({
      tone: 'ok',
      title: 'Finished',
    });
  });

  it('says how many chats a cancel left unsent', () => {
    const run = runProgress({ status: 'cancelled', counts: { pending: 0, started: 4, skipped: 6 } });
    expect(bannerFor(run)).toMatchObject({ title: 'Cancelled', detail: '6 chats were not sent.' });
  });
});
