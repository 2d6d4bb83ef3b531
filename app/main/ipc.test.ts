import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Backend, createBackend } from '../handlers/backend.ts';
import { handleIpcMessage } from './ipc.ts';
import { APP_ENTRY_URL } from './security.ts';

let backend: Backend;
let home: string;

beforeAll(async () => {
  home = await mkdtemp(path.join(os.tmpdir(), 'openlines-ipc-'));
  backend = createBackend({
    runtime: 'electron',
    version: '0.0.0-test',
    home,
    mode: 'demo',
    demoPortal: { chats: 20 },
  });
});

afterAll(async () => {
  await backend.close();
  await rm(home, { recursive: true, force: true });
});

const mainFrame = { frameUrl: APP_ENTRY_URL, isMainFrame: true };

describe('IPC messages', () => {
  it('answers the app’s main frame with the handler’s data', async () => {
    const answer = await handleIpcMessage(backend.dispatch, mainFrame, 'app.info', {});
    expect(answer).toEqual({ ok: true, data: { version: '0.0.0-test', runtime: 'electron', dataFolder: home } });
  });

  it('refuses a foreign origin before looking at the input', async () => {
    const answer = await handleIpcMessage(
      backend.dispatch,
      { frameUrl: 'https://evil.example/', isMainFrame: true },
      'profiles.list',
      {},
    );
    expect(answer).toMatchObject({ ok: false, error: { code: 'FORBIDDEN_SENDER', category: 'forbidden-sender' } });
  });

  it('refuses a sub-frame of the app', async () => {
    const answer = await handleIpcMessage(backend.dispatch, { ...mainFrame, isMainFrame: false }, 'profiles.list', {});
    expect(answer).toMatchObject({ ok: false, error: { code: 'FORBIDDEN_SENDER', category: 'forbidden-sender' } });
  });

  it('answers bad input with INVALID_INPUT and runs nothing', async () => {
    const answer = await handleIpcMessage(backend.dispatch, mainFrame, 'sessions.start', {
      profileId: 'demo',
      chatId: '1; DROP',
    });
    expect(answer).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', category: 'invalid-request' } });
  });

  it('refuses extra fields and unknown channels', async () => {
    const extra = await handleIpcMessage(backend.dispatch, mainFrame, 'profiles.list', { x: 1 });
    expect(extra).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    const unknown = await handleIpcMessage(backend.dispatch, mainFrame, 'shell.exec', {});
    expect(unknown).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CHANNEL', category: 'invalid-request' } });
  });
});
