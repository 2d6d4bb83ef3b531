import type { PersistedClient } from '@tanstack/react-query-persist-client';
import { describe, expect, it, vi } from 'vitest';
import type { ConsoleApi } from '../bridge/index.ts';
import {
  CACHE_BUSTER,
  createProfilePersister,
  SAVE_DELAY_MS,
  SAVE_INTERVAL_MS,
  type SaveScheduler,
} from './cache-persister.ts';

/** Timers that run only when the test says so, and a clock the test moves. */
function manualScheduler() {
  let time = 1_000_000;
  const timers: { at: number; callback: () => void }[] = [];
  const idle: (() => void)[] = [];
  const scheduler: SaveScheduler = {
    now: () => time,
    after: (ms, callback) => {
      timers.push({ at: time + ms, callback });
    },
    whenIdle: (callback) => {
      idle.push(callback);
    },
  };
  return {
    scheduler,
    /** Moves the clock and runs the timers that are due; their idle work waits for `idle()`. */
    advance(ms: number) {
      time += ms;
      for (const timer of timers.filter((t) => t.at <= time)) {
        timers.splice(timers.indexOf(timer), 1);
        timer.callback();
      }
    },
    async idle() {
      for (const callback of idle.splice(0)) callback();
      // Lets the save's call settle.
      await new Promise((resolve) => setTimeout(resolve, 0));
    },
  };
}

function fakeApi() {
  const saves: string[] = [];
  let failNext = false;
  const api = {
    transport: 'browser',
    call: vi.fn(async (channel: string, input: { data?: string }) => {
      if (channel === 'cache.save') {
        if (failNext) {
          failNext = false;
          throw new Error('host restarting');
        }
        saves.push(input.data ?? '');
        return {};
      }
      return { data: saves.at(-1) ?? null };
    }),
    on: () => () => {},
    transportState: () => 'open',
    onTransportState: () => () => {},
  } as unknown as ConsoleApi;
  return {
    api,
    saves,
    failNextSave() {
      failNext = true;
    },
  };
}

const rows = [
  { chatId: 1, visitor: 'Анна "quoted" \\ back\nslash' },
  { chatId: 2, visitor: '<b>bold</b>' },
];

function client(data: unknown, dataUpdatedAt: number, status: 'success' | 'error' = 'success'): PersistedClient {
  return {
    buster: CACHE_BUSTER,
    timestamp: dataUpdatedAt,
    clientState: {
      mutations: [],
      queries: [
        {
          queryKey: ['chats', 'demo', 'list'],
          queryHash: '["chats","demo","list"]',
          dehydratedAt: dataUpdatedAt,
          state: {
            data,
            dataUpdateCount: 1,
            dataUpdatedAt,
            error: status === 'error' ? new Error('portal unreachable') : null,
            errorUpdateCount: 0,
            errorUpdatedAt: 0,
            fetchFailureCount: 0,
            fetchFailureReason: null,
            fetchMeta: null,
            isInvalidated: false,
            status,
            fetchStatus: 'idle',
          },
        },
      ],
    },
  } as PersistedClient;
}

