import { type ConsoleHost, startConsoleHost } from './fixtures/console-host.ts';
import { chatsTable, expect, openConsole, saveScreenshot, test } from './fixtures/test.ts';

/** Seeded chats: about half are open or closed in the last two days, so the table holds over 20,000 rows. */
const CHATS = 42_000;

test.describe('20,000 chats', () => {
  let big: ConsoleHost;

  test.beforeAll(async () => {
    big = await startConsoleHost({ chats: CHATS });
  });

  test.afterAll(async () => {
    await big?.stop();
  });

  test('loads, counts every row for assistive technology, and scrolls to the last one', async ({ page }, testInfo) => {
    test.setTimeout(240_000);
    await openConsole(page, big.url);
    const table = chatsTable(page);
    const rowCount = Number(await table.getAttribute('aria-rowcount'));
    // Every chat of the working view the portal lists (chats on the line the caller may not see are left out) plus
    // the header.
    expect(rowCount).toBeGreaterThan(20_000);
    // Only the rows in view are in the DOM.
    expect(await table.getByRole('row').count()).toBeLessThan(100);
    await saveScreenshot(page, testInfo, 'chats-20000');

    // Keyboard scrolling: focus the table and press End.
    await table.focus();
    await page.keyboard.press('End');
    await expect(table.getByRole('row').last()).toHaveAttribute('aria-rowindex', String(rowCount));
    await expect(table.getByRole('row').last()).toBeInViewport();

    // Filtering stays responsive and the count follows.
    await page.getByRole('searchbox', { name: 'Search chats' }).fill('Schmidt');
    await expect(table).not.toHaveAttribute('aria-rowcount', String(rowCount));
    await saveScreenshot(page, testInfo, 'chats-20000-filtered');
  });
});
