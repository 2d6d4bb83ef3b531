// Bulk restarts from the console: choosing the chats (table selection, every matching chat, a pasted list with
// bad lines), the preview, the run with its progress and the Rate limits panel, pause and resume, stops with
// their banners, retry of the failed chats, and the CSV export. Runs on its own demo portal (in this process, so
// the spec reads its counters and sets its faults) behind `openlines serve`.
import { readFile } from 'node:fs/promises';
import { test as base, expect, type Page } from '@playwright/test';
import type { DemoPortal } from '../app/demo-portal/types.ts';
import {
  type BulkHost,
  bulkRegions,
  inaccessibleChatIds,
  makeHome,
  openBulkConsole,
  removeHome,
  sessionStarts,
  startBulkHost,
  startBulkPortal,
} from './bulk-harness.ts';

type Worker = { bulk: { portal: DemoPortal; host: BulkHost } };

const test = base.extend<{ consolePage: Page }, Worker>({
  bulk: [
    // biome-ignore lint/correctness/noEmptyPattern: Playwright requires the fixtures argument to be destructured.
    async ({}, use) => {
      const portal = await startBulkPortal({ chats: 150 });
      const home = await makeHome();
      const host = await startBulkHost(portal, home);
      await use({ portal, host });
      await host.stop();
      await portal.close();
      await removeHome(home);
    },
    { scope: 'worker', timeout: 90_000 },
  ],
  consolePage: async ({ page, bulk }, use) => {
    bulk.portal.setFaults({});
    await openBulkConsole(page, bulk.host.url);
    await use(page);
    bulk.portal.setFaults({});
  },
});

const CHATS_TABLE = { name: 'Open-line chats' } as const;

/** The chat ids of the first `count` rows of the chats table, ticking each row's checkbox. */
async function selectFirstRows(page: Page, count: number): Promise<number[]> {
  const rows = page
    .getByRole('table', CHATS_TABLE)
    .getByRole('row')
    .filter({ has: page.getByRole('cell') });
  const ids: number[] = [];
  for (let index = 0; index < count; index++) {
    const row = rows.nth(index);
    const chat = await row.getByRole('button', { name: /^Open chat \d+$/ }).textContent();
    ids.push(Number(chat));
    await row.getByRole('checkbox', { name: `Select chat ${Number(chat)}` }).check();
  }
  await expect(page.getByText(`${count} selected`, { exact: true })).toBeVisible();
  return ids;
}

