import { beforeEach, describe, expect, it, vi } from 'vitest';
import { CHANNEL_NAMES, EVENT_NAMES } from '../contract/index.ts';

type Relay = (event: unknown, payload: unknown) => void;
const electron = vi.hoisted(() => {
  const listeners = new Map<string, Set<(event: unknown, payload: unknown) => void>>();
  return {
    listeners,
    exposed: new Map<string, unknown>(),
    invoke: vi.fn(async (channel: string, input: unknown) => ({ ok: true, data: { channel, input } })),
  };
});

vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, value: unknown) => electron.exposed.set(key, value) },
  ipcRenderer: {
    invoke: electron.invoke,
    on: (channel: string, relay: Relay) => {
      const set = electron.listeners.get(channel) ?? new Set();
      set.add(relay);
      electron.listeners.set(channel, set);
    },
    removeListener: (channel: string, relay: Relay) => electron.listeners.get(channel)?.delete(relay),
  },
}));

beforeEach(() => {
  electron.listeners.clear();
});

describe('preload bridge', () => {
  it('exposes window.openlines with exactly one function per contract channel and event', async () => {
    await import('./preload.ts');
    const bridge = electron.exposed.get('openlines') as { invoke: object; on: object };
    expect([...electron.exposed.keys()]).toEqual(['openlines']);
    expect(Object.keys(bridge).sort()).toEqual(['invoke', 'on']);
    expect(Object.keys(bridge.invoke).sort()).toEqual([...CHANNEL_NAMES].sort());
    expect(Object.keys(bridge.on).sort()).toEqual([...EVENT_NAMES].sort());
  });

  it('sends each call on its own prefixed channel', async () => {
    const { createBridge } = await import('./preload.ts');
    const answer = await createBridge().invoke['chats.list']({ profileId: 'demo' });
    expect(electron.invoke).toHaveBeenLastCalledWith('openlines:chats.list', { profileId: 'demo' });
    expect(answer).toEqual({ ok: true, data: { channel: 'openlines:chats.list', input: { profileId: 'demo' } } });
  });

  it('hands listeners the payload without the Electron event, until unsubscribed', async () => {
    const { createBridge } = await import('./preload.ts');
    const received: unknown[][] = [];
    const off = createBridge().on['profiles.changed']((...args: unknown[]) => received.push(args));
    const emit = (payload: unknown) => {
      for (const relay of electron.listeners.get('openlines:profiles.changed') ?? []) relay({ sender: 'ipc' }, payload);
    };
    emit({});
    off();
    emit({});
    expect(received).toEqual([[{}]]);
  });
});