describe('the persisted chat cache', () => {
  it('saves a burst of changes once, after the delay and in idle time, and restores the newest', async () => {
    const clock = manualScheduler();
    const { api, saves } = fakeApi();
    const persister = createProfilePersister(api, 'demo', clock.scheduler);
    const data = { chats: rows };

    await persister.persistClient(client({ chats: [] }, 1));
    await persister.persistClient(client(data, 2));
    clock.advance(SAVE_DELAY_MS - 1);
    await clock.idle();
    expect(saves).toHaveLength(0);

    clock.advance(1);
    expect(saves).toHaveLength(0);
    await clock.idle();
    expect(saves).toHaveLength(1);

    const restored = await createProfilePersister(api, 'demo', clock.scheduler).restoreClient();
    expect(restored?.buster).toBe(CACHE_BUSTER);
    expect(restored?.clientState.queries).toHaveLength(1);
    expect(restored?.clientState.queries[0]?.queryKey).toEqual(['chats', 'demo', 'list']);
    expect(restored?.clientState.queries[0]?.state).toMatchObject({ data, dataUpdatedAt: 2, status: 'success' });
  });

  it('keeps the data of a failed refresh as a success without its error', async () => {
    const clock = manualScheduler();
    const { api, saves } = fakeApi();
    const persister = createProfilePersister(api, 'demo', clock.scheduler);

    await persister.persistClient(client({ chats: rows }, 5, 'error'));
    clock.advance(SAVE_DELAY_MS);
    await clock.idle();

    const restored = await persister.restoreClient();
    expect(saves).toHaveLength(1);
    expect(restored?.clientState.queries[0]?.state).toMatchObject({
      data: { chats: rows },
      status: 'success',
      error: null,
      fetchFailureReason: null,
    });
  });

  it('skips a save while nothing persisted changed, and saves a refresh that only moved the time', async () => {
    const clock = manualScheduler();
    const { api, saves } = fakeApi();
    const persister = createProfilePersister(api, 'demo', clock.scheduler);
    const data = { chats: rows };

    await persister.persistClient(client(data, 10));
    clock.advance(SAVE_DELAY_MS);
    await clock.idle();
    expect(saves).toHaveLength(1);

    // A failed refresh leaves the same data and time: nothing to write.
    await persister.persistClient(client(data, 10, 'error'));
    clock.advance(SAVE_INTERVAL_MS);
    await clock.idle();
    expect(saves).toHaveLength(1);

    // The same list fetched again later: the age shown offline must follow.
    await persister.persistClient(client(data, 20));
    clock.advance(SAVE_INTERVAL_MS);
    await clock.idle();
    expect(saves).toHaveLength(2);
    expect((await persister.restoreClient())?.clientState.queries[0]?.state.dataUpdatedAt).toBe(20);
  });

  it('waits the save interval after a save before the next one', async () => {
    const clock = manualScheduler();
    const { api, saves } = fakeApi();
    const persister = createProfilePersister(api, 'demo', clock.scheduler);

    await persister.persistClient(client({ chats: rows }, 1));
    clock.advance(SAVE_DELAY_MS);
    await clock.idle();
    await persister.persistClient(client({ chats: rows.slice(1) }, 2));
    clock.advance(SAVE_INTERVAL_MS - 1);
    await clock.idle();
    expect(saves).toHaveLength(1);
    clock.advance(1);
    await clock.idle();
    expect(saves).toHaveLength(2);
  });

  it('saves again on the next change after a save failed', async () => {
    const clock = manualScheduler();
    const { api, saves, failNextSave } = fakeApi();
    const persister = createProfilePersister(api, 'demo', clock.scheduler);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const data = { chats: rows };

    failNextSave();
    await persister.persistClient(client(data, 1));
    clock.advance(SAVE_DELAY_MS);
    await clock.idle();
    expect(saves).toHaveLength(0);
    expect(warn).toHaveBeenCalledOnce();

    // The retry carries the same data: it was never written.
    await persister.persistClient(client(data, 1, 'error'));
    clock.advance(SAVE_INTERVAL_MS);
    await clock.idle();
    expect(saves).toHaveLength(1);
    warn.mockRestore();
  });

  it('does not write a restored cache straight back', async () => {
    const clock = manualScheduler();
    const { api, saves } = fakeApi();
    const first = createProfilePersister(api, 'demo', clock.scheduler);
    await first.persistClient(client({ chats: rows }, 1));
    clock.advance(SAVE_DELAY_MS);
    await clock.idle();

    const second = createProfilePersister(api, 'demo', clock.scheduler);
    const restored = await second.restoreClient();
    if (!restored) throw new Error('nothing restored');
    await second.persistClient(restored);
    clock.advance(SAVE_INTERVAL_MS);
    await clock.idle();
    expect(saves).toHaveLength(1);
  });
});