test.describe('bulk restart', () => {
  test('restarts the chats selected in the table after a preview, with progress, rate limits and a CSV', async ({
    consolePage: page,
    bulk,
  }) => {
    const { dialog, run, limits, progress } = bulkRegions(page);
    await expect(limits.getByRole('meter', { name: 'Request bucket' })).toBeVisible();
    const chatIds = await selectFirstRows(page, 4);
    const before = sessionStarts(bulk.portal, chatIds);

    await page.getByRole('button', { name: 'Restart selected', exact: true }).click();
    await expect(dialog).toBeVisible();
    await expect(dialog.getByText('4 selected chats.')).toBeVisible();
    await expect(dialog.getByRole('radio', { name: 'Restart', exact: true })).toBeChecked();
    const preview = dialog.getByRole('status', { name: 'Run preview' });
    await expect(preview).toContainText(/Chats\s*4/);
    await expect(preview).toContainText(/ModeRestart sessions/);
    await expect(preview).toContainText(/Requests\s*[1-9]/);
    await expect(preview).toContainText(/Expected duration(under 1 s|about .+)/);
    // Nothing went to the portal before the confirmation.
    expect(sessionStarts(bulk.portal, chatIds)).toEqual(before);

    await dialog.getByRole('button', { name: 'Start run' }).click();
    await expect(dialog).toBeHidden();
    await expect(progress).toBeVisible();
    await expect(progress).toHaveAttribute('aria-valuetext', /^4 of 4 chats done/);
    await expect(run.getByRole('status')).toContainText('Finished');
    await expect(run.getByRole('table', { name: 'Run results' }).getByRole('row')).toHaveCount(5);

    // The portal opened exactly one new session on each chat.
    expect(sessionStarts(bulk.portal, chatIds)).toEqual(before.map((count) => count + 1));

    // The Rate limits panel followed the run: the start method's operating time and the requests chart.
    await expect(limits.getByRole('meter', { name: 'Operating time of imopenlines.session.start' })).toBeVisible();
    await expect(limits.getByRole('img', { name: 'Requests over the run' })).toHaveAccessibleDescription(
      /^[1-9][\d,]* requests? over/,
    );

    const download = page.waitForEvent('download');
    await run.getByRole('button', { name: 'Export CSV', exact: true }).click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/\.csv$/);
    const csv = await readFile(await file.path(), 'utf8');
    const [header, ...lines] = csv.trim().split(/\r?\n/);
    expect(header).toMatch(/^CHAT_ID,STATE/);
    expect(lines.map((line) => Number(line.split(',')[0])).sort()).toEqual([...chatIds].sort());
    for (const line of lines) expect(line).toMatch(/^\d+,(verified|started),/);

    // The audit log has the run.
    await expect(bulkRegions(page).history.getByRole('row')).not.toHaveCount(1);
  });

  test('lists bad lines, sends nothing until they are skipped, and retries only the failed chats', async ({
    consolePage: page,
    bulk,
  }) => {
    const { dialog, run, history } = bulkRegions(page);
    const { portal } = bulk;
    const groupChat = portal.groupChatIds()[0]!;
    const denied = inaccessibleChatIds(portal)[0]!;
    const valid = portal
      .chatIds()
      .filter((id) => portal.chat(id)?.accessible)
      .slice(-3);
    const text = [
      String(valid[0]),
      'abc',
      String(valid[1]),
      '-4',
      '0',
      '1.5',
      String(valid[0]),
      String(groupChat),
      String(denied),
      String(valid[2]),
    ].join('\n');
    const startsBefore = portal.counters.calls['imopenlines.session.start'] ?? 0;

    await page.getByRole('button', { name: 'Restart from a list…' }).click();
    await expect(dialog).toBeVisible();
    await dialog.getByRole('radio', { name: 'Start', exact: true }).check();
    await dialog.getByRole('textbox', { name: 'Chat IDs' }).fill(text);
    await dialog.getByRole('button', { name: 'Check the list' }).click();

    const badLines = dialog.getByRole('table', { name: 'Bad lines' });
    await expect(badLines.getByRole('row')).toHaveCount(5);
    for (const [line, input] of [
      [2, 'abc'],
      [4, '-4'],
      [5, '0'],
      [6, '1.5'],
    ] as const) {
      await expect(
        badLines.getByRole('row', { name: new RegExp(`^${line} ${input.replace('.', '\\.')} `) }),
      ).toBeVisible();
    }
    await expect(dialog.getByRole('alert')).toContainText('Nothing is sent unless you skip them');
    const preview = dialog.getByRole('status', { name: 'Run preview' });
    await expect(preview).toContainText(/Chats\s*5/);
    await expect(preview).toContainText(/Duplicates dropped\s*1/);
    await expect(dialog.getByRole('button', { name: 'Start run' })).toBeDisabled();
    expect(portal.counters.calls['imopenlines.session.start'] ?? 0).toBe(startsBefore);

    await dialog.getByRole('checkbox', { name: 'Skip the bad lines and run the valid chats' }).check();
    await expect(dialog.getByRole('button', { name: 'Start run' })).toBeEnabled();
    await dialog.getByRole('button', { name: 'Start run' }).click();
    await expect(dialog).toBeHidden();

    const progress = bulkRegions(page).progress;
    await expect(progress).toHaveAttribute('aria-valuetext', /^5 of 5 chats done/);
    await expect(run.getByRole('status')).toContainText('Finished with 2 failed chats');

    await run.getByRole('checkbox', { name: 'Failed only' }).check();
    const results = run.getByRole('table', { name: 'Run results' });
    await expect(results.getByRole('row')).toHaveCount(3);
    await expect(results.getByRole('row', { name: new RegExp(`^${groupChat} Failed CHAT_TYPE`) })).toBeVisible();
    await expect(results.getByRole('row', { name: new RegExp(`^${denied} Failed ACCESS`) })).toBeVisible();

    await run.getByRole('button', { name: 'Retry failed' }).click();
    await expect(run).toContainText('retries the failed chats of');
    await expect(progress).toHaveAttribute('aria-valuetext', /^2 of 2 chats done/);
    await expect(run.getByRole('status')).toContainText('Finished with 2 failed chats');
    await expect(history.getByRole('row', { name: /retry of/ })).toBeVisible();
  });

  test('pauses and resumes a run on every chat matching the filter', async ({ consolePage: page, bulk }) => {
    const { dialog, run, progress, limits } = bulkRegions(page);
    await page.getByRole('combobox', { name: 'Line' }).selectOption({ label: 'Telegram' });
    const matching = page.getByRole('button', { name: /^Restart all matching \(\d+\)$/ });
    const total = Number((await matching.textContent())?.match(/\((\d+)\)/)?.[1]);
    expect(total).toBeGreaterThan(10);
    bulk.portal.setFaults({ slowMs: SLOW_MS });

    await matching.click();
    await expect(dialog.getByText(`Every chat matching the current filters: ${total} chats.`)).toBeVisible();
    await expect(dialog.getByRole('status', { name: 'Run preview' })).toContainText(new RegExp(`Chats\\s*${total}`));
    await dialog.getByRole('button', { name: 'Start run' }).click();

    await expect(progress).toHaveAttribute('aria-valuetext', new RegExp(`^\\d+ of ${total} chats done`));
    await run.getByRole('button', { name: 'Pause' }).click();
    await expect(run.getByRole('status')).toContainText('Paused');
    await expect(run.getByRole('button', { name: 'Resume' })).toBeEnabled();
    await expect(run.getByRole('button', { name: 'Pause' })).toBeDisabled();
    const paused = await progress.getAttribute('aria-valuetext');
    expect(paused).not.toMatch(new RegExp(`^${total} of ${total}.*`));

    bulk.portal.setFaults({});
    await run.getByRole('button', { name: 'Resume' }).click();
    await expect(run.getByRole('button', { name: 'Pause' })).toBeFocused();
    await expect(progress).toHaveAttribute('aria-valuetext', new RegExp(`^${total} of ${total} chats done`));
    await expect(run.getByRole('status')).toContainText('Finished');
    await expect(limits.getByRole('img', { name: 'Requests over the run' })).toHaveAccessibleDescription(
      /^[1-9][\d,]* requests? over/,
    );
  });

  test('stops for authorization and for the portal, says what to do, and resumes once it is fixed', async ({
    consolePage: page,
    bulk,
  }) => {
    const { dialog, run, progress, limits } = bulkRegions(page);
    await selectFirstRows(page, 3);

    // The webhook's user is no longer known to the portal (a fired employee's webhook): USER_ID on every call.
    bulk.portal.setFaults({ unknownCaller: true });
    await page.getByRole('button', { name: 'Restart selected', exact: true }).click();
    await dialog.getByRole('radio', { name: 'Start', exact: true }).check();
    await expect(dialog.getByRole('status', { name: 'Run preview' })).toContainText(/ModeStart sessions/);
    await dialog.getByRole('button', { name: 'Start run' }).click();
    await expect(run.getByRole('alert')).toContainText('Stopped for authorization: fix the profile');
    await expect(run.getByRole('alert')).toContainText('USER_ID');

    bulk.portal.setFaults({});
    await run.getByRole('button', { name: 'Resume' }).click();
    await expect(progress).toHaveAttribute('aria-valuetext', /^3 of 3 chats done/);
    await expect(run.getByRole('status')).toContainText('Finished');
    await expect(run.getByRole('alert')).toBeEmpty();

    // The portal blocks the application: 503 OVERLOAD_LIMIT.
    await page.getByRole('button', { name: 'Clear selection' }).click();
    bulk.portal.setFaults({ overload: true });
    await selectFirstRows(page, 2);
    await page.getByRole('button', { name: 'Restart selected', exact: true }).click();
    await dialog.getByRole('button', { name: 'Start run' }).click();
    await expect(run.getByRole('alert')).toContainText(
      'Stopped by the portal (OVERLOAD_LIMIT): contact Bitrix24 support',
    );
    await expect(limits).toContainText('OVERLOAD_LIMIT');

    bulk.portal.setFaults({});
    await run.getByRole('button', { name: 'Resume' }).click();
    await expect(progress).toHaveAttribute('aria-valuetext', /^2 of 2 chats done/);
    await expect(run.getByRole('status')).toContainText('Finished');
  });
});

/** Extra milliseconds the portal takes to answer while a spec needs the run to be caught mid-way. */
const SLOW_MS = 700;
