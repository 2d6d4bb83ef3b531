import { chatsTable, dataRows, expect, test } from './fixtures/test.ts';

test.describe('visitor names from the portal', () => {
  test('are shown as text: markup is visible, never run', async ({ consolePage: page }) => {
    const search = page.getByRole('searchbox', { name: 'Search chats' });

    await search.fill('<script>');
    const scriptRow = dataRows(page).filter({ hasText: '<script>alert(1)</script>' });
    await expect(scriptRow.getByRole('cell', { name: '<script>alert(1)</script>', exact: true })).toBeVisible();

    await search.fill('onerror');
    const imgRow = dataRows(page).filter({ hasText: '<img src=x onerror=alert(1)>' });
    await expect(imgRow.getByRole('cell', { name: '<img src=x onerror=alert(1)>', exact: true })).toBeVisible();
    await expect(chatsTable(page).getByRole('img')).toHaveCount(0);

    // The detail shows the same strings as text too.
    await imgRow.getByRole('button', { name: /^Open chat \d+$/ }).click();
    const dialog = page.getByRole('dialog', { name: /^Chat \d+$/ });
    await expect(dialog.getByText('<img src=x onerror=alert(1)>', { exact: true }).first()).toBeVisible();
    await expect(dialog.getByRole('img')).toHaveCount(0);
    await page.keyboard.press('Escape');

    await search.fill('DROP TABLE');
    await expect(dataRows(page).filter({ hasText: `"Bobby" O'Brien'); DROP TABLE chats;--` })).toHaveCount(1);
    // The consolePage fixture fails the test if any alert, confirm or prompt opened.
  });
});
