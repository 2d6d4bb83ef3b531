import type { Locator, Page } from '@playwright/test';
import { chatRow, chatsTable, dataRows, expect, saveScreenshot, test } from './fixtures/test.ts';

/** Presses Tab until `target` has the focus; fails if it is not reached within `limit` presses. */
async function tabTo(page: Page, target: Locator, limit = 40): Promise<number> {
  for (let presses = 1; presses <= limit; presses += 1) {
    await page.keyboard.press('Tab');
    if (await target.evaluate((element) => element === document.activeElement)) return presses;
  }
  throw new Error(`Tab never reached ${target} in ${limit} presses.`);
}

test.describe('keyboard only', () => {
  test('reaches and works the search box, the filters, a row and its "Start session"', async ({
    consolePage: page,
  }, testInfo) => {
    const table = chatsTable(page);
    const total = await table.getAttribute('aria-rowcount');

    // Search: typed, then cleared, from the keyboard.
    const search = page.getByRole('searchbox', { name: 'Search chats' });
    await tabTo(page, search);
    await page.keyboard.type('Schmidt');
    await expect(table).not.toHaveAttribute('aria-rowcount', total ?? '');
    for (const row of await dataRows(page).all()) await expect(row).toContainText('Schmidt');
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Delete');
    await expect(table).toHaveAttribute('aria-rowcount', total ?? '');

    // Filters: the next stops after the search box, each changed with the arrow keys.
    const line = page.getByRole('combobox', { name: 'Line' });
    await page.keyboard.press('Tab');
    await expect(line).toBeFocused();
    await page.keyboard.press('ArrowDown');
    await expect(line).not.toHaveValue('all');
    await expect(table).not.toHaveAttribute('aria-rowcount', total ?? '');
    await page.keyboard.press('ArrowUp');
    await expect(line).toHaveValue('all');

    const status = page.getByRole('combobox', { name: 'Status' });
    await page.keyboard.press('Tab');
    await expect(status).toBeFocused();
    // The options end "… Closing, Closed, Spam": End, then one up, is "Closed".
    await page.keyboard.press('End');
    await expect(status).toHaveValue('spam');
    await page.keyboard.press('ArrowUp');
    await expect(status).toHaveValue('closed');
    await expect(table).not.toHaveAttribute('aria-rowcount', total ?? '');
    for (const row of await dataRows(page).all()) await expect(row.getByRole('cell').nth(4)).toHaveText('Closed');

    const operator = page.getByRole('combobox', { name: 'Operator' });
    await page.keyboard.press('Tab');
    await expect(operator).toBeFocused();

    // A row: its "Open chat" button is in the tab order and opens the detail with Enter.
    const open = dataRows(page)
      .first()
      .getByRole('button', { name: /^Open chat \d+$/ });
    const chatId = Number((await open.getAttribute('aria-label'))?.replace('Open chat ', ''));
    await tabTo(page, chatRow(page, chatId).getByRole('button', { name: `Open chat ${chatId}` }));
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: `Chat ${chatId}` });
    await expect(dialog).toBeVisible();

    // Inside the modal dialog: Tab reaches "Start session", Enter starts it.
    const start = dialog.getByRole('button', { name: 'Start session' });
    await expect(start).toBeEnabled();
    await tabTo(page, start, 5);
    await page.keyboard.press('Enter');
    await expect(dialog.getByRole('status').filter({ hasText: 'Session started' })).toBeVisible();
    await saveScreenshot(page, testInfo, 'keyboard-session-started');

    // The list refreshed behind the dialog: the chat has an open session now, so the "Closed" filter dropped it.
    await expect(chatRow(page, chatId)).toHaveCount(0);
    // Escape closes the dialog; with the opening button gone, the focus stays in the table's rows, not the page top.
    await page.keyboard.press('Escape');
    await expect(dialog).toBeHidden();
    await expect(table).toBeFocused();
    await page.keyboard.press('Tab');
    await expect(table.getByRole('checkbox', { name: 'Select all matching chats' })).toBeFocused();
  });

  test('every control of the main view and the chat detail has an accessible name', async ({ consolePage: page }) => {
    const roles = ['button', 'checkbox', 'combobox', 'searchbox', 'textbox', 'table', 'dialog'] as const;
    const unnamed = async (scope: Page | Locator): Promise<string[]> => {
      const missing: string[] = [];
      for (const role of roles) {
        for (const control of await scope.getByRole(role).all()) {
          const name = await control.evaluate((element) => element.outerHTML.slice(0, 120));
          try {
            await expect(control).toHaveAccessibleName(/\S/, { timeout: 1_000 });
          } catch {
            missing.push(`${role}: ${name}`);
          }
        }
      }
      return missing;
    };
    expect(await page.getByRole('button').count()).toBeGreaterThan(10);
    expect(await unnamed(page)).toEqual([]);

    await dataRows(page)
      .first()
      .getByRole('button', { name: /^Open chat \d+$/ })
      .click();
    const dialog = page.getByRole('dialog', { name: /^Chat \d+$/ });
    await expect(dialog.getByRole('list', { name: 'Session history messages' })).toBeVisible();
    expect(await unnamed(dialog)).toEqual([]);
  });
});
