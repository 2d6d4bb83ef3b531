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
    // The open chat, which could not load while the portal was away, loads its history without being reopened.
    await expect(
      dialog.getByRole('list', { name: 'Session history messages' }).getByRole('listitem').first(),
    ).toBeVisible();
    expect(dialogs).toEqual([]);
  });
});
