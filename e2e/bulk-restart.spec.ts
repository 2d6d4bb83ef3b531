// Bulk restarts from the console: choosing the chats (table selection, every matching chat, a pasted list with
// bad lines), the preview, the run with its progress and the Rate limits panel, pause, resume and cancel, stops
// and holds with their banners, retry of the failed chats, the CSV export, and resume after the host was killed.
// Runs on its own demo portal (in this process, so the spec reads its counters and sets its faults) behind
// `openlines serve`.
import { readFile } from 'node:fs/promises';
import { test as base, expect, type Page, type TestInfo } from '@playwright/test';
import type { DemoPortal } from '../app/demo-portal/types.ts';
import {
  accessibleChatIds,
  type BulkHost,
  bulkRegions,
  inaccessibleChatIds,
  makeHome,
  openBulkConsole,
  removeHome,
  restartFromList,
  sessionStarts,
  startBulkHost,
  startBulkPortal,
} from './bulk-harness.ts';
import { saveScreenshot } from './fixtures/test.ts';

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

/**
 * Extra milliseconds the portal takes to answer while a spec needs the run caught mid-way: each step of a run
 * (read, close, start, confirm) then outlasts the clicks that pause it, even on a loaded machine.
 */
const SLOW_MS = 2_000;

/** The chat ids of the first `count` rows of the chats table, ticking each row's checkbox. */
async function selectFirstRows(page: Page, count: number): Promise<number[]> {
  const table = page.getByRole('table', CHATS_TABLE);
  await expect(table.getByRole('button', { name: /^Open chat \d+$/ }).nth(count - 1)).toBeVisible();
  // The ids read at once, then each ticked by its own name: a refresh of the list may reorder the rows meanwhile.
  const ids = (await table.getByRole('button', { name: /^Open chat \d+$/ }).allTextContents())
    .slice(0, count)
    .map(Number);
  for (const chat of ids) await table.getByRole('checkbox', { name: `Select chat ${chat}`, exact: true }).check();
  await expect(page.getByText(`${count} selected`, { exact: true })).toBeVisible();
  return ids;
}

/** A screenshot tall enough for the whole side column: the run panel and the Rate limits panel under it. */
async function saveSideColumnScreenshot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const viewport = page.viewportSize();
  await page.setViewportSize({ width: viewport?.width ?? 1400, height: 1600 });
  await expect(bulkRegions(page).limits).toBeInViewport();
  await saveScreenshot(page, testInfo, name);
  if (viewport) await page.setViewportSize(viewport);
}

/** The chat ids in the first column of the results table's rows whose state is `state`. */
async function resultIds(page: Page, state: string): Promise<number[]> {
  const rows = bulkRegions(page).results.getByRole('row', { name: new RegExp(`^\\d+ ${state}\\b`) });
  const ids: number[] = [];
  for (const row of await rows.all()) ids.push(Number(await row.getByRole('cell').first().textContent()));
  return ids;
}

