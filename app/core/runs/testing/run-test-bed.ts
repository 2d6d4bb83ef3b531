// What the run tests (core) share: a data folder and a demo portal per test, the run environment over them, and
// the ways to pick chats and to stop a run at a durable point.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { createDemoPortal } from '../../../demo-portal/demo-portal.ts';
import type { DemoPortal, DemoPortalOptions } from '../../../demo-portal/types.ts';
import { createBitrix24Client } from '../../bitrix24/client.ts';
import type { Bitrix24Client } from '../../bitrix24/types.ts';
import { METHODS, type RunEnvironment, type RunHandle } from '../index.ts';

export interface RunTestBed {
  /** This test's data folder (fresh per test). */
  readonly home: string;
  setUp(options: DemoPortalOptions): Promise<{ portal: DemoPortal; client: Bitrix24Client; engineLog: string[] }>;
  env(client: Bitrix24Client, extra?: Partial<RunEnvironment>): RunEnvironment;
}

/** Registers the per-test folder and portal clean-up; call once at the top of a test file. */
export function runTestBed(): RunTestBed {
  let home = '';
  let portal: DemoPortal | undefined;
  beforeEach(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), 'openlines-bulk-'));
  });
  afterEach(async () => {
    await portal?.close();
    portal = undefined;
    await rm(home, { recursive: true, force: true });
  });
  return {
    get home() {
      return home;
    },
    async setUp(options) {
      portal = await createDemoPortal({ plan: 'enterprise', costSeconds: 0.001, ...options });
      const engineLog: string[] = [];
      const client = createBitrix24Client({
        credentials: { kind: 'webhook', webhookUrl: portal.webhookUrl },
        plan: portal.options.plan,
        requestTimeoutMs: 10_000,
        log: (line) => engineLog.push(line),
      });
      return { portal, client, engineLog };
    },
    env(client, extra = {}) {
      return {
        client,
        runsDir: path.join(home, 'runs'),
        profile: { id: 'demo', name: 'Demo' },
        requestLimitMs: 300,
        ...extra,
      };
    },
  };
}

/**
 * The client, except that the run is interrupted the moment a chunk of at least `size` writes (reads do not count) is
 * on disk as sent and before its request leaves: what a crash between the journal and the network leaves behind, on every machine alike
 * (an interrupt timed from outside loses the race to a fast request now and then).
 */
export function interruptedAfterSent(
  client: Bitrix24Client,
  size: number,
): { client: Bitrix24Client; arm(run: RunHandle): void } {
  let run: RunHandle | undefined;
  let fired = false;
  const wrapped: Bitrix24Client = {
    get portalLabel() {
      return client.portalLabel;
    },
    get limits() {
      return client.limits;
    },
    call: (method, params, options) => client.call(method, params, options),
    batch: (commands, options = {}) => {
      const { beforeSend } = options;
      if (!beforeSend) return client.batch(commands, options);
      return client.batch(commands, {
        ...options,
        beforeSend: async (chunk) => {
          await beforeSend(chunk);
          const writes = chunk.filter(
            (command) => command.method === METHODS.start || command.method === METHODS.finish,
          );
          if (!fired && run && writes.length >= size) {
            fired = true;
            void run.interrupt();
          }
        },
      });
    },
    clearBlock: () => client.clearBlock(),
  };
  return { client: wrapped, arm: (handle) => (run = handle) };
}

/** Accessible open-line chats, split by whether their session was open before the run. */
export function accessibleChats(demo: DemoPortal): { open: number[]; closed: number[] } {
  const open: number[] = [];
  const closed: number[] = [];
  for (const id of demo.chatIds()) {
    const chat = demo.chat(id)!;
    if (!chat.accessible) continue;
    (chat.status >= 60 ? closed : open).push(id);
  }
  return { open, closed };
}
