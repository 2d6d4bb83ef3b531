import type { Page } from '@playwright/test';
import { startConsoleHost } from './fixtures/console-host.ts';
import { startControlledPortal } from './fixtures/controlled-portal.ts';
import { groupChatId, MISSING_CHAT_ID, restrictedChatId } from './fixtures/demo-data.ts';
import { chatRow, dataRows, expect, openConsole, recordBrowserDialogs, saveScreenshot, test } from './fixtures/test.ts';

async function openChatById(page: Page, chatId: number) {
  const form = page.getByRole('form', { name: 'Open chat by ID' });
  await form.getByRole('textbox', { name: 'Chat ID' }).fill(String(chatId));
  await form.getByRole('button', { name: 'Open chat' }).click();
  const dialog = page.getByRole('dialog', { name: `Chat ${chatId}` });
  await expect(dialog).toBeVisible();
  return dialog;
}

async function firstChatWithStatus(page: Page, status: string): Promise<number> {
  await page.getByRole('combobox', { name: 'Status' }).selectOption({ label: status });
  const button = dataRows(page)
    .first()
    .getByRole('button', { name: /^Open chat \d+$/ });
  const name = await button.getAttribute('aria-label');
  return Number(name?.replace('Open chat ', ''));
}

test.describe('start session', () => {
  test('starts a new session on a closed chat, then refreshes the list', async ({ consolePage: page }, testInfo) => {
    const chatId = await firstChatWithStatus(page, 'Closed');
    await chatRow(page, chatId)
      .getByRole('button', { name: `Open chat ${chatId}` })
      .click();
    const dialog = page.getByRole('dialog', { name: `Chat ${chatId}` });
    const start = dialog.getByRole('button', { name: 'Start session' });
    await start.click();
    // While the call runs the button says so and cannot be pressed twice.
    await expect(dialog.getByRole('status').filter({ hasText: 'Session started' })).toBeVisible();
    await expect(start).toBeEnabled();
    await saveScreenshot(page, testInfo, 'session-started');
    await dialog.getByRole('button', { name: 'Close' }).click();
    // The list was refreshed: the chat has an open session now, so the "Closed" filter no longer shows it.
    await expect(chatRow(page, chatId)).toHaveCount(0);
  });

  test('reports an already active session as such', async ({ consolePage: page }) => {
    const chatId = await firstChatWithStatus(page, 'Open sessions');
    await chatRow(page, chatId)
      .getByRole('button', { name: `Open chat ${chatId}` })
      .click();
    const dialog = page.getByRole('dialog', { name: `Chat ${chatId}` });
    await dialog.getByRole('button', { name: 'Start session' }).click();
    await expect(dialog.getByRole('status').filter({ hasText: 'Session already active' })).toBeVisible();
  });

  test('explains CHAT_ID, CHAT_TYPE and ACCESS_DENIED', async ({ consolePage: page }, testInfo) => {
    const cases = [
      { chatId: MISSING_CHAT_ID, code: 'CHAT_ID', text: `Chat ${MISSING_CHAT_ID} does not exist on the portal.` },
      { chatId: groupChatId(), code: 'CHAT_TYPE', text: 'is not an open-line chat' },
      { chatId: restrictedChatId(), code: 'ACCESS_DENIED', text: 'You have no access to chat' },
    ];
    for (const { chatId, code, text } of cases) {
      const dialog = await openChatById(page, chatId);
      await dialog.getByRole('button', { name: 'Start session' }).click();
      const alert = dialog.getByRole('alert').filter({ hasText: 'Could not start the session.' });
      await expect(alert).toContainText(text);
      await expect(alert).toContainText(`(${code})`);
      if (code === 'ACCESS_DENIED') await saveScreenshot(page, testInfo, 'start-session-access-denied');
      await page.keyboard.press('Escape');
      await expect(dialog).toBeHidden();
    }
  });
});

