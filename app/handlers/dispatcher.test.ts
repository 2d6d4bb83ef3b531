import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHANNEL_NAMES } from '../contract/index.ts';
import { type Keychain, KeychainUnavailableError } from '../core/keychain/keychain.ts';
import { type Backend, createBackend } from './backend.ts';
import { createDispatcher } from './dispatcher.ts';
import { createHandlerTable } from './handlers.ts';
import { createRunsHandlers } from './runs-handlers.ts';
import { AppServices } from './services.ts';

let home: string;
let demo: Backend;

beforeAll(async () => {
  home = await mkdtemp(path.join(os.tmpdir(), 'openlines-dispatch-'));
  demo = createBackend({ runtime: 'browser', version: '1.2.3', home, mode: 'demo', demoPortal: { chats: 40 } });
});

afterAll(async () => {
  await demo.close();
  await rm(home, { recursive: true, force: true });
});

async function firstChats() {
  const answer = await demo.dispatch('chats.list', { profileId: 'demo' });
  if (!answer.ok) throw new Error(answer.error.message);
  return answer.data as { chats: Array<{ chatId: number; active: boolean }> };
}

describe('dispatcher', () => {
  it('shows the built-in demo profile when the console runs on the demo portal', async () => {
    const answer = await demo.dispatch('profiles.list', {});
    expect(answer).toMatchObject({
      ok: true,
      data: { activeProfileId: 'demo', profiles: [{ id: 'demo', isDemo: true }] },
    });
  });

  it('answers input that breaks the contract with INVALID_INPUT', async () => {
    for (const [channel, input] of [
      ['chats.detail', { profileId: 'demo', chatId: 0 }],
      ['chats.list', { profileId: '../etc' }],
      ['cache.save', { profileId: 'demo' }],
      ['app.info', null],
    ] as const) {
      const answer = await demo.dispatch(channel, input);
      expect(answer).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', category: 'invalid-request' } });
    }
  });

  it('passes the portal’s errors on with their code and category', async () => {
    const answer = await demo.dispatch('sessions.start', { profileId: 'demo', chatId: 987_654_321 });
    expect(answer).toEqual({
      ok: false,
      error: {
        code: 'CHAT_ID',
        category: 'bad-input',
        message: 'The chat id is empty, invalid or does not exist.',
        retryable: false,
      },
    });
  });

  it('starts a session and says whether it was new', async () => {
    const { chats } = await firstChats();
    const closed = chats.find((chat) => !chat.active)!;
    const first = await demo.dispatch('sessions.start', { profileId: 'demo', chatId: closed.chatId });
    expect(first).toMatchObject({ ok: true, data: { chatId: closed.chatId, outcome: 'started' } });
    const second = await demo.dispatch('sessions.start', { profileId: 'demo', chatId: closed.chatId });
    expect(second).toMatchObject({ ok: true, data: { outcome: 'already-active' } });
  });

  it('answers an unknown profile with NOT_FOUND', async () => {
    const answer = await demo.dispatch('chats.list', { profileId: 'nobody' });
    expect(answer).toMatchObject({ ok: false, error: { code: 'NOT_FOUND', category: 'not-found' } });
  });

  it('keeps the query cache per profile in the data folder', async () => {
    const saved = await demo.dispatch('cache.save', { profileId: 'demo', data: '{"clientState":1}' });
    expect(saved).toEqual({ ok: true, data: {} });
    expect(await readFile(path.join(home, 'cache', 'demo', 'query-cache.json'), 'utf8')).toBe('{"clientState":1}');
    expect(await demo.dispatch('cache.load', { profileId: 'demo' })).toEqual({
      ok: true,
      data: { data: '{"clientState":1}' },
    });
  });

  it('reports a missing keychain as a keychain error and saves nothing', async () => {
    const missing: Keychain = {
      get: async () => {
        throw new KeychainUnavailableError('read', 'no Secret Service', 'linux');
      },
      set: async () => {
        throw new KeychainUnavailableError('save', 'no Secret Service', 'linux');
      },
      delete: async () => {
        throw new KeychainUnavailableError('delete', 'no Secret Service', 'linux');
      },
    };
    const folder = await mkdtemp(path.join(os.tmpdir(), 'openlines-nokeychain-'));
    const backend = createBackend({
      runtime: 'electron',
      version: '1',
      home: folder,
      mode: 'profiles',
      keychain: missing,
    });
    try {
      const answer = await backend.dispatch('profiles.add', {
        name: 'Office',
        webhookUrl: 'https://office.example.com/rest/7/abcdef123456/',
        saveUnchecked: true,
      });
      expect(answer).toMatchObject({
        ok: false,
        error: { code: 'KEYCHAIN_UNAVAILABLE', category: 'keychain', retryable: true },
      });
      if (!answer.ok) expect(answer.error.message).not.toContain('abcdef123456');
    } finally {
      await backend.close();
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('turns an unexpected failure into an internal error with the secret masked', async () => {
    const services = new AppServices({ runtime: 'browser', version: '1', home, mode: 'demo' });
    const table = createHandlerTable(services, createRunsHandlers(services));
    table['app.info'] = async () => {
      throw new Error('socket closed while calling https://portal.example/rest/1/k3yk3yk3y/profile');
    };
    const answer = await createDispatcher(table)('app.info', {});
    expect(answer).toMatchObject({ ok: false, error: { code: 'INTERNAL', category: 'internal' } });
    if (!answer.ok) expect(answer.error.message).not.toContain('k3yk3yk3y');
    await services.close();
  });

  it('refuses to send an answer outside the contract', async () => {
    const services = new AppServices({ runtime: 'browser', version: '1', home, mode: 'demo' });
    const table = createHandlerTable(services, createRunsHandlers(services));
    table['app.info'] = async () => ({ version: '1', runtime: 'browser', dataFolder: home, secret: 'x' }) as never;
    const strictOutput = await createDispatcher(table)('app.info', {});
    // zod strips unknown keys from objects: the extra field never leaves.
    expect(strictOutput).toEqual({ ok: true, data: { version: '1', runtime: 'browser', dataFolder: home } });
    table['app.info'] = async () => ({ version: 1 }) as never;
    expect(await createDispatcher(table)('app.info', {})).toMatchObject({
      ok: false,
      error: { code: 'INVALID_OUTPUT', category: 'internal' },
    });
    await services.close();
  });

  it('has a handler for every channel of the contract', () => {
    const services = new AppServices({ runtime: 'browser', version: '1', home, mode: 'demo' });
    const table = createHandlerTable(services, createRunsHandlers(services));
    expect(Object.keys(table).sort()).toEqual([...CHANNEL_NAMES].sort());
  });
});
