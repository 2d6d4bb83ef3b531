// Issue #3: no IPC channel ever returns a secret. With a real profile whose webhook code sits in the real keychain
// (run under a Secret Service; `npm test` starts one), every channel of the contract is called through the
// dispatcher and every answer and event is searched for the code and the webhook URL.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHANNEL_NAMES, type ChannelName } from '../contract/index.ts';
import { KeytarKeychain } from '../core/keychain/keychain.ts';
import { filesContaining, keychainAccountOf, keychainAccountsUnder } from '../core/profiles/test-support.ts';
import { createDemoPortal } from '../demo-portal/demo-portal.ts';
import type { DemoPortal } from '../demo-portal/types.ts';
import { type Backend, createBackend } from './backend.ts';

const keychain = new KeytarKeychain({ timeoutMs: 15_000 });
const code = `walkSecret${randomBytes(10).toString('hex')}`;
const suffix = randomBytes(4).toString('hex');
let home: string;
let portal: DemoPortal;
let backend: Backend;
const events: Array<{ event: string; payload: unknown }> = [];

beforeAll(async () => {
  home = await mkdtemp(path.join(os.tmpdir(), 'openlines-walk-'));
  portal = await createDemoPortal({ chats: 40, webhook: { code } });
  backend = createBackend({ runtime: 'electron', version: '0.0.0-walk', home, mode: 'profiles', keychain });
  backend.services.subscribe((event, payload) => events.push({ event, payload }));
});

afterAll(async () => {
  await backend.close();
  await portal.close();
  for (const account of await keychainAccountsUnder(home)) await keychain.delete(account).catch(() => false);
  await rm(home, { recursive: true, force: true });
});

type Step = { channel: ChannelName; input: () => unknown; mustSucceed: boolean };

describe('the whole contract with a real profile', () => {
  it('never sends the webhook code or URL back to the renderer, on any channel or event', async () => {
    const state = { profileId: '', importedId: '', chatId: 0, closedChatId: 0, runId: 'none', previewId: 'none' };
    const steps: Step[] = [
      { channel: 'app.info', input: () => ({}), mustSucceed: true },
      {
        channel: 'profiles.add',
        input: () => ({ name: `Walk portal ${suffix}`, webhookUrl: portal.webhookUrl, plan: 'standard' }),
        mustSucceed: true,
      },
      { channel: 'profiles.list', input: () => ({}), mustSucceed: true },
      { channel: 'profiles.select', input: () => ({ profileId: state.profileId }), mustSucceed: true },
      {
        channel: 'profiles.rename',
        input: () => ({ profileId: state.profileId, name: `Walk portal ${suffix} renamed` }),
        mustSucceed: true,
      },
      {
        channel: 'profiles.setSecret',
        input: () => ({ profileId: state.profileId, webhookUrl: portal.webhookUrl }),
        mustSucceed: true,
      },
      {
        channel: 'profiles.import',
        input: () => ({
          text: JSON.stringify([
            {
              name: `Imported ${suffix}`,
              portal: 'https://imported.example.com',
              auth: { kind: 'webhook', userId: 3 },
            },
            { name: 'Bad entry', portal: 'ftp://nope', auth: { kind: 'webhook', userId: 3 } },
          ]),
        }),
        mustSucceed: true,
      },
      { channel: 'profiles.check', input: () => ({ profileId: state.profileId }), mustSucceed: true },
      { channel: 'chats.list', input: () => ({ profileId: state.profileId }), mustSucceed: true },
      { channel: 'connection.get', input: () => ({ profileId: state.profileId }), mustSucceed: true },
      {
        channel: 'chats.detail',
        input: () => ({ profileId: state.profileId, chatId: state.chatId }),
        mustSucceed: true,
      },
      {
        channel: 'sessions.start',
        input: () => ({ profileId: state.profileId, chatId: state.closedChatId }),
        mustSucceed: true,
      },
      { channel: 'limits.get', input: () => ({ profileId: state.profileId }), mustSucceed: true },
      {
        channel: 'cache.save',
        input: () => ({ profileId: state.profileId, data: '{"queries":[]}' }),
        mustSucceed: true,
      },
      { channel: 'cache.load', input: () => ({ profileId: state.profileId }), mustSucceed: true },
      {
        channel: 'runs.preview',
        input: () => ({
          profileId: state.profileId,
          mode: 'start',
          source: { kind: 'ids', chatIds: [state.chatId, state.closedChatId] },
          skipInvalid: true,
        }),
        mustSucceed: false,
      },
      { channel: 'runs.start', input: () => ({ previewId: state.previewId }), mustSucceed: false },
      { channel: 'runs.list', input: () => ({ profileId: state.profileId }), mustSucceed: false },
      { channel: 'runs.pause', input: () => ({ runId: state.runId }), mustSucceed: false },
      { channel: 'runs.resume', input: () => ({ runId: state.runId }), mustSucceed: false },
      { channel: 'runs.cancel', input: () => ({ runId: state.runId }), mustSucceed: false },
      { channel: 'runs.results', input: () => ({ runId: state.runId }), mustSucceed: false },
      { channel: 'runs.exportCsv', input: () => ({ runId: state.runId }), mustSucceed: false },
      { channel: 'profiles.remove', input: () => ({ profileId: state.importedId }), mustSucceed: true },
    ];
    // A channel added to the contract must be added to this walk.
    expect(new Set(steps.map((step) => step.channel))).toEqual(new Set(CHANNEL_NAMES));

    const answers: Array<{ channel: string; answer: unknown }> = [];
    for (const step of steps) {
      const answer = await backend.dispatch(step.channel, step.input());
      answers.push({ channel: step.channel, answer });
      if (step.mustSucceed) expect({ channel: step.channel, ok: answer.ok, answer }).toMatchObject({ ok: true });
      if (!answer.ok) {
        // The only failure allowed is a typed one: never an invalid request (the walk's inputs are valid).
        expect(answer.error.category).not.toBe('invalid-request');
        continue;
      }
      const data = answer.data as Record<string, unknown>;
      if (step.channel === 'profiles.add') {
        state.profileId = String(data.id);
        expect(data.hasSecret).toBe(true);
      }
      if (step.channel === 'profiles.import') {
        state.importedId = String((data.imported as string[])[0]);
      }
      if (step.channel === 'chats.list') {
        const chats = data.chats as Array<{ chatId: number; active: boolean }>;
        state.chatId = chats[0]!.chatId;
        state.closedChatId = chats.find((chat) => !chat.active)!.chatId;
      }
      if (step.channel === 'runs.preview') state.previewId = String(data.previewId);
      if (step.channel === 'runs.start') state.runId = String(data.runId);
    }

    // The secret is where it belongs…
    expect(await keychain.get(await keychainAccountOf(home, state.profileId))).toContain(code);
    // …and nowhere the renderer can see, nor in the data folder.
    const seen = JSON.stringify({ answers, events });
    expect(events.length).toBeGreaterThan(0);
    expect(seen).toContain(portal.origin.replace('http://', ''));
    for (const secret of [code, portal.webhookUrl, `/rest/1/${code}`]) {
      expect(seen.includes(secret), `"${secret}" leaked over IPC`).toBe(false);
    }
    // The data folder is read once the console has shut down, so no run is still writing its files.
    await backend.close();
    expect(await filesContaining(home, code)).toEqual([]);
  });
});