test.describe('bulk restart', () => {
  test('restarts the chats selected in the table after a preview, with progress, rate limits and a CSV', async ({
    consolePage: page,
    bulk,
  }, testInfo) => {
    const { dialog, run, limits, progress, runStatus, results } = bulkRegions(page);
    await expect(limits.getByRole('meter', { name: 'Request bucket' })).toBeVisible();
    const chatIds = await selectFirstRows(page, 4);
    const before = sessionStarts(bulk.portal, chatIds);

    await page.getByRole('button', { name: 'Restart selected', exact: true }).click();
    await expect(dialog).toBeVisible();
    await expect(dialog.getByText('4 selected chats.')).toBeVisible();
    // The preview names what it acts on, and says whom the new sessions go to.
    const listed = dialog.getByRole('list', { name: 'Chats this run acts on' }).getByRole('listitem');
    await expect(listed).toHaveCount(4);
    for (const [index, chat] of chatIds.entries()) await expect(listed.nth(index)).toContainText(`Chat ${chat}`);
    // Start is the default, as in the CLI; restart closes first and hands every chat to the webhook's user.
    await expect(dialog.getByRole('radio', { name: 'Start', exact: true })).toBeChecked();
    await expect(dialog.getByRole('note')).toContainText('assigned to the user this portal connection signs in as');
    await dialog.getByRole('radio', { name: 'Restart', exact: true }).check();
    await expect(dialog.getByRole('note')).toContainText('not to its current operator');
    const preview = dialog.getByRole('status', { name: 'Run preview' });
    await expect(preview).toContainText(/Chats\s*4/);
    await expect(preview).toContainText(/ModeRestart sessions/);
    await expect(preview).toContainText(/Requests\s*[1-9]/);
    await expect(preview).toContainText(/Expected duration(under 1 s|about .+)/);
    await saveScreenshot(page, testInfo, 'bulk-dialog');
    // Nothing went to the portal before the confirmation.
    expect(sessionStarts(bulk.portal, chatIds)).toEqual(before);

    await dialog.getByRole('button', { name: 'Start run' }).click();
    await expect(dialog).toBeHidden();
    await expect(progress).toBeVisible();
    await expect(progress).toHaveAttribute('aria-valuetext', /^4 of 4 chats done/);
    await expect(runStatus).toContainText('Finished');
    await expect(results.getByRole('row')).toHaveCount(5);

    // The portal opened exactly one new session on each chat.
    expect(sessionStarts(bulk.portal, chatIds)).toEqual(before.map((count) => count + 1));
    // The table follows the run within seconds, not at its next 15 s refresh.
    const table = page.getByRole('table', CHATS_TABLE);
    for (const chat of chatIds) {
      const row = table
        .getByRole('row')
        .filter({ has: page.getByRole('button', { name: `Open chat ${chat}`, exact: true }) });
      await expect(row.getByRole('cell').nth(6)).toHaveText(String(bulk.portal.chat(chat)!.sessionId), {
        timeout: 6_000,
      });
    }

    // The Rate limits panel followed the run: the bucket against its capacity, the calls waiting, each method's
    // operating time against the budget with a countdown to its reset, and the requests chart.
    await expect(limits).toContainText(/Request bucket[\d.,]+ of \d+ · drains [\d.,]+\/s/);
    await expect(limits).toContainText(/Calls waiting\d+/);
    await expect(limits).toContainText(/503\/429 answers \(last 10 min\)\d+/);
    // Each method by what it is for, with its Bitrix24 name beside it.
    await expect(limits.getByRole('meter', { name: 'Operating time of Start session' })).toBeVisible();
    const startRow = limits.getByRole('row').filter({ hasText: 'imopenlines.session.start' });
    await expect(startRow.getByRole('rowheader')).toHaveText('Start sessionimopenlines.session.start');
    await expect(startRow).toContainText(/[\d.,]+ s of 480 s/);
    const countdown = startRow.getByRole('cell').last();
    await expect(countdown).toHaveText(/^in \d+:\d\d$/);
    const shown = await countdown.textContent();
    await expect(countdown).not.toHaveText(shown ?? '');
    await expect(limits.getByRole('img', { name: 'Requests over the run' })).toHaveAccessibleDescription(
      /^[1-9][\d,]* requests? over/,
    );
    await saveSideColumnScreenshot(page, testInfo, 'bulk-run-finished');

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

    // After a reload the panel still shows how the last run ended.
    await page.reload();
    await expect(bulkRegions(page).runStatus).toContainText('Finished');
    await expect(bulkRegions(page).progress).toHaveAttribute('aria-valuetext', /^4 of 4 chats done/);
  });

  test('lists bad lines, sends nothing until they are skipped, and retries only the failed chats', async ({
    consolePage: page,
    bulk,
  }) => {
    const { dialog, run, runStatus, results, progress } = bulkRegions(page);
    const { portal } = bulk;
    const groupChat = portal.groupChatIds()[0]!;
    const denied = inaccessibleChatIds(portal)[0]!;
    const valid = accessibleChatIds(portal).slice(-3);
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
    const callsBefore = { ...portal.counters.calls };

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
    // Nothing went to the portal: not a read, not a write.
    expect(portal.counters.calls).toEqual(callsBefore);

    await dialog.getByRole('checkbox', { name: 'Skip the bad lines and run the valid chats' }).check();
    await expect(dialog.getByRole('button', { name: 'Start run' })).toBeEnabled();
    await dialog.getByRole('button', { name: 'Start run' }).click();
    await expect(dialog).toBeHidden();

    await expect(progress).toHaveAttribute('aria-valuetext', /^3 of 5 chats done, 2 failed/);
    await expect(runStatus).toContainText('Finished with 2 failed chats');
    await expect(results.getByRole('row')).toHaveCount(6);

    await run.getByRole('checkbox', { name: 'Failed only' }).check();
    await expect(results.getByRole('row')).toHaveCount(3);
    // A group chat is no open-line dialog: the portal refuses its start (nothing is read before it).
    await expect(results.getByRole('row', { name: new RegExp(`^${groupChat} Failed CHAT_TYPE`) })).toBeVisible();
    await expect(results.getByRole('row', { name: new RegExp(`^${denied} Failed ACCESS`) })).toBeVisible();

    // Both were refused for the chat itself: a retry would fail the same way, so none is offered.
    const retry = run.getByRole('button', { name: 'Retry failed' });
    await expect(retry).toBeDisabled();
    await expect(retry).toHaveAccessibleDescription(/No failed chat can succeed on a retry/);
  });

  test('pauses, resumes and cancels a run on every chat matching the filter', async ({
    consolePage: page,
    bulk,
  }, testInfo) => {
    const { dialog, run, progress, limits, runStatus, results } = bulkRegions(page);
    const matching = page.getByRole('button', { name: /^Restart all matching \(\d+\)$/ });
    const everyChat = await matching.textContent();
    await page.getByRole('combobox', { name: 'Line' }).selectOption({ label: 'Telegram' });
    await expect(matching).not.toHaveText(everyChat ?? '');
    const total = Number((await matching.textContent())?.match(/\((\d+)\)/)?.[1]);
    expect(total).toBeGreaterThan(10);
    const allChats = bulk.portal.chatIds();
    const before = new Map(allChats.map((id) => [id, sessionStarts(bulk.portal, [id])[0]!]));
    bulk.portal.setFaults({ slowMs: SLOW_MS });

    await matching.click();
    await expect(dialog.getByText(`Every chat matching the current filters: ${total} chats.`)).toBeVisible();
    await expect(dialog.getByRole('status', { name: 'Run preview' })).toContainText(new RegExp(`Chats\\s*${total}`));
    await dialog.getByRole('button', { name: 'Start run' }).click();

    // Paused as soon as the run shows: its first reads are out, none of its writes.
    await expect(progress).toHaveAttribute('aria-valuetext', new RegExp(`^\\d+ of ${total} chats done`));
    await run.getByRole('button', { name: 'Pause' }).click();
    await expect(runStatus).toContainText('Paused');
    await expect(runStatus).toContainText('Nothing is sent until you resume the run.');
    await expect(run.getByRole('button', { name: 'Resume' })).toBeFocused();
    await expect(run.getByRole('button', { name: 'Pause' })).toBeDisabled();
    // No time left is promised while nothing is sent.
    await expect(progress).toHaveAttribute('aria-valuetext', new RegExp(`^\\d+ of ${total} chats done$`));
    expect(await progress.getAttribute('aria-valuetext')).not.toMatch(new RegExp(`^${total} of ${total}`));
    await expect(limits.getByRole('img', { name: 'Requests over the run' })).toHaveAccessibleDescription(
      /^[1-9][\d,]* requests? over/,
    );
    await saveSideColumnScreenshot(page, testInfo, 'bulk-run-paused-with-rate-limits');

    await run.getByRole('button', { name: 'Resume' }).click();
    await expect(run.getByRole('button', { name: 'Pause' })).toBeFocused();
    await expect(runStatus).not.toContainText('Paused');
    // Pause again from the keyboard, and cancel. How many writes left before the pause depends on how the engine
    // chunked them (the handlers tests pin a cancel with chats still unsent); the banner and results must agree.
    await page.keyboard.press('Enter');
    await expect(runStatus).toContainText('Paused');
    // Cancel asks once; "Keep running" leaves the run as it was.
    await run.getByRole('button', { name: 'Cancel', exact: true }).click();
    const confirm = run.getByRole('alertdialog', { name: /Cancel this run\?/ });
    await expect(confirm).toBeVisible();
    await confirm.getByRole('button', { name: 'Keep running' }).click();
    await expect(confirm).toBeHidden();
    await expect(runStatus).toContainText('Paused');
    await run.getByRole('button', { name: 'Cancel', exact: true }).click();
    await confirm.getByRole('button', { name: 'Cancel the run' }).click();
    await expect(runStatus).toContainText('Cancelled');
    await expect(runStatus).toContainText(/\d+ chats were not sent/);
    const notSent = Number((await runStatus.textContent())?.match(/(\d+) chats were not sent/)?.[1]);
    await expect(run.getByRole('button', { name: 'Resume' })).toBeDisabled();
    await expect(run.getByRole('button', { name: 'Cancel', exact: true })).toBeDisabled();
    // The bar does not call skipped chats done.
    await expect(progress).toHaveAttribute(
      'aria-valuetext',
      notSent > 0 ? new RegExp(`, ${notSent} skipped$`) : /^\d+ of \d+ chats done(, \d+ failed)?$/,
    );

    // The results hold every chat; what was never sent is skipped, and the portal never saw a start for it.
    await expect(results.getByRole('row')).toHaveCount(total + 1);
    // The rows may show the states before the cancel for a moment: wait for the results the banner speaks of.
    await expect(results.getByRole('row', { name: /^\d+ Skipped\b/ })).toHaveCount(notSent);
    const skipped = await resultIds(page, 'Skipped');
    expect(skipped).toHaveLength(notSent);
    const started = (id: number) => sessionStarts(bulk.portal, [id])[0]! - before.get(id)!;
    for (const id of skipped) expect(started(id)).toBe(0);
    for (const id of allChats) expect(started(id)).toBeLessThanOrEqual(1);
    await run.getByRole('checkbox', { name: 'Failed only' }).check();
    await expect(results.getByRole('row')).toHaveCount(1);
    await expect(run).toContainText('No chat failed.');
  });

  test('stops for authorization and for the portal, says what to do, and resumes once it is fixed', async ({
    consolePage: page,
    bulk,
  }) => {
    const { dialog, run, progress, limits, runStatus, runAlert } = bulkRegions(page);
    await selectFirstRows(page, 3);

    // The webhook's user is no longer known to the portal (a fired employee's webhook): USER_ID on every call.
    bulk.portal.setFaults({ unknownCaller: true });
    await page.getByRole('button', { name: 'Restart selected', exact: true }).click();
    await dialog.getByRole('radio', { name: 'Start', exact: true }).check();
    await expect(dialog.getByRole('status', { name: 'Run preview' })).toContainText(/ModeStart sessions/);
    await dialog.getByRole('button', { name: 'Start run' }).click();
    await expect(runAlert).toContainText('Stopped for authorization: fix the profile');
    await expect(runAlert).toContainText('USER_ID');

    bulk.portal.setFaults({});
    await run.getByRole('button', { name: 'Resume' }).click();
    await expect(progress).toHaveAttribute('aria-valuetext', /^3 of 3 chats done/);
    await expect(runStatus).toContainText('Finished');
    await expect(runAlert).toBeEmpty();

    // The portal blocks the application: 503 OVERLOAD_LIMIT.
    await page.getByRole('button', { name: 'Clear selection' }).click();
    const hitsBefore = Number((await limits.textContent())?.match(/503\/429 answers \(last 10 min\)(\d+)/)?.[1]);
    bulk.portal.setFaults({ overload: true });
    const chatIds = await selectFirstRows(page, 2);
    const before = sessionStarts(bulk.portal, chatIds);
    await page.getByRole('button', { name: 'Restart selected', exact: true }).click();
    await dialog.getByRole('radio', { name: 'Restart', exact: true }).check();
    await dialog.getByRole('button', { name: 'Start run' }).click();
    await expect(runAlert).toContainText('Stopped by the portal (OVERLOAD_LIMIT): contact Bitrix24 support');
    await expect(run.getByRole('button', { name: 'Resume' })).toBeEnabled();
    await expect(limits).toContainText('The portal refuses requests (OVERLOAD_LIMIT)');
    await expect(limits.getByRole('list')).toContainText('OVERLOAD_LIMIT');
    await expect(limits).not.toContainText(`503/429 answers (last 10 min)${hitsBefore}`);

    bulk.portal.setFaults({});
    await run.getByRole('button', { name: 'Resume' }).click();
    await expect(progress).toHaveAttribute('aria-valuetext', /^2 of 2 chats done/);
    await expect(runStatus).toContainText('Finished');
    expect(sessionStarts(bulk.portal, chatIds)).toEqual(before.map((count) => count + 1));
  });

  test('resumes a run after the host was killed mid-batch: each chat started exactly once', async ({ page, bulk }) => {
    const { portal } = bulk;
    const home = await makeHome();
    // The portal's 60 s request limit, scaled down but above SLOW_MS: a resume waits out a batch the portal may
    // still be running before it reads the chats back.
    const hostEnv = { OPENLINES_BULK_REQUEST_LIMIT_MS: '5000' };
    let host = await startBulkHost(portal, home, hostEnv);
    try {
      const chatIds = accessibleChatIds(portal).slice(0, 60);
      const before = sessionStarts(portal, chatIds);
      const startsBefore = portal.counters.calls['imopenlines.session.start'] ?? 0;
      await openBulkConsole(page, host.url);
      const regions = bulkRegions(page);
      await restartFromList(page, chatIds, 'Restart');
      // Each answer leaves the portal seconds after the method ran: a kill then loses the answers, not the work.
      portal.setFaults({ slowMs: SLOW_MS });
      await regions.dialog.getByRole('button', { name: 'Start run' }).click();
      await expect(regions.progress).toHaveAttribute(
        'aria-valuetext',
        new RegExp(`^\\d+ of ${chatIds.length} chats done, about \\d+ (s|min) left$`),
      );
      await expect
        .poll(() => portal.counters.calls['imopenlines.session.start'] ?? 0, { intervals: [20], timeout: 60_000 })
        .toBeGreaterThan(startsBefore);
      await host.kill();
      portal.setFaults({});

      host = await startBulkHost(portal, home, hostEnv);
      await openBulkConsole(page, host.url);
      const unfinished = bulkRegions(page).unfinished;
      await expect(unfinished).toContainText('Interrupted');
      await expect(unfinished).toContainText(`of ${chatIds.length} chats done`);
      await unfinished.getByRole('button', { name: 'Resume' }).click();
      await expect(regions.progress).toHaveAttribute(
        'aria-valuetext',
        `${chatIds.length} of ${chatIds.length} chats done`,
      );
      await expect(regions.runStatus).toContainText('Finished');
      await expect(unfinished).toBeHidden();
      expect(sessionStarts(portal, chatIds)).toEqual(before.map((count) => count + 1));
    } finally {
      portal.setFaults({});
      await host.stop();
      await removeHome(home);
    }
  });
});

