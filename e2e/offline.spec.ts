import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { startConsoleHost } from './fixtures/console-host.ts';
import { startControlledPortal } from './fixtures/controlled-portal.ts';
import {
  chatsTable,
  dataRows,
  expect,
  openConsole,
  recordBrowserDialogs,
  saveScreenshot,
  test,
} from './fixtures/test.ts';

/** The chat list refreshes every 15 s (every 3 s while the portal is away); on a loaded machine a refresh takes a while. */
const REFRESH_WAIT_MS = 45_000;
/**
 * The console saves its cache in idle time shortly after the rows are painted (at most one save every 5 s): on a
 * loaded machine that is still well within this.
 */
const SAVE_WAIT_MS = 15_000;

/** The chat rows in the host's persisted cache for its one profile (0 while nothing is saved). */
async function savedChatCount(home: string): Promise<number> {
  const cacheRoot = path.join(home, 'cache');
  const profiles = await readdir(cacheRoot).catch(() => []);
  for (const profile of profiles) {
    const text = await readFile(path.join(cacheRoot, profile, 'query-cache.json'), 'utf8').catch(() => '');
    if (text === '') continue;
    const saved = JSON.parse(text) as {
      clientState: { queries: { queryKey: unknown[]; state: { data?: { chats?: unknown[] } } }[] };
    };
    const list = saved.clientState.queries.find((query) => query.queryKey[2] === 'list');
    return list?.state.data?.chats?.length ?? 0;
  }
  return 0;
}

test.describe('when the portal cannot be reached', () => {
  test('shows the cached chats with their age, disables portal actions, and recovers by itself', async ({
    page,
    controlled,
  }, testInfo) => {
    const dialogs = recordBrowserDialogs(page);
    await openConsole(page, controlled.host.url);
    const rowCount = await chatsTable(page).getAttribute('aria-rowcount');
    await expect(page.getByRole('status').filter({ hasText: 'Connected' })).toBeVisible();

    await controlled.portal.stop();

    // The next background refresh (every 15 s) fails: the banner says so, and the last data stays with its age.
    const banner = page.getByRole('alert').filter({ hasText: /The portal “.+” cannot be reached/ });
    await expect(banner).toBeVisible({ timeout: REFRESH_WAIT_MS });
    await expect(banner).toContainText(/Showing data from \d+ (s|min) ago/);
    await expect(page.getByRole('status').filter({ hasText: 'Portal unreachable' })).toBeVisible();
    await expect(chatsTable(page)).toHaveAttribute('aria-rowcount', rowCount ?? '');

    // A reload while the portal is away restores the persisted cache for this profile.
    await page.reload();
    await expect(banner).toBeVisible();
    await expect(dataRows(page).first()).toBeVisible();
    await expect(chatsTable(page)).toHaveAttribute('aria-rowcount', rowCount ?? '');
    await expect(banner).toContainText(/Showing data from \d+ (s|min) ago/);

    // Bulk runs need the portal: their buttons are disabled and say why.
    for (const name of [/^Restart all matching/, /^Restart from a list/]) {
      const button = page.getByRole('button', { name });
      await expect(button).toBeDisabled();
      await expect(button).toHaveAccessibleDescription(/cannot be reached/);
    }

    // Actions that need the portal are disabled, with the reason attached. The chat is one whose detail was never
    // loaded on this host (the start-session specs on the same controlled host open chat 1001), so it cannot load.
    await dataRows(page)
      .filter({ hasNot: page.getByRole('button', { name: 'Open chat 1001', exact: true }) })
      .first()
      .getByRole('button', { name: /^Open chat \d+$/ })
      .click();
    const dialog = page.getByRole('dialog', { name: /^Chat \d+$/ });
    const start = dialog.getByRole('button', { name: 'Start session' });
    await expect(start).toBeDisabled();
    await expect(start).toHaveAccessibleDescription(/cannot be reached/);
    await expect(dialog.getByRole('alert').filter({ hasText: 'Could not load this chat' })).toContainText(
      '(PORTAL_UNREACHABLE)',
    );
    await saveScreenshot(page, testInfo, 'portal-unreachable');

    await controlled.portal.start();

    await expect(banner).toBeHidden({ timeout: REFRESH_WAIT_MS });
    await expect(start).toBeEnabled();
    await expect(page.getByRole('status').filter({ hasText: 'Connected' })).toBeVisible();
    await expect(page.getByRole('button', { name: /^Restart from a list/ })).toBeEnabled();
    // The open chat, which could not load while the portal was away, loads its history without being reopened.
    await expect(
      dialog.getByRole('list', { name: 'Session history messages' }).getByRole('listitem').first(),
    ).toBeVisible();
    expect(dialogs).toEqual([]);
  });
});

test.describe('a reload soon after the first load', () => {
  test('shows the saved chats with their age when the portal has gone away meanwhile', async ({ page }) => {
    // A host of its own: no other spec has saved a cache for it.
    const portal = await startControlledPortal();
    const host = await startConsoleHost({ webhookUrl: portal.webhookUrl });
    try {
      const dialogs = recordBrowserDialogs(page);
      await openConsole(page, host.url);
      const rowCount = Number(await chatsTable(page).getAttribute('aria-rowcount'));
      expect(rowCount).toBeGreaterThan(1);
      await expect(page.getByRole('status').filter({ hasText: 'Connected' })).toBeVisible();

      // The save happens after the first rows are painted, and soon: every row the table counts is written.
      await expect
        .poll(() => savedChatCount(host.home), {
          timeout: SAVE_WAIT_MS,
          message: 'the chats are saved soon after loading',
        })
        .toBeGreaterThanOrEqual(rowCount - 1);

      await portal.stop();
      await page.reload();
      const banner = page.getByRole('alert').filter({ hasText: /The portal “.+” cannot be reached/ });
      await expect(banner).toBeVisible({ timeout: REFRESH_WAIT_MS });
      await expect(banner).toContainText(/Showing data from \d+ (s|min) ago/);
      await expect(dataRows(page).first()).toBeVisible();
      await expect(chatsTable(page)).toHaveAttribute('aria-rowcount', String(rowCount));
      expect(dialogs).toEqual([]);
    } finally {
      await host.stop();
      await portal.close();
    }
  });
});
