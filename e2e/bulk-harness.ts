// What the bulk-restart specs run on: a demo portal inside the test process (so a spec can read its counters and
// change its faults) and the browser host as a child process, `openlines serve` with OPENLINES_WEBHOOK_URL
// pointing at that portal and its own OPENLINES_HOME. The host can be killed with SIGKILL and a new one started
// on the same data folder and the same portal, as after a crash.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { expect, type Page } from '@playwright/test';
import { createDemoPortal } from '../app/demo-portal/demo-portal.ts';
import type { DemoPortal, DemoPortalOptions } from '../app/demo-portal/types.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const URL_LINE = /^Open Lines Console: (http:\/\/127\.0\.0\.1:\d+\/#token=[A-Za-z0-9_-]+)\s*$/;
const START_TIMEOUT_MS = 60_000;

export interface BulkHost {
  url: string;
  log(): string;
  /** SIGKILL: nothing is flushed, nothing is cleaned up, as when the machine loses power. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

export async function startBulkPortal(options: DemoPortalOptions = {}): Promise<DemoPortal> {
  return createDemoPortal({ chats: 120, ...options });
}

export function makeHome(): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), 'openlines-e2e-bulk-'));
}

export function removeHome(home: string): Promise<void> {
  return rm(home, { recursive: true, force: true });
}

/**
 * `openlines serve` on the portal's webhook, in `home`. Resolves once it printed its address. `env` adds to the
 * host's environment, e.g. OPENLINES_BULK_REQUEST_LIMIT_MS to scale the portal's 60 s request limit down.
 */
export async function startBulkHost(
  portal: DemoPortal,
  home: string,
  env: Readonly<Record<string, string>> = {},
): Promise<BulkHost> {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, ['bin/openlines.js', 'serve', '--port', '0'], {
    cwd: ROOT,
    env: { ...process.env, ...env, OPENLINES_HOME: home, OPENLINES_WEBHOOK_URL: portal.webhookUrl, NO_COLOR: '1' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => fail(`did not print its address within ${START_TIMEOUT_MS} ms`), START_TIMEOUT_MS);
    const onExit = (code: number | null) => fail(`exited (code ${code}) before printing its address`);
    function fail(what: string) {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`The host ${what}.\n--- host output ---\n${output.join('\n')}`));
    }
    createInterface({ input: child.stdout }).on('line', (line) => {
      output.push(line);
      const match = URL_LINE.exec(line);
      if (match?.[1]) {
        clearTimeout(timer);
        child.off('exit', onExit);
        resolve(match[1]);
      }
    });
    createInterface({ input: child.stderr }).on('line', (line) => output.push(`[stderr] ${line}`));
    child.once('exit', onExit);
  });
  const running = () => child.exitCode === null && child.signalCode === null;
  return {
    url,
    log: () => output.join('\n'),
    async kill() {
      if (running()) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (running()) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(killer);
      }
    },
  };
}

/** Opens the console and waits for the chats table's first data row. */
export async function openBulkConsole(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await expect(page.getByRole('table', { name: 'Open-line chats' }).getByRole('row').nth(1)).toBeVisible({
    timeout: 60_000,
  });
}

/** The run panel, the rate-limits panel, the dialog: the landmarks the specs look inside. */
export function bulkRegions(page: Page) {
  const run = page.getByRole('region', { name: 'Bulk run', exact: true });
  return {
    dialog: page.getByRole('dialog', { name: 'Bulk restart' }),
    run,
    /** The run's banner when it says what happened (holds, pauses, the end). */
    runStatus: run.getByRole('status', { name: 'Run status' }),
    /** The run's banner when the supervisor must act (stops). */
    runAlert: run.getByRole('alert', { name: 'Run alert' }),
    results: run.getByRole('table', { name: 'Run results' }),
    limits: page.getByRole('region', { name: 'Rate limits' }),
    unfinished: page.getByRole('region', { name: 'Unfinished runs' }),
    history: page.getByRole('region', { name: 'Bulk run history' }),
    progress: page.getByRole('progressbar', { name: 'Bulk restart progress' }),
  };
}

/** Open-line chats the webhook user may not touch (ACCESS_DENIED on session.start). */
export function inaccessibleChatIds(portal: DemoPortal): number[] {
  return portal.chatIds().filter((id) => portal.chat(id)?.accessible === false);
}

/** How many new sessions the portal opened on each chat. */
export function sessionStarts(portal: DemoPortal, chatIds: readonly number[]): number[] {
  return chatIds.map((id) => portal.counters.sessionStarts.get(id) ?? 0);
}

/** Opens "Restart from a list…", pastes the ids one a line, picks the mode and checks the list. */
export async function restartFromList(
  page: Page,
  chatIds: readonly number[],
  mode: 'Start' | 'Restart',
): Promise<void> {
  const { dialog } = bulkRegions(page);
  await page.getByRole('button', { name: 'Restart from a list…' }).click();
  await expect(dialog).toBeVisible();
  await dialog.getByRole('radio', { name: mode, exact: true }).check();
  await dialog.getByRole('textbox', { name: 'Chat IDs' }).fill(chatIds.join('\n'));
  await dialog.getByRole('button', { name: 'Check the list' }).click();
  await expect(dialog.getByRole('status', { name: 'Run preview' })).toContainText(
    new RegExp(`Chats\\s*${chatIds.length}(?!\\d)`),
  );
}

/** Open-line chats the webhook user may start sessions on, in seed order; `closed`: only those without a session. */
export function accessibleChatIds(portal: DemoPortal, options: { closed?: boolean } = {}): number[] {
  return portal.chatIds().filter((id) => {
    const chat = portal.chat(id);
    return chat?.accessible === true && (!options.closed || chat.status >= 60);
  });
}
