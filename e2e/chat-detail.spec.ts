import { chatRow, expect, saveScreenshot, test } from './fixtures/test.ts';

test.describe('chat detail', () => {
  test('shows the dialog data and the session history, and closes with Escape', async ({
    consolePage: page,
  }, testInfo) => {
    await page.getByRole('searchbox', { name: 'Search chats' }).fill('1004');
    const open = chatRow(page, 1004).getByRole('button', { name: 'Open chat 1004' });
    await open.focus();
    await page.keyboard.press('Enter');

    const dialog = page.getByRole('dialog', { name: 'Chat 1004' });
    await expect(dialog).toBeVisible();
    await expect(dialog.getByText('User code')).toBeVisible();
    const history = dialog.getByRole('list', { name: 'Session history messages' });
    await expect(history.getByRole('listitem').first()).toBeVisible();
    expect(await history.getByRole('listitem').count()).toBeGreaterThanOrEqual(2);
    await expect(dialog.getByRole('button', { name: 'Start session' })).toBeEnabled();
    await saveScreenshot(page, testInfo, 'chat-detail');

    await page.keyboard.press('Escape');
    await expect(dialog).toBeHidden();
    await expect(open).toBeFocused();
  });

  test('opens a chat by its ID from the toolbar', async ({ consolePage: page }) => {
    const form = page.getByRole('form', { name: 'Open chat by ID' });
    await form.getByRole('textbox', { name: 'Chat ID' }).fill('12x');
    await form.getByRole('button', { name: 'Open chat' }).click();
    await expect(form.getByRole('alert')).toHaveText('A chat ID is a positive whole number.');

    await form.getByRole('textbox', { name: 'Chat ID' }).fill('1010');
    await form.getByRole('textbox', { name: 'Chat ID' }).press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Chat 1010' });
    await expect(
      dialog.getByRole('list', { name: 'Session history messages' }).getByRole('listitem').first(),
    ).toBeVisible();
    await dialog.getByRole('button', { name: 'Close' }).click();
    await expect(dialog).toBeHidden();
  });
});
