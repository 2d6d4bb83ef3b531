// `npm run bench [-- options]`: the engine, the bulk run, the chat list and the renderer against their schedule-optimal times and
// peer clients, on the local demo portal. `--json` prints the same results as one JSON object on stdout; progress
// always goes to stderr.
//
//   --json                  one JSON object on stdout, nothing else
//   --only engine,bulk,runs,chatlist,renderer   run only these sections (repeatable)
//   --chats N               engine chat counts (repeatable; default 1000 and 10000); also the bulk run's size
//   --bulk-chats N          the bulk run's size (default 10000)
//   --scale S               demo portal timeScale (default 100)
//   --naive-sample N        chats the naive loop really runs before extrapolating (default 150)
//   --skip-peers            leave out b24jssdk and the naive loop
//   --trace                 print the engine's request timeline to stderr (diagnosis)
//   --renderer-reps N       first opens per chat count in the renderer bench (default 5)
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runChatListBench } from './chat-list-bench.ts';
import { extrapolate, type Measured, measure, type Row } from './measure.ts';
import { type OptimalSchedule, optimalSchedule } from './optimal.ts';
import {
  type BenchPortalConfig,
  BUCKET,
  inaccessibleLines,
  START_METHOD,
  scheduleLimitsOf,
  VERIFY_METHOD,
} from './portal.ts';
import { runRendererBench } from './renderer-bench.ts';
import { type BulkSection, type EngineSection, type RendererSection, renderText } from './report.ts';
import { runRunTargets } from './runs-bench.ts';

const SECTIONS = ['engine', 'bulk', 'runs', 'chatlist', 'renderer'] as const;
type Section = (typeof SECTIONS)[number];
const TARGET_RATIO = 1.15;

function positiveInt(value: string, flag: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0) throw new Error(`${flag} takes a positive integer, not "${value}"`);
  return parsed;
}

function options() {
  const { values } = parseArgs({
    options: {
      json: { type: 'boolean', default: false },
      only: { type: 'string', multiple: true },
      chats: { type: 'string', multiple: true },
      'bulk-chats': { type: 'string' },
      scale: { type: 'string' },
      'naive-sample': { type: 'string' },
      'skip-peers': { type: 'boolean', default: false },
      trace: { type: 'boolean', default: false },
      'renderer-reps': { type: 'string' },
    },
    allowPositionals: false,
  });
  const only = new Set<Section>();
  for (const item of (values.only ?? []).flatMap((value) => value.split(','))) {
    if (!(SECTIONS as readonly string[]).includes(item))
      throw new Error(`--only takes ${SECTIONS.join(', ')}, not "${item}"`);
    only.add(item as Section);
  }
  const chats = (values.chats ?? []).map((value) => positiveInt(value, '--chats'));
  const scale = values.scale === undefined ? 100 : Number(values.scale);
  if (!(scale > 0)) throw new Error('--scale takes a positive number');
  return {
    json: values.json === true,
    sections: only.size > 0 ? only : new Set<Section>(SECTIONS),
    engineChats: chats.length > 0 ? chats : [1_000, 10_000],
    bulkChats:
      values['bulk-chats'] !== undefined
        ? positiveInt(values['bulk-chats'], '--bulk-chats')
        : chats.length > 0
          ? Math.max(...chats)
          : 10_000,
    timeScale: scale,
    naiveSample: values['naive-sample'] === undefined ? 150 : positiveInt(values['naive-sample'], '--naive-sample'),
    peers: values['skip-peers'] !== true,
    trace: values.trace === true,
    rendererReps: values['renderer-reps'] === undefined ? 5 : positiveInt(values['renderer-reps'], '--renderer-reps'),
  };
}

function judge(row: Row, optimal: OptimalSchedule): Row {
  const ratio = row.elapsedMs / optimal.totalMs;
  const why: string[] = [];
  if (ratio > TARGET_RATIO) why.push(`${ratio.toFixed(2)}× > ${TARGET_RATIO}×`);
  if (row.failedByLimits > 0) why.push(`${row.failedByLimits} failed by limits`);
  if (row.doubled > 0) why.push(`${row.doubled} doubled`);
  return { ...row, ratio, target: { met: why.length === 0, why } };
}

async function rendererSection(repetitions: number): Promise<RendererSection> {
  try {
    return await runRendererBench({ repetitions });
  } catch (error) {
    return { skipped: `the renderer bench failed: ${error instanceof Error ? error.message : String(error)}` };
  }
}

