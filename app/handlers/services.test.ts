// The services behind the handlers, on the embedded demo portal: one client per profile, the connection state the
// renderer shows, and the pace of limits events.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConnectionState, LimitsSnapshot } from '../contract/index.ts';
import { AppServices } from './services.ts';

let home: string;
let services: AppServices;

beforeEach(async () => {
  home = await mkdtemp(path.join(os.tmpdir(), 'openlines-services-'));
  services = new AppServices({
    runtime: 'browser',
    version: '1',
    home,
    mode: 'demo',
    demoPortal: { chats: 10 },
    clientOverrides: { requestTimeoutMs: 2_000 },
    limitsEventIntervalMs: 400,
  });
});

afterEach(async () => {
  await services.close();
  await rm(home, { recursive: true, force: true });
});

function events() {
  const connection: ConnectionState[] = [];
  const limits: Array<{ at: number; snapshot: LimitsSnapshot }> = [];
  services.subscribe((event, payload) => {
    if (event === 'connection.changed') connection.push(payload as ConnectionState);
    if (event === 'limits.changed') limits.push({ at: Date.now(), snapshot: payload as LimitsSnapshot });
  });
  return { connection, limits };
}

describe('app services', () => {
  it('keeps one client per profile until the profile is forgotten, and forgets its connection state with it', async () => {
    const first = await services.clientFor('demo');
    expect(await services.clientFor('demo')).toBe(first);
    await first.call('profile');
    expect(services.connection('demo').state).toBe('online');

    await services.forget('demo');
    expect(services.connection('demo').state).toBe('unknown');
    expect(await services.clientFor('demo')).not.toBe(first);
  });

  it('announces each change of the connection once: online, unreachable while the portal is down, online again', async () => {
    const seen = events();
    const client = await services.clientFor('demo');
    await client.call('profile');
    await client.call('profile');
    await services.stopDemoPortal();
    await expect(client.call('profile', {}, { idempotent: true })).rejects.toMatchObject({ category: 'unreachable' });
    await expect(client.call('profile', {}, { idempotent: true })).rejects.toMatchObject({ category: 'unreachable' });
    expect(services.connection('demo')).toMatchObject({ state: 'unreachable', message: expect.any(String) });
    await services.startDemoPortal();
    await client.call('profile');

    expect(seen.connection.map((state) => state.state)).toEqual(['online', 'unreachable', 'online']);
  });

  it('sends at most one limits event per interval, and the last one carries the latest numbers', async () => {
    const seen = events();
    const client = await services.clientFor('demo');
    for (let i = 0; i < 12; i++) await client.call('profile');
    await new Promise((resolve) => setTimeout(resolve, 600));

    const gaps = seen.limits.slice(1).map((event, i) => event.at - seen.limits[i]!.at);
    expect(seen.limits.length).toBeGreaterThan(0);
    expect(seen.limits.length).toBeLessThan(12);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(390);
    expect(seen.limits.at(-1)?.snapshot.requestsSent).toBe(client.limits.snapshot().requestsSent);
  });
});