test('pauses until the operating budget resets, shows the chats it closed waiting, and finishes by itself', async ({
  page,
}, testInfo) => {
  // 0.5 s of server time per start against a 10 s budget: 40 starts need two windows, 600 s scaled to 6 s each;
  // closing costs next to nothing, so a restart closes chats faster than it may start them again.
  const portal = await startBulkPortal({
    chats: 150,
    plan: 'enterprise',
    costSeconds: { 'imopenlines.session.start': 0.5, default: 0.001 },
    operatingLimitSeconds: 10,
    timeScale: 100,
  });
  const home = await makeHome();
  const host = await startBulkHost(portal, home);
  try {
    const chatIds = accessibleChatIds(portal)
      .filter((id) => (portal.chat(id)?.status ?? 60) < 60)
      .slice(0, 40);
    expect(chatIds).toHaveLength(40);
    await openBulkConsole(page, host.url);
    const { dialog, run, progress, runStatus, limits } = bulkRegions(page);
    await restartFromList(page, chatIds, 'Restart');
    await dialog.getByRole('button', { name: 'Start run' }).click();

    await expect(runStatus).toContainText(/Paused until \d\d:\d\d:\d\d for the operating budget/);
    await expect(runStatus).toContainText('the run continues by itself');
    // What is closed and not yet started again is said, with why it waits.
    await expect(
      run.getByText(/^\d+ chats are closed and waiting for their new session: paused until .* operating budget\.$/),
    ).toBeVisible();
    await saveSideColumnScreenshot(page, testInfo, 'bulk-run-operating-budget-hold');
    await expect(limits.getByRole('row').filter({ hasText: 'imopenlines.session.start' })).toContainText(
      /held until \d\d:\d\d:\d\d|in \d+:\d\d/,
    );
    await expect(progress).toHaveAttribute('aria-valuetext', '40 of 40 chats done');
    await expect(runStatus).toContainText('Finished');
    expect(sessionStarts(portal, chatIds)).toEqual(chatIds.map(() => 1));
  } finally {
    await host.stop();
    await portal.close();
    await removeHome(home);
  }
});