async function main(): Promise<void> {
  const opts = options();
  const began = performance.now();
  // With --json, stdout carries exactly one object: anything else printed on the way (a library's console.log)
  // goes to stderr.
  const writeStdout = process.stdout.write.bind(process.stdout);
  if (opts.json) process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;

  const config: BenchPortalConfig = {
    timeScale: opts.timeScale,
    startCostSeconds: 0.8,
    readCostSeconds: 0.05,
    operatingLimitSeconds: 480,
    operatingWindowSeconds: 600,
    seed: 1,
  };
  const limits = scheduleLimitsOf(config);
  const startOnly = (chats: number): OptimalSchedule =>
    optimalSchedule([{ method: START_METHOD, calls: chats, costSeconds: config.startCostSeconds }], limits);
  const startAndVerify = (chats: number): OptimalSchedule =>
    optimalSchedule(
      [
        { method: START_METHOD, calls: chats, costSeconds: config.startCostSeconds },
        { method: VERIFY_METHOD, calls: chats, costSeconds: config.readCostSeconds },
      ],
      limits,
    );

  const denied = await inaccessibleLines(config);
  const wantEngine = opts.sections.has('engine');
  const wantBulk = opts.sections.has('bulk');

  // Peers do the same work whatever section asks, so each is measured once per chat count and shared.
  const sdkRuns = new Map<number, Row>();
  const sdkRow = async (chats: number): Promise<Row> => {
    let row = sdkRuns.get(chats);
    if (!row) {
      row = (await measure({ config, denied, contender: 'sdk', label: 'b24jssdk batchByChunk', chats, tls: true })).row;
      sdkRuns.set(chats, row);
    }
    return row;
  };
  let naiveSample: Measured | undefined;
  const naiveRow = async (chats: number): Promise<Row> => {
    naiveSample ??= await measure({
      config,
      denied,
      contender: 'naive',
      label: 'naive single calls',
      chats: opts.naiveSample,
      job: { retryDelayMs: 1000 },
    });
    const optimal = startOnly(chats);
    const perWindow = optimal.operating[0]?.callsPerWindow ?? Number.POSITIVE_INFINITY;
    return extrapolate(naiveSample.row, naiveSample.result.trace ?? [], chats, perWindow, optimal.windowMs);
  };

  const engine: EngineSection[] = [];
  let memory: { engineChats: number; rssBeforeBytes: number; peakRssBytes: number } | null = null;
  if (wantEngine) {
    for (const chats of opts.engineChats) {
      const optimal = startOnly(chats);
      const rows: Row[] = [];
      rows.push({
        contender: 'schedule-optimal',
        chats,
        elapsedMs: optimal.totalMs,
        ratio: 1,
        requests: optimal.requests,
        failed: 0,
        failedByLimits: 0,
        doubled: 0,
        queryLimitHits: 0,
        operatingLimitHits: 0,
        notes: [],
      });
      const measured = await measure({
        config,
        denied,
        contender: 'engine',
        label: 'engine client.batch',
        chats,
        job: { trace: opts.trace },
      });
      rows.push(judge(measured.row, optimal));
      if (measured.row.peakRssBytes !== undefined && (memory === null || chats >= memory.engineChats)) {
        memory = {
          engineChats: chats,
          rssBeforeBytes: measured.row.rssBeforeBytes ?? 0,
          peakRssBytes: measured.row.peakRssBytes,
        };
      }
      if (opts.peers) {
        rows.push(judge(await naiveRow(chats), optimal));
        rows.push(judge(await sdkRow(chats), optimal));
      }
      engine.push({ chats, optimal, rows });
    }
  }

  let bulk: BulkSection | null = null;
  if (wantBulk) {
    const chats = opts.bulkChats;
    const optimal = startAndVerify(chats);
    const optimalStartOnly = startOnly(chats);
    const dataDir = await mkdtemp(path.join(tmpdir(), 'openlines-bench-'));
    try {
      const rows: Row[] = [
        {
          contender: 'schedule-optimal (start+verify)',
          chats,
          elapsedMs: optimal.totalMs,
          ratio: 1,
          requests: optimal.requests,
          failed: 0,
          failedByLimits: 0,
          doubled: 0,
          queryLimitHits: 0,
          operatingLimitHits: 0,
          notes: [],
        },
        {
          contender: 'schedule-optimal (start only)',
          chats,
          elapsedMs: optimalStartOnly.totalMs,
          ratio: optimalStartOnly.totalMs / optimal.totalMs,
          requests: optimalStartOnly.requests,
          failed: 0,
          failedByLimits: 0,
          doubled: 0,
          queryLimitHits: 0,
          operatingLimitHits: 0,
          notes: [],
        },
      ];
      const measured = await measure({
        config,
        denied,
        contender: 'bulk',
        label: 'console bulk run',
        chats,
        job: { dataDir },
      });
      rows.push(judge(measured.row, optimal));
      if (opts.peers) {
        rows.push(judge(await naiveRow(chats), optimalStartOnly));
        rows.push(judge(await sdkRow(chats), optimalStartOnly));
      }
      bulk = { chats, optimal, optimalStartOnly, rows };
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }

  const runTargets = opts.sections.has('runs') ? await runRunTargets() : null;
  const chatList = opts.sections.has('chatlist') ? await runChatListBench() : null;
  const renderer = opts.sections.has('renderer') ? await rendererSection(opts.rendererReps) : null;

  const report = {
    timeScale: config.timeScale,
    config: { ...config, plan: 'standard', bucket: BUCKET, batchBilling: 'per-command' },
    engine,
    bulk,
    runTargets,
    chatList,
    renderer,
    memory,
    durationMs: performance.now() - began,
  };
  if (opts.json) {
    writeStdout(`${JSON.stringify(report)}\n`);
  } else {
    writeStdout(`${renderText(report)}\n`);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
