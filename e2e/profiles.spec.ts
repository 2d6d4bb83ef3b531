// Portal profiles from the console, on the browser host in profiles mode (no --demo, no OPENLINES_WEBHOOK_URL): its
// own data folder, the real keychain (run inside dbus-run-session with gnome-keyring, as `npm test` does), and a demo
// portal inside this process whose webhook URL the supervisor types in.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect, type Page, test } from '@playwright/test';
import { createDemoPortal } from '../app/demo-portal/demo-portal.ts';
import type { DemoPortal } from '../app/demo-portal/types.ts';
import { type ConsoleHost, startConsoleHost } from './fixtures/console-host.ts';
import { chatsTable, openConsole, recordBrowserDialogs } from './fixtures/test.ts';

let portal: DemoPortal;
let host: ConsoleHost;
let scratch: string;

test.beforeAll(async () => {
  portal = await createDemoPortal({ chats: 30 });
  host = await startConsoleHost({ profiles: true });
  scratch = await mkdtemp(path.join(os.tmpdir(), 'openlines-e2e-portals-'));
});

test.afterAll(async () => {
  await host?.stop();
  await portal?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

function webhookCode(url: string): string {
  const code = new URL(url).pathname.split('/').filter(Boolean)[2];
  if (!code) throw new Error('the demo portal gave a webhook URL without a code');
  return code;
}

async function openManager(page: Page) {
  await page.getByRole('button', { name: 'Manage portals' }).click();
  const dialog = page.getByRole('dialog', { name: 'Manage portals' });
  await expect(dialog).toBeVisible();
  return dialog;
}

function portalItem(page: Page, name: string) {
  return page.getByRole('dialog', { name: 'Manage portals' }).getByRole('listitem', { name, exact: true });
}

test('a supervisor adds, checks, imports, renames and removes portals from the console', async ({ page }) => {
  test.setTimeout(90_000);
  const dialogs = recordBrowserDialogs(page);
  const code = webhookCode(portal.webhookUrl);
  const switcher = page.getByRole('combobox', { name: 'Portal' });
  // No profile yet: the console starts on the embedded demo portal.
  await openConsole(page, host.url);
  await expect(switcher).toHaveValue('demo');

  await test.step('adding a portal with its webhook URL shows its chats, and the code is nowhere in the page', async () => {
    const dialog = await openManager(page);
    await dialog.getByLabel('Portal name').fill('Branch office');
    await dialog.getByLabel('Webhook URL').fill(portal.webhookUrl);
    await dialog.getByLabel('Plan').selectOption({ label: 'Standard' });
    await dialog.getByRole('button', { name: 'Add portal' }).click();
    await expect(dialog.getByRole('status').filter({ hasText: 'Added “Branch office”' })).toBeVisible();
    await expect(dialog.getByLabel('Webhook URL')).toHaveValue('');
    await expect(portalItem(page, 'Branch office')).toBeVisible();
    await expect(switcher).toHaveValue('branch-office');
    expect(await page.content()).not.toContain(code);

    await test.step('checking the connection shows the user and the scopes', async () => {
      const item = portalItem(page, 'Branch office');
      await item.getByRole('button', { name: 'Check connection' }).click();
      const report = item.getByRole('status');
      await expect(report).toContainText(/User: \S/);
      await expect(report).toContainText(/Scopes: .*imopenlines/);
      await expect(item).toContainText('Connection: online');
    });

    await dialog.getByRole('button', { name: 'Close' }).click();
    await expect(dialog).toBeHidden();
    await expect(chatsTable(page).getByRole('row').nth(1)).toBeVisible({ timeout: 30_000 });
    expect(await page.content()).not.toContain(code);
  });

  await test.step('a malformed URL and a plain-http remote portal are refused with a reason, and nothing is saved', async () => {
    const dialog = await openManager(page);
    const items = dialog.getByRole('list', { name: 'Portals' }).getByRole('listitem');
    const before = await items.count();
    await dialog.getByLabel('Portal name').fill('Broken');
    await dialog.getByLabel('Webhook URL').fill('not a webhook');
    await dialog.getByRole('button', { name: 'Add portal' }).click();
    const alert = dialog.getByRole('alert');
    await expect(alert).toContainText('Could not add the portal:');
    const malformed = await alert.textContent();

    await dialog.getByLabel('Webhook URL').fill('http://portal.example.com/rest/1/abc/');
    await dialog.getByRole('button', { name: 'Add portal' }).click();
    await expect(alert).not.toHaveText(malformed ?? '');
    await expect(alert).toContainText(/https/i);
    await expect(items).toHaveCount(before);
    await expect(switcher.getByRole('option', { name: /Broken/ })).toHaveCount(0);
    await dialog.getByRole('button', { name: 'Close' }).click();
  });

  await test.step('a webhook the portal refuses is not saved unless asked, and adding never switches portals', async () => {
    const dialog = await openManager(page);
    const items = dialog.getByRole('list', { name: 'Portals' }).getByRole('listitem');
    const before = await items.count();
    const wrong = portal.webhookUrl.replace(code, 'wrongcode123');
    await dialog.getByLabel('Portal name').fill('Wrong code');
    await dialog.getByLabel('Webhook URL').fill(wrong);
    await dialog.getByRole('button', { name: 'Add portal' }).click();
    const alert = dialog.getByRole('alert');
    await expect(alert).toContainText('refused the credentials');
    await expect(alert).toContainText('The portal was not added');
    await expect(items).toHaveCount(before);
    await expect(switcher).toHaveValue('branch-office');

    await dialog.getByRole('button', { name: 'Save without the check' }).click();
    await expect(dialog.getByRole('status').filter({ hasText: 'Added “Wrong code”' })).toBeVisible();
    await expect(items).toHaveCount(before + 1);
    await expect(switcher).toHaveValue('branch-office');
    expect(await page.content()).not.toContain('wrongcode123');

    // Its check says it is refused, without listing scopes it never read.
    const item = portalItem(page, 'Wrong code');
    await item.getByRole('button', { name: 'Check connection' }).click();
    await expect(item.getByRole('status')).toContainText('refused the credentials');
    await expect(item.getByRole('status')).not.toContainText('Scopes:');
    await item.getByRole('button', { name: 'Remove' }).click();
    await item.getByRole('button', { name: 'Remove “Wrong code”' }).click();
    await expect(items).toHaveCount(before);
    await dialog.getByRole('button', { name: 'Close' }).click();
  });

  await test.step('importing a provisioning file lists the good entry and explains the bad one', async () => {
    const origin = new URL(portal.webhookUrl).origin;
    const file = path.join(scratch, 'portals.json');
    await writeFile(
      file,
      JSON.stringify([
        { name: 'Provisioned', portal: origin, auth: { kind: 'webhook', userId: 1 } },
        { name: 'Pasted', portal: 'ftp://files.example.com', auth: { kind: 'webhook', userId: 2 } },
      ]),
    );
    const dialog = await openManager(page);
    await dialog.getByLabel('Provisioning file (portals.json)').setInputFiles(file);
    const report = dialog.getByRole('status').filter({ hasText: 'Imported' });
    await expect(report).toContainText('Imported 1 portal(s): provisioned.');
    await expect(report.getByRole('list', { name: 'Rejected entries' }).getByRole('listitem')).toHaveText([
      /^Entry 1: portal \S/,
    ]);
    await expect(portalItem(page, 'Provisioned')).toContainText('no webhook yet');
    await dialog.getByRole('button', { name: 'Close' }).click();
  });

  await test.step('opening the provisioned portal asks for its webhook; entering it shows the chats', async () => {
    await switcher.selectOption('provisioned');
    const prompt = page.getByRole('region', { name: 'Enter the webhook of “Provisioned”' });
    await expect(prompt).toBeVisible();
    await expect(chatsTable(page)).toHaveCount(0);
    await prompt.getByLabel('Webhook URL or code').fill(portal.webhookUrl);
    await prompt.getByRole('button', { name: 'Save webhook' }).click();
    await expect(chatsTable(page).getByRole('row').nth(1)).toBeVisible({ timeout: 30_000 });
    await expect(prompt).toBeHidden();
    expect(await page.content()).not.toContain(code);
  });

  await test.step('renaming a portal shows the new name in the switcher', async () => {
    const dialog = await openManager(page);
    await portalItem(page, 'Branch office').getByRole('button', { name: 'Rename' }).click();
    await dialog.getByLabel('New name for “Branch office”').fill('Head office');
    await dialog.getByRole('button', { name: 'Save name' }).click();
    await expect(portalItem(page, 'Head office')).toBeVisible();
    await expect(switcher.getByRole('option', { name: /^Head office/ })).toHaveCount(1);
  });

  await test.step('removing a portal asks first, then it is gone from the switcher', async () => {
    const item = portalItem(page, 'Head office');
    await item.getByRole('button', { name: 'Remove' }).click();
    await item.getByRole('button', { name: 'Keep it' }).click();
    await expect(item).toBeVisible();
    await item.getByRole('button', { name: 'Remove' }).click();
    await item.getByRole('button', { name: 'Remove “Head office”' }).click();
    await expect(portalItem(page, 'Head office')).toHaveCount(0);
    await expect(switcher.getByRole('option', { name: /^Head office/ })).toHaveCount(0);
    await expect(switcher.getByRole('option', { name: /^Provisioned/ })).toHaveCount(1);
  });

  expect(dialogs, 'no alert, confirm or prompt may open').toEqual([]);
});
