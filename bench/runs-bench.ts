// What a verified bulk run costs where it must (issue #10), each measured side by side in this run:
// - verification nearly free: on a bucket-bound portal (cheap calls), the console's verified run against the
//   official SDK's unverified batchByChunk;
// - pacing on the operating budget: 2 s per 8 s window, 10 ms calls, `processing: 0` (as the docs' examples), the
//   console's run against the schedule-optimal floor, with the refusals it drew;
// - faults cost only what they must: 20 % answered 500s and 10 % connection resets against the same run fault-free.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DemoFaults } from '../app/demo-portal/types.ts';
import { type MeasureOptions, measure, type Row } from './measure.ts';
import { optimalSchedule } from './optimal.ts';
import {
  type BenchPortalConfig,
  inaccessibleLines,
  REQUEST_CUTOFF_SECONDS,
  START_METHOD,
  scheduleLimitsOf,
} from './portal.ts';

export interface RunTarget {
  title: string;
  /** How the ratio is formed, in words. */
  measure: string;
  rows: Row[];
  ratio: number;
  limit: number;
  met: boolean;
  notes: string[];
}

const CHEAP = 0.01;

async function bulkRow(config: BenchPortalConfig, chats: number, label: string, faults?: DemoFaults): Promise<Row> {
  const denied = await inaccessibleLines(config);
  const dataDir = await mkdtemp(path.join(tmpdir(), 'openlines-bench-'));
  try {
    const options: MeasureOptions = { config, denied, contender: 'bulk', label, chats, job: { dataDir } };
    return (await measure(faults ? { ...options, faults } : options)).row;
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

const exact = (rows: Row[]): string[] =>
  rows
    .filter((row) => row.failed > 0 || row.doubled > 0)
    .map((row) => `${row.contender}: ${row.failed} failed, ${row.doubled} doubled`);

async function verificationTarget(chats: number): Promise<RunTarget> {
  const config: BenchPortalConfig = {
    timeScale: 10,
    startCostSeconds: CHEAP,
    readCostSeconds: CHEAP,
    operatingLimitSeconds: 480,
    operatingWindowSeconds: 600,
    seed: 1,
  };
  const denied = await inaccessibleLines(config);
  const sdk = (
    await measure({ config, denied, contender: 'sdk', label: 'b24jssdk batchByChunk (unverified)', chats, tls: true })
  ).row;
  const bulk = await bulkRow(config, chats, 'console bulk run (verified)');
  const ratio = bulk.elapsedMs / sdk.elapsedMs;
  const wrong = exact([bulk]);
  return {
    title: `Verification nearly free — ${chats} chats on a bucket-bound portal (every call ${CHEAP} s)`,
    measure: 'console verified run ÷ b24jssdk unverified',
    rows: [sdk, bulk],
    ratio,
    limit: 1.1,
    met: ratio <= 1.1 && wrong.length === 0,
    notes: wrong,
  };
}

async function pacingTarget(chats: number): Promise<RunTarget> {
  const config: BenchPortalConfig = {
    timeScale: 1,
    startCostSeconds: CHEAP,
    readCostSeconds: CHEAP,
    operatingLimitSeconds: 2,
    operatingWindowSeconds: 8,
    seed: 1,
    zeroProcessing: true,
  };
  const floor = optimalSchedule([{ method: START_METHOD, calls: chats, costSeconds: CHEAP }], scheduleLimitsOf(config));
  const bulk = await bulkRow(config, chats, 'console bulk run');
  const ratio = bulk.elapsedMs / floor.totalMs;
  const refusals = bulk.operatingLimitHits;
  const wrong = exact([bulk]);
  return {
    title: `Pacing on the operating budget — ${chats} chats, ${config.operatingLimitSeconds} s per ${config.operatingWindowSeconds} s window, ${CHEAP * 1000} ms calls, processing 0`,
    measure: `console run ÷ the ${(floor.totalMs / 1000).toFixed(1)} s floor; refusals ≤ 10 % of chats`,
    rows: [bulk],
    ratio,
    limit: 1.2,
    met: ratio <= 1.2 && refusals <= chats * 0.1 && wrong.length === 0,
    notes: [
      `${refusals} OPERATION_TIME_LIMIT refusals (${((refusals / chats) * 100).toFixed(1)} % of chats)`,
      ...wrong,
    ],
  };
}

async function faultTarget(chats: number): Promise<RunTarget> {
  const config: BenchPortalConfig = {
    timeScale: 1,
    startCostSeconds: CHEAP / 2,
    readCostSeconds: CHEAP / 2,
    operatingLimitSeconds: 480,
    operatingWindowSeconds: 600,
    seed: 1,
  };
  const clean = await bulkRow(config, chats, 'console bulk run, no faults');
  const faulty = await bulkRow(config, chats, 'console bulk run, 20 % 500s + 10 % resets', {
    errorAfterRate: 0.2,
    resetAfterRate: 0.1,
    seed: 11,
  });
  const bound = clean.elapsedMs + REQUEST_CUTOFF_SECONDS * 1000;
  const ratio = faulty.elapsedMs / bound;
  const wrong = exact([clean, faulty]);
  return {
    title: `Faults cost only what they must — ${chats} cheap chats, 20 % answered 500s, 10 % connection resets`,
    measure: `faulty run ÷ (fault-free run + the ${REQUEST_CUTOFF_SECONDS} s cut-off); target 1.25×`,
    rows: [clean, faulty],
    ratio,
    limit: 1.25,
    met: ratio <= 1.25 && wrong.length === 0,
    notes: wrong,
  };
}

export async function runRunTargets(): Promise<RunTarget[]> {
  return [await verificationTarget(5_000), await pacingTarget(1_000), await faultTarget(2_000)];
}

export function runTargetLines(targets: readonly RunTarget[]): string[] {
  const out: string[] = [];
  for (const target of targets) {
    out.push(`  ${target.title}`);
    for (const row of target.rows) {
      out.push(
        `    ${row.contender.padEnd(44)} ${(row.elapsedMs / 1000).toFixed(1).padStart(7)} s  ${String(row.requests).padStart(5)} requests  ${row.failed} failed  ${row.doubled} doubled`,
      );
    }
    out.push(
      `    ${target.measure}: ${target.ratio.toFixed(2)}× (≤ ${target.limit}×) — ${target.met ? 'met' : 'MISSED'}`,
    );
    for (const note of target.notes) out.push(`    ${note}`);
  }
  return out;
}
