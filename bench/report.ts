// The human-readable report: one table per section, ratios to the schedule-optimal time side by side.
import { type ChatListSection, chatListLines } from './chat-list-bench.ts';
import type { Row } from './measure.ts';
import type { OptimalSchedule } from './optimal.ts';
import type { RendererResult } from './renderer-bench.ts';
import { type RunTarget, runTargetLines } from './runs-bench.ts';

export interface EngineSection {
  chats: number;
  optimal: OptimalSchedule;
  rows: Row[];
}

export interface BulkSection {
  chats: number;
  /** The bulk run's own work: start and verify each chat. */
  optimal: OptimalSchedule;
  /** Starting alone, the reference of the other contenders. */
  optimalStartOnly: OptimalSchedule;
  rows: Row[];
}

export type RendererSection = RendererResult | { skipped: string };

const seconds = (ms: number): string => (ms >= 100_000 ? `${(ms / 1000).toFixed(0)} s` : `${(ms / 1000).toFixed(1)} s`);
const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;

function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: string[]): string =>
    cells
      .map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0)))
      .join('  ');
  return [line(headers), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
}

export function describeOptimal(optimal: OptimalSchedule, indent = '  '): string {
  const lines = [
    `${indent}schedule-optimal ${seconds(optimal.totalMs)} = max(bucket, operating) + tail; dominated by the ${optimal.dominant}`,
    `${indent}  bucket:    ${optimal.commands} commands → ≥ ${optimal.requests} requests (≤ 50 a batch, 60 s cut-off allows ${optimal.commandsPerRequest} of the heaviest) → max(0, ${optimal.requests} − 50 burst) / 2 per s = ${seconds(optimal.bucketMs)}`,
  ];
  for (const bound of optimal.operating) {
    lines.push(
      `${indent}  operating: ${bound.method} ${bound.calls} calls, ${bound.callsPerWindow} per window of ${seconds(optimal.windowMs)} → ${bound.windowsWaited} windows after the initial budget = ${seconds(bound.ms)}`,
    );
  }
  lines.push(`${indent}  tail:      the last call still runs on the portal = ${(optimal.tailMs / 1000).toFixed(3)} s`);
  return lines.join('\n');
}

function rowCells(row: Row): string[] {
  return [
    row.contender + (row.sample ? ' *' : ''),
    seconds(row.elapsedMs),
    row.ratio === null ? '—' : `${row.ratio.toFixed(2)}×`,
    String(row.requests),
    String(row.queryLimitHits),
    String(row.operatingLimitHits),
    String(row.failed),
    String(row.failedByLimits),
    String(row.doubled),
    row.target === undefined ? '' : row.target.met ? 'met' : `MISSED (${row.target.why.join('; ')})`,
  ];
}

const HEADERS = ['contender', 'time', 'ratio', 'requests', '503s', '429s', 'failed', 'by limits', 'doubled', 'target'];

function notes(rows: Row[]): string[] {
  const out: string[] = [];
  for (const row of rows) {
    for (const note of row.notes) out.push(`  ${row.contender}: ${note}`);
    if (row.sample) {
      out.push(
        `  * ${row.contender} is EXTRAPOLATED: ${row.sample.chats} chats measured in ${seconds(row.sample.elapsedMs)} (${row.sample.requests} requests), scaled to ${row.chats}`,
      );
    }
  }
  return out;
}

const ms = (value: number): string => `${value.toFixed(0)} ms`;
const ratio = (a: number, b: number): string => (b > 0 ? `${(a / b).toFixed(1)}×` : '—');

