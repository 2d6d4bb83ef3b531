// The desktop app itself, through Playwright's `_electron`: launch dist/main/main.js on the demo portal, see the
// window and the chats table. Runs where the Electron runtime is installed; skipped, with the reason, where not.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { _electron as electron, expect, test } from '@playwright/test';
import { CHANNEL_NAMES } from '../app/contract/index.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const MAIN = path.join(ROOT, 'dist', 'main', 'main.js');

function missingRuntime(): string | null {
  let dir: string;
  try {
    dir = path.dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return 'the electron package is not installed';
  }
  if (!existsSync(path.join(dir, 'path.txt'))) {
    return 'the Electron runtime is not installed (node_modules/electron/path.txt is missing; its download failed or was skipped)';
  }
  return null;
}

const reason = missingRuntime();
if (reason) console.log(`Electron spec skipped: ${reason}.`);
test.skip(reason !== null, `Electron spec skipped: ${reason}.`);

test('opens the console window on the demo portal with the chats table', async () => {
  expect(existsSync(MAIN), 'dist/main/main.js is missing: run `npm run build` first').toBe(true);
  const home = await mkdtemp(path.join(os.tmpdir(), 'openlines-electron-'));
  const app = await electron.launch({
    args: [MAIN],
    cwd: ROOT,
    env: { ...process.env, OPENLINES_HOME: home, OPENLINES_DEMO: '1' },
  });
  try {
    const window = await app.firstWindow();
    await expect(window).toHaveTitle('Open Lines Console');
    expect(new URL(window.url()).origin).toBe('app://openlines');
    const table = window.getByRole('table', { name: 'Open-line chats' });
    await expect(table).toBeVisible();
    await expect(table.getByRole('row').nth(1)).toBeVisible();

    // The bridge is exactly the contract, and the page has no Node.
    const exposed = await window.evaluate(() => ({
      bridge: Object.keys((window as unknown as { openlines: { invoke: object } }).openlines.invoke).sort(),
      node: typeof (window as unknown as { require?: unknown }).require,
    }));
    expect(exposed).toEqual({ bridge: [...CHANNEL_NAMES].sort(), node: 'undefined' });
    await window.screenshot({ path: test.info().outputPath('electron-chats.png') });
  } finally {
    await app.close();
    await rm(home, { recursive: true, force: true });
  }
});