/** The chat list refreshes every 15 s (every 3 s after a failure); on a loaded machine a refresh takes a while. */
const REFRESH_WAIT_MS = 45_000;

test.describe('start session against a portal the test controls', () => {
  test('explains USER_ID, a system error and refused credentials, and works again once the portal does', async ({
    page,
    controlled,
  }) => {
    const dialogs = recordBrowserDialogs(page);
    await openConsole(page, controlled.host.url);
    const dialog = await openChatById(page, 1001);
    const start = dialog.getByRole('button', { name: 'Start session' });

    controlled.portal.setFaults({ unknownCaller: true });
    await start.click();
    await expect(dialog.getByRole('alert').filter({ hasText: 'could not tell which user is calling' })).toContainText(
      '(USER_ID)',
    );
    // The chat reads are refused while the list still loads: the console must not turn that into a refetch loop.
    const callsBefore = controlled.portal.callCount();
    await page.waitForTimeout(3_000);
    expect(controlled.portal.callCount() - callsBefore).toBeLessThan(30);

    controlled.portal.setFaults({ errorBeforeRate: 1 });
    // USER_ID also marks the profile as refused until the portal answers again; the next refresh clears it.
    await expect(start).toBeEnabled({ timeout: REFRESH_WAIT_MS });
    await start.click();
    await expect(
      dialog.getByRole('alert').filter({ hasText: 'did not confirm whether the session started' }),
    ).toContainText('(INTERNAL_SERVER_ERROR)');
    // The portal refuses the webhook. A background refresh (the list retries the errors just seen) may meet the
    // refusal before any click can: either way the profile's credentials are named as the cause and Start waits.
    controlled.portal.setFaults({
      garbage: {
        status: 401,
        body: JSON.stringify({ error: 'INVALID_CREDENTIALS', error_description: 'Invalid request credentials' }),
      },
    });
    await expect(page.getByRole('status').filter({ hasText: 'Sign-in refused' })).toBeVisible({
      timeout: REFRESH_WAIT_MS,
    });
    await expect(start).toBeDisabled();
    await expect(start).toHaveAccessibleDescription(/credentials/);

    // The portal accepts the webhook again: the console notices by itself and the action works.
    controlled.portal.setFaults({});
    await expect(start).toBeEnabled({ timeout: REFRESH_WAIT_MS });
    await start.click();
    await expect(dialog.getByRole('status').filter({ hasText: /Session (started|already active)/ })).toBeVisible();
    expect(dialogs).toEqual([]);
  });
});

test.describe('start session on a portal that blocks the REST API', () => {
  test('explains OVERLOAD_LIMIT and keeps portal actions disabled with the reason', async ({ page }, testInfo) => {
    // Its own portal and host: the block is sticky by design (it is lifted by Bitrix24 support, not by a retry).
    const portal = await startControlledPortal();
    const host = await startConsoleHost({ webhookUrl: portal.webhookUrl });
    try {
      const dialogs = recordBrowserDialogs(page);
      await openConsole(page, host.url);
      const dialog = await openChatById(page, 1001);
      const start = dialog.getByRole('button', { name: 'Start session' });
      // The chat must have loaded before the portal blocks: a block met by its reads would disable the button first.
      await expect(start).toBeEnabled();

      portal.setFaults({ overload: true });
      await start.click();
      await expect(
        dialog.getByRole('alert').filter({ hasText: 'The portal has stopped accepting requests from this console.' }),
      ).toContainText('(OVERLOAD_LIMIT)');
      await expect(page.getByRole('status').filter({ hasText: 'Blocked by the portal' })).toBeVisible();
      await expect(start).toBeDisabled();
      await expect(page.getByRole('alert').filter({ hasText: 'has stopped accepting requests' }).first()).toBeVisible();
      await saveScreenshot(page, testInfo, 'start-session-overload-limit');
      expect(dialogs).toEqual([]);
    } finally {
      await host.stop();
      await portal.close();
    }
  });
});