function rendererLines(result: RendererResult): string[] {
  const lines = [
    `  ${result.browser}. Each open is a fresh \`openlines serve --demo --chats N\` and browser context (no persisted cache);`,
    `  medians of ${result.repetitions} opens, and of the keystrokes "${result.keystrokes}" typed into "Search chats" in each. One frame = ${result.frameMs.toFixed(1)} ms (measured).`,
    '  data → first rows: the chats answer reaches the page → the frame showing the first rows (decode: answer parsed and validated).',
    '  keystroke → repaint: keydown in the search box → the frame showing the filtered rows.',
    '',
  ];
  lines.push(
    ...table(
      ['chats', 'rows', 'in DOM', 'data → first rows', 'decode', 'keystroke → repaint', 'worst keystroke', 'JS heap'],
      result.cases.map((entry) => [
        String(entry.chats),
        String(entry.rows),
        String(entry.rowsInDom),
        `${ms(entry.firstRows.medianMs)} (${ms(entry.firstRows.minMs)}–${ms(entry.firstRows.maxMs)})`,
        ms(entry.decode.medianMs),
        `${ms(entry.filterRepaint.medianMs)} = ${ratio(entry.filterRepaint.medianMs, result.frameMs)} frame`,
        ms(entry.filterRepaint.maxMs),
        mib(entry.heapUsedBytes),
      ]),
    )
      .split('\n')
      .map((line) => `  ${line}`),
  );
  const [large, small] = result.cases;
  if (large && small) {
    lines.push(
      `  ${large.chats} vs ${small.chats} chats: data → first rows ${ratio(large.firstRows.medianMs, small.firstRows.medianMs)}, keystroke → repaint ${ratio(large.filterRepaint.medianMs, small.filterRepaint.medianMs)}, rows in DOM ${ratio(large.rowsInDom, small.rowsInDom)}, JS heap ${ratio(large.heapUsedBytes, small.heapUsedBytes)} (flat is 1.0×).`,
    );
  }
  return lines;
}

export function renderText(report: {
  timeScale: number;
  config: Record<string, unknown>;
  engine: EngineSection[];
  bulk: BulkSection | null;
  runTargets: RunTarget[] | null;
  chatList: ChatListSection | null;
  renderer: RendererSection | null;
  memory: { engineChats: number; rssBeforeBytes: number; peakRssBytes: number } | null;
  durationMs: number;
}): string {
  const out: string[] = [];
  out.push('Open Lines Console benchmark');
  out.push(
    `Portal: standard plan (bucket 50 burst, 2 requests/s, real time), imopenlines.session.start ${String(report.config.startCostSeconds)} s of server time, other calls ${String(report.config.readCostSeconds)} s, operating budget ${String(report.config.operatingLimitSeconds)} s per ${String(report.config.operatingWindowSeconds)} s window, batch billed per command.`,
  );
  out.push(
    `timeScale ${report.timeScale}: the operating window and every call's cost run ${report.timeScale}× faster (a ${String(report.config.operatingWindowSeconds)} s window passes in ${((Number(report.config.operatingWindowSeconds) / report.timeScale) * 1).toFixed(1)} s); the request bucket is never scaled. All times are real.`,
  );
  out.push(
    'Targets: within 1.15× of optimal, none failed by limits, none doubled. Failed/doubled are read from the portal.',
  );
  for (const section of report.engine) {
    out.push('');
    out.push(`Engine — start sessions on ${section.chats} chats (issue #2)`);
    out.push(describeOptimal(section.optimal));
    out.push('');
    out.push(table(HEADERS, section.rows.map(rowCells)));
    out.push(...notes(section.rows));
  }
  if (report.bulk) {
    const section = report.bulk;
    out.push('');
    out.push(`Bulk run — start ${section.chats} chats with journal and verification (issue #5)`);
    out.push(
      '  The bulk run must also confirm every start with imopenlines.dialog.get, so its optimal includes those reads:',
    );
    out.push(describeOptimal(section.optimal, '    '));
    out.push('  Starting alone (the work the other contenders do):');
    out.push(describeOptimal(section.optimalStartOnly, '    '));
    out.push('  Ratios: bulk run against the start+verify optimal; the others against the start-only optimal.');
    out.push('');
    out.push(table(HEADERS, section.rows.map(rowCells)));
    out.push(...notes(section.rows));
  }
  if (report.runTargets) {
    out.push('');
    out.push('Runs that cost what they must (issue #10)');
    out.push(...runTargetLines(report.runTargets));
  }
  if (report.chatList) {
    out.push('');
    out.push('Chat list — a portal with years of history (issue #10)');
    out.push(...chatListLines(report.chatList));
  }
  if (report.renderer) {
    out.push('');
    out.push('Renderer — the chats table in Chromium (issue #4)');
    if ('skipped' in report.renderer) out.push(`  skipped: ${report.renderer.skipped}`);
    else out.push(...rendererLines(report.renderer));
  }
  if (report.memory) {
    out.push('');
    out.push(
      `Memory: engine process peak RSS ${mib(report.memory.peakRssBytes)} during the ${report.memory.engineChats}-chat run (${mib(report.memory.rssBeforeBytes)} before it; the engine runs in its own process, the portal in the parent)`,
    );
  }
  out.push('');
  out.push(`Bench finished in ${seconds(report.durationMs)}.`);
  return out.join('\n');
}
