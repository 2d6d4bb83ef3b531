import { chatRow, chatsTable, dataRows, expect, saveScreenshot, test } from './fixtures/test.ts';

test.describe('the open-line chats table', () => {
  test('lists chats with every column and an accessible row count', async ({ consolePage: page }, testInfo) => {
    const table = chatsTable(page);
    for (const name of ['Chat', 'Line', 'Visitor', 'Status', 'Operator', 'Session ID', 'Waiting / last activity']) {
      await expect(table.getByRole('columnheader', { name, exact: true })).toBeVisible();
    }
    const rowCount = Number(await table.getAttribute('aria-rowcount'));
    expect(rowCount).toBeGreaterThan(50);
    await expect(dataRows(page).first()).toHaveAttribute('aria-rowindex', '2');
    await expect(page.getByText(`${(rowCount - 1).toLocaleString('en-US')} of`)).toBeVisible();
    await expect(page.getByRole('combobox', { name: 'Portal' })).toHaveValue('demo');
    await expect(page.getByText('Connected')).toBeVisible();
    await saveScreenshot(page, testInfo, 'chats-list');
  });

  test('filters by line, status and operator', async ({ consolePage: page }) => {
    const table = chatsTable(page);
    const total = await table.getAttribute('aria-rowcount');

    await page.getByRole('combobox', { name: 'Line' }).selectOption({ label: 'Telegram' });
    await expect(table).not.toHaveAttribute('aria-rowcount', total ?? '');
    for (const row of await dataRows(page).all()) {
      await expect(row.getByRole('cell').nth(2)).toHaveText('Telegram');
    }

    const telegram = await table.getAttribute('aria-rowcount');
    await page.getByRole('combobox', { name: 'Status' }).selectOption({ label: 'Closed' });
    await expect(table).not.toHaveAttribute('aria-rowcount', telegram ?? '');
    for (const row of await dataRows(page).all()) {
      await expect(row.getByRole('cell').nth(4)).toHaveText('Closed');
    }

    await page.getByRole('combobox', { name: 'Line' }).selectOption({ label: 'All lines' });
    await page.getByRole('combobox', { name: 'Status' }).selectOption({ label: 'All statuses' });
    await expect(table).toHaveAttribute('aria-rowcount', total ?? '');
    await page.getByRole('combobox', { name: 'Operator' }).selectOption({ label: 'Olga Ivanova' });
    await expect(table).not.toHaveAttribute('aria-rowcount', total ?? '');
    await expect(dataRows(page).first()).toBeVisible();
    for (const row of await dataRows(page).all()) {
      await expect(row.getByRole('cell').nth(5)).toHaveText('Olga Ivanova');
    }

    await page.getByRole('combobox', { name: 'Operator' }).selectOption({ label: 'All operators' });
    await expect(table).toHaveAttribute('aria-rowcount', total ?? '');
  });

  test('holds open chats and those closed lately, widens on demand, and reads older chats for a range of days', async ({
    consolePage: page,
  }) => {
    const table = chatsTable(page);
    const working = Number(await table.getAttribute('aria-rowcount'));
    const chats = page.getByRole('combobox', { name: 'Chats' });
    await expect(chats).toHaveValue('2');

    await chats.selectOption({ label: 'Open only' });
    await expect(table).not.toHaveAttribute('aria-rowcount', String(working));
    const openOnly = Number(await table.getAttribute('aria-rowcount'));
    expect(openOnly).toBeLessThan(working);
    await page.getByRole('combobox', { name: 'Status' }).selectOption({ label: 'Closed' });
    await expect(page.getByText('No chats match these filters.')).toBeVisible();
    await page.getByRole('combobox', { name: 'Status' }).selectOption({ label: 'All statuses' });

    await chats.selectOption({ label: 'Open + closed in 30 days' });
    await expect
      .poll(async () => Number(await table.getAttribute('aria-rowcount')), { timeout: 15_000 })
      .toBeGreaterThan(working);

    await page.getByRole('button', { name: 'Older chats…' }).click();
    const range = page.getByRole('form', { name: 'Older chats' });
    await range.getByLabel('Created from').fill('2026-12-31');
    await range.getByLabel('to').fill('2026-01-01');
    await range.getByRole('button', { name: 'Show older chats' }).click();
    await expect(range.getByRole('alert')).toHaveText(/the range ends before it starts/);

    const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
    const from = day(Date.now() - 40 * 86_400_000);
    const to = day(Date.now() - 20 * 86_400_000);
    await range.getByLabel('Created from').fill(from);
    await range.getByLabel('to').fill(to);
    await range.getByRole('button', { name: 'Show older chats' }).click();
    await expect(page.getByText(`Older chats: created ${from} – ${to}`)).toBeVisible();
    // The sessions created in those days, whatever their state now; not the working view.
    await expect(dataRows(page).first()).toBeVisible();
    await expect(table).not.toHaveAttribute('aria-rowcount', String(working));

    await page.getByRole('button', { name: 'Back to current chats' }).click();
    await expect(chats).toHaveValue('30');
    await chats.selectOption({ label: 'Open + closed in 2 days (default)' });
    await expect(table).toHaveAttribute('aria-rowcount', String(working));
  });

  test('says a line shows no chat because the user may not see it, rather than that nothing matches', async ({
    consolePage: page,
  }) => {
    await page.getByRole('combobox', { name: 'Line' }).selectOption({ label: 'VIP clients (restricted)' });
    await expect(
      page.getByText(/^No chat of “VIP clients \(restricted\)” is in this list\. .*no access/),
    ).toBeVisible();
    await page.getByRole('combobox', { name: 'Line' }).selectOption({ label: 'Telegram' });
    await page.getByRole('searchbox', { name: 'Search chats' }).fill('no visitor is called this');
    await expect(page.getByText('No chats match these filters.')).toBeVisible();
  });

  test('keeps each heading over its column when the table scrolls sideways, at 1024×700', async ({
    consolePage: page,
  }) => {
    await page.setViewportSize({ width: 1024, height: 700 });
    const table = chatsTable(page);
    const heading = table.getByRole('columnheader', { name: 'Waiting / last activity' });
    const cell = dataRows(page).first().getByRole('cell').last();
    const aligned = async () => {
      const [head, body] = [await heading.boundingBox(), await cell.boundingBox()];
      return Math.abs((head?.x ?? 0) - (body?.x ?? 1));
    };
    expect(await aligned()).toBeLessThan(1);
    // Scrolled sideways with the wheel over the rows, then by focusing the last heading: still over its column.
    await dataRows(page).first().hover();
    await page.mouse.wheel(600, 0);
    await expect.poll(() => table.evaluate((element) => element.scrollLeft)).toBeGreaterThan(0);
    expect(await aligned()).toBeLessThan(1);
    await heading.getByRole('button').focus();
    expect(await aligned()).toBeLessThan(1);
    expect(await table.evaluate((element) => element.scrollWidth > element.clientWidth)).toBe(true);
  });

  test('searches by visitor and by chat id', async ({ consolePage: page }) => {
    const search = page.getByRole('searchbox', { name: 'Search chats' });
    await search.fill('Schmidt');
    await expect(dataRows(page).first()).toBeVisible();
    for (const row of await dataRows(page).all()) {
      await expect(row).toContainText('Schmidt');
    }

    await search.fill('1005');
    await expect(chatRow(page, 1005)).toBeVisible();

    await search.fill('no visitor is called this');
    await expect(dataRows(page)).toHaveCount(0);
    await expect(page.getByText('No chats match these filters.')).toBeVisible();
    await expect(chatsTable(page)).toHaveAttribute('aria-rowcount', '1');
  });

  test('sorts by a column, both ways, and says so with aria-sort', async ({ consolePage: page }) => {
    const table = chatsTable(page);
    const header = table.getByRole('columnheader', { name: 'Chat', exact: true });
    await expect(header).toHaveAttribute('aria-sort', 'none');

    await header.getByRole('button', { name: 'Chat' }).click();
    await expect(header).toHaveAttribute('aria-sort', 'ascending');
    const ascending = await firstChatIds(page);
    expect(ascending).toEqual([...ascending].sort((a, b) => a - b));
    expect(ascending[0]).toBe(1001);

    await header.getByRole('button', { name: 'Chat' }).press('Enter');
    await expect(header).toHaveAttribute('aria-sort', 'descending');
    await expect(dataRows(page).first().getByRole('button')).not.toHaveAccessibleName('Open chat 1001');
    const descending = await firstChatIds(page);
    expect(descending).toEqual([...descending].sort((a, b) => b - a));

    const visitor = table.getByRole('columnheader', { name: 'Visitor', exact: true });
    await visitor.getByRole('button').click();
    await expect(visitor).toHaveAttribute('aria-sort', 'ascending');
    await expect(header).toHaveAttribute('aria-sort', 'none');
  });

  test('selects single chats and every chat matching the filters', async ({ consolePage: page }) => {
    await page.getByRole('checkbox', { name: 'Select chat 1001' }).check();
    await expect(page.getByText('1 selected')).toBeVisible();

    await page.getByRole('combobox', { name: 'Line' }).selectOption({ label: 'WhatsApp' });
    const matching = Number(await chatsTable(page).getAttribute('aria-rowcount')) - 1;
    await page.getByRole('checkbox', { name: 'Select all matching chats' }).check();
    const expected = matching + ((await chatRow(page, 1001).count()) === 0 ? 1 : 0);
    await expect(page.getByText(`${expected.toLocaleString('en-US')} selected`)).toBeVisible();

    await page.getByRole('button', { name: 'Clear selection' }).click();
    await expect(page.getByText('No chats selected')).toBeVisible();
    await expect(page.getByRole('checkbox', { name: 'Select all matching chats' })).not.toBeChecked();
  });

  test('says when the filters hide selected chats, narrows to what is shown, and the preview says so', async ({
    consolePage: page,
  }) => {
    const line = page.getByRole('combobox', { name: 'Line' });
    await line.selectOption({ label: 'WhatsApp' });
    const whatsapp = Number(await chatsTable(page).getAttribute('aria-rowcount')) - 1;
    await page.getByRole('checkbox', { name: 'Select all matching chats' }).check();
    await expect(page.getByText(`${whatsapp} selected`, { exact: true })).toBeVisible();

    await line.selectOption({ label: 'Telegram' });
    await expect(page.getByText(`${whatsapp} selected, 0 shown`, { exact: true })).toBeVisible();
    await expect(page.getByRole('checkbox', { name: 'Select all matching chats' })).not.toBeChecked();

    await page.getByRole('button', { name: 'Restart selected', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Bulk restart' });
    await expect(
      dialog.getByText(`${whatsapp} selected chats, ${whatsapp} of them hidden by the current filters.`),
    ).toBeVisible();
    await expect(dialog.getByRole('list', { name: 'Chats this run acts on' })).toContainText('WhatsApp');
    await page.keyboard.press('Escape');
    await expect(dialog).toBeHidden();

    await page.getByRole('button', { name: 'Keep only shown' }).click();
    await expect(page.getByText('No chats selected')).toBeVisible();
  });
});

async function firstChatIds(page: import('@playwright/test').Page): Promise<number[]> {
  const names = await dataRows(page)
    .getByRole('button', { name: /^Open chat \d+$/ })
    .evaluateAll((buttons) => buttons.map((button) => button.getAttribute('aria-label') ?? ''));
  return names.slice(0, 10).map((name) => Number(name.replace('Open chat ', '')));
}
