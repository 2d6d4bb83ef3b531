// The renderer in Chromium: how long 20,000 chats take from the moment their answer reaches the page to the first
// painted rows, and a search keystroke to the repainted table, side by side with 200 chats (virtualization should
// keep both flat) and with one frame. Each repetition is a first open: a fresh `openlines serve --demo` (so no
// persisted query cache paints rows before the data arrives) and a fresh browser context.
//
// The clock is the page's own (performance.now, event.timeStamp):
// - data arrival: the host's WebSocket message answering `chats.list` is dispatched to the page (an init script
//   listens on every socket ahead of the app and matches the answer to the request id);
// - first painted rows: a mutation observer sees the first data row in the table, then the frame that shows it is
//   painted (requestAnimationFrame, then a message: the task after the paint);
// - keystroke: the keydown event's timeStamp in the search box; repaint: the renderer's `chats:filter-painted` mark,
//   set after the frame that shows the filtered rows.
import { chromium, type Page } from '@playwright/test';
import { buildRenderer, rendererBuilt } from '../app/host/renderer-build.ts';
import { startConsoleHost } from '../e2e/fixtures/console-host.ts';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--headless',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
];
/** Typed into "Search chats" and erased again: narrowing and widening the 20,000 rows. */
const KEYS = ['S', 'c', 'h', 'm', 'Backspace', 'Backspace', 'Backspace', 'Backspace'] as const;
const LOAD_TIMEOUT_MS = 240_000;
const PAINT_TIMEOUT_MS = 30_000;

// Mirrors renderer/features/chats/chat-perf.ts (the renderer's tsconfig keeps its modules out of Node's).
const MARK = {
  answer: 'bench:chats-answer',
  rowsPainted: 'bench:rows-painted',
  dataArrived: 'chats:data-arrived',
  filterPainted: 'chats:filter-painted',
} as const;

export interface Stats {
  medianMs: number;
  minMs: number;
  maxMs: number;
  samples: number;
}

export interface RendererCase {
  chats: number;
  /** Data rows the table reports (aria-rowcount − 1): the chats the webhook user may see. */
  rows: number;
  /** Row elements in the DOM once painted: virtualization keeps this small whatever `rows` is. */
  rowsInDom: number;
  /** Socket message with the chats answer → first painted rows. */
  firstRows: Stats;
  /** Part of firstRows: socket message → answer parsed and validated by the bridge. */
  decode: Stats;
  /** keydown in the search box → the frame that shows the filtered rows. */
  filterRepaint: Stats;
  /** JS heap in use after a forced GC, rows painted (the last repetition). */
  heapUsedBytes: number;
}

export interface RendererResult {
  browser: string;
  repetitions: number;
  keystrokes: string;
  /** Median interval between animation frames in this browser: one frame. */
  frameMs: number;
  cases: RendererCase[];
}

export interface RendererBenchOptions {
  /** The large and the reference chat counts. */
  chats?: readonly number[];
  repetitions?: number;
  log?: (line: string) => void;
}

function stats(samples: readonly number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const medianMs =
    sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
  return { medianMs, minMs: sorted[0] ?? 0, maxMs: sorted.at(-1) ?? 0, samples: sorted.length };
}

/**
 * Runs in the page before the app: marks when the socket answer to the first `chats.list` request is dispatched,
 * and when the frame that first shows a data row of the chats table has been painted.
 */
function instrumentPage(marks: { answer: string; rowsPainted: string }): void {
  const observer = new MutationObserver(() => {
    if (performance.getEntriesByName(marks.answer, 'mark').length === 0) return;
    if (document.querySelector('[role="table"] [role="row"] [role="cell"]') === null) return;
    observer.disconnect();
    requestAnimationFrame(() => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => performance.mark(marks.rowsPainted);
      channel.port2.postMessage(null);
    });
  });
  observer.observe(document, { childList: true, subtree: true });
  const pendingIds = new Set<number>();
  const Native = window.WebSocket;
  const send = Native.prototype.send;
  Native.prototype.send = function (this: WebSocket, data) {
    if (typeof data === 'string' && data.includes('"channel":"chats.list"')) {
      const id = /"id":(\d+)/.exec(data)?.[1];
      if (id !== undefined) pendingIds.add(Number(id));
    }
    return send.call(this, data);
  };
  class MeasuredWebSocket extends Native {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      // Added before the app's own listener, so it runs first for each message.
      this.addEventListener('message', (event: MessageEvent) => {
        if (pendingIds.size === 0 || typeof event.data !== 'string') return;
        const id = /^\{"id":(\d+),/.exec(event.data.slice(0, 32))?.[1];
        if (id === undefined || !pendingIds.has(Number(id))) return;
        pendingIds.clear();
        if (performance.getEntriesByName(marks.answer, 'mark').length === 0) performance.mark(marks.answer);
      });
    }
  }
  window.WebSocket = MeasuredWebSocket;
  const keyed = window as unknown as { benchKeydownAt?: number };
  addEventListener(
    'keydown',
    (event) => {
      keyed.benchKeydownAt = event.timeStamp;
    },
    true,
  );
}

async function frameInterval(page: Page): Promise<number> {
  return page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        const times: number[] = [];
        const tick = (time: number) => {
          times.push(time);
          if (times.length < 61) requestAnimationFrame(tick);
          else {
            const deltas = times
              .slice(1)
              .map((t, i) => t - (times[i] ?? t))
              .sort((a, b) => a - b);
            resolve(deltas[Math.floor(deltas.length / 2)] ?? 0);
          }
        };
        requestAnimationFrame(tick);
      }),
  );
}

