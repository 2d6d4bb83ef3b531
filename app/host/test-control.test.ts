import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionState } from '../contract/index.ts';
import { type Backend, createBackend } from '../handlers/backend.ts';
import { runControlCommand } from './test-control.ts';

let home: string;
let backend: Backend;

beforeAll(async () => {
  home = await mkdtemp(path.join(os.tmpdir(), 'openlines-control-'));
  backend = createBackend({
    runtime: 'browser',
    version: '1',
    home,
    mode: 'demo',
    demoPortal: { chats: 20 },
    clientOverrides: { requestTimeoutMs: 5_000 },
  });
});

afterAll(async () => {
  await backend.close();
  await rm(home, { recursive: true, force: true });
});

describe('demo portal control for the offline tests', () => {
  it('stops the portal (the console sees it unreachable) and brings it back on the same address', async () => {
    const states: ConnectionState['state'][] = [];
    backend.services.subscribe((event, payload) => {
      if (event === 'connection.changed') states.push((payload as ConnectionState).state);
    });
    expect((await backend.dispatch('chats.list', { profileId: 'demo' })).ok).toBe(true);

    expect(await runControlCommand(backend.services, 'portal stop')).toBe('control ok portal stop');
    const offline = await backend.dispatch('chats.list', { profileId: 'demo' });
    expect(offline).toMatchObject({ ok: false, error: { code: 'PORTAL_UNREACHABLE', category: 'unreachable' } });
    expect(await backend.dispatch('connection.get', { profileId: 'demo' })).toMatchObject({
      ok: true,
      data: { state: 'unreachable' },
    });

    expect(await runControlCommand(backend.services, 'portal start')).toBe('control ok portal start');
    expect((await backend.dispatch('chats.list', { profileId: 'demo' })).ok).toBe(true);
    expect(states).toEqual(['online', 'unreachable', 'online']);
  });

  it('injects faults and refuses unknown commands', async () => {
    expect(await runControlCommand(backend.services, 'portal faults {"overload":true}')).toBe(
      'control ok portal faults {"overload":true}',
    );
    const blocked = await backend.dispatch('chats.list', { profileId: 'demo' });
    expect(blocked).toMatchObject({ ok: false, error: { code: 'OVERLOAD_LIMIT', category: 'blocked' } });
    await runControlCommand(backend.services, 'portal faults {}');
    expect(await runControlCommand(backend.services, 'rm -rf /')).toMatch(/^control error unknown command/);
    expect(await runControlCommand(backend.services, 'portal faults [1]')).toMatch(/^control error/);
  });
});