interface Repetition {
  firstRowsMs: number;
  decodeMs: number;
  keystrokesMs: number[];
  rows: number;
  rowsInDom: number;
  heapUsedBytes: number;
  frameMs: number;
}

async function repetition(
  browser: Awaited<ReturnType<typeof chromium.launch>>,
  chats: number,
  measureHeap: boolean,
): Promise<Repetition> {
  const host = await startConsoleHost({ chats });
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  try {
    const page = await context.newPage();
    // tsx compiles with keepNames, which wraps named functions in __name(); the page must know it too.
    await page.addInitScript({ content: 'globalThis.__name = (target) => target;' });
    await page.addInitScript(instrumentPage, { answer: MARK.answer, rowsPainted: MARK.rowsPainted });
    await page.goto(host.url);
    await page.waitForFunction((name) => performance.getEntriesByName(name, 'mark').length > 0, MARK.rowsPainted, {
      timeout: LOAD_TIMEOUT_MS,
      polling: 100,
    });
    const marks = await page.evaluate((names) => {
      const at = (name: string) => performance.getEntriesByName(name, 'mark')[0]?.startTime ?? Number.NaN;
      return { answer: at(names.answer), dataArrived: at(names.dataArrived), rowsPainted: at(names.rowsPainted) };
    }, MARK);
    if (!Number.isFinite(marks.answer) || !Number.isFinite(marks.dataArrived)) {
      throw new Error('rows were painted before the chats answer arrived (a persisted cache?)');
    }
    const table = page.getByRole('table', { name: 'Open-line chats' });
    const rows = Number(await table.getAttribute('aria-rowcount')) - 1;
    const rowsInDom = (await table.getByRole('row').count()) - 1;
    const frameMs = await frameInterval(page);

    let heapUsedBytes = 0;
    if (measureHeap) {
      const cdp = await context.newCDPSession(page);
      await cdp.send('HeapProfiler.collectGarbage');
      heapUsedBytes = (await cdp.send('Runtime.getHeapUsage')).usedSize;
      await cdp.detach();
    }

    const search = page.getByRole('searchbox', { name: 'Search chats' });
    await search.focus();
    const keystrokesMs: number[] = [];
    for (const key of KEYS) {
      await page.evaluate((name) => {
        performance.clearMarks(name);
        (window as unknown as { benchKeydownAt?: number }).benchKeydownAt = undefined;
      }, MARK.filterPainted);
      await page.keyboard.press(key);
      const handle = await page.waitForFunction(
        (name) => {
          const painted = performance.getEntriesByName(name, 'mark')[0];
          const keydownAt = (window as unknown as { benchKeydownAt?: number }).benchKeydownAt;
          return painted !== undefined && keydownAt !== undefined ? painted.startTime - keydownAt : null;
        },
        MARK.filterPainted,
        { timeout: PAINT_TIMEOUT_MS, polling: 50 },
      );
      keystrokesMs.push((await handle.jsonValue()) as number);
      await handle.dispose();
    }
    return {
      firstRowsMs: marks.rowsPainted - marks.answer,
      decodeMs: marks.dataArrived - marks.answer,
      keystrokesMs,
      rows,
      rowsInDom,
      heapUsedBytes,
      frameMs,
    };
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    // The host's output tells a missing build or a failed portal apart; the address line holds the token.
    const hostLog = host
      .log()
      .split('\n')
      .filter((line) => !line.includes('#token='))
      .slice(-5)
      .join('\n');
    throw new Error(`${chats} chats: ${why.split('\n')[0]}${hostLog === '' ? '' : `\n${hostLog}`}`);
  } finally {
    await context.close();
    await host.stop();
  }
}

export async function runRendererBench(options: RendererBenchOptions = {}): Promise<RendererResult> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  // Seeded chats: about half are in the working view (open, or closed in the last two days), so the table holds
  // about 20,000 and 200 rows.
  const counts = options.chats ?? [42_000, 420];
  const repetitions = options.repetitions ?? 5;
  if (!rendererBuilt()) {
    log('• renderer: dist/renderer is missing, building it (npm run build)');
    await buildRenderer();
  }
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  try {
    const cases: RendererCase[] = [];
    const frames: number[] = [];
    for (const chats of counts) {
      log(`• renderer: ${chats} chats in Chromium, ${repetitions} first opens`);
      const runs: Repetition[] = [];
      for (let index = 0; index < repetitions; index++) {
        const run = await repetition(browser, chats, index === repetitions - 1);
        runs.push(run);
        frames.push(run.frameMs);
        log(
          `  renderer: ${chats} chats, open ${index + 1}: first rows ${run.firstRowsMs.toFixed(0)} ms, keystrokes ${run.keystrokesMs.map((ms) => ms.toFixed(0)).join('/')} ms`,
        );
      }
      const last = runs.at(-1) as Repetition;
      cases.push({
        chats,
        rows: last.rows,
        rowsInDom: last.rowsInDom,
        firstRows: stats(runs.map((run) => run.firstRowsMs)),
        decode: stats(runs.map((run) => run.decodeMs)),
        filterRepaint: stats(runs.flatMap((run) => run.keystrokesMs)),
        heapUsedBytes: last.heapUsedBytes,
      });
    }
    return {
      browser: `Chromium ${browser.version()}, headless, --disable-gpu`,
      repetitions,
      keystrokes: KEYS.map((key) => (key.length === 1 ? key : `⌫`)).join(''),
      frameMs: stats(frames).medianMs,
      cases,
    };
  } finally {
    await browser.close();
  }
}
