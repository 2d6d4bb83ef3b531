// The console's bulk run through the app/core/runs API, exactly as the CLI and the desktop drive it: a journal in a
// throw-away data folder, fsynced before every request, and every new session confirmed (Session.list, else dialog.get).
import path from 'node:path';
import { createBitrix24Client } from '../../app/core/bitrix24/client.ts';
import { startRun } from '../../app/core/runs/index.ts';
import type { ContenderJob, ContenderResult } from '../protocol.ts';

export async function runBulk(job: ContenderJob): Promise<Omit<ContenderResult, 'rssBeforeBytes' | 'peakRssBytes'>> {
  if (job.dataDir === undefined) throw new Error('The bulk contender needs a data folder');
  const client = createBitrix24Client({
    credentials: { kind: 'webhook', webhookUrl: job.webhookUrl },
    plan: 'standard',
    operatingBudgetSeconds: job.operatingBudgetSeconds,
    ...(job.caCertificatePem === undefined ? {} : { caCertificatePem: job.caCertificatePem }),
  });
  const started = performance.now();
  const handle = await startRun(
    {
      client,
      runsDir: path.join(job.dataDir, 'runs'),
      profile: { id: null, name: 'bench' },
      plan: 'standard',
      operatingWindowSeconds: (job.operatingWindowSeconds ?? 600) / job.timeScale,
    },
    { chatIds: job.chatIds, mode: 'start' },
  );
  let lastLog = 0;
  const unsubscribe = handle.subscribe((progress) => {
    const now = performance.now();
    if (now - lastLog < 5000) return;
    lastLog = now;
    console.error(`  bulk: ${JSON.stringify(progress.counts)} after ${((now - started) / 1000).toFixed(1)} s`);
  });
  const summary = await handle.done;
  const elapsedMs = performance.now() - started;
  unsubscribe();
  const failures = summary.failed.map((failed) => ({ chatId: failed.chatId, code: failed.code }));
  const notes = [
    `run ${summary.status}${summary.reason === null ? '' : ` (${JSON.stringify(summary.reason)})`}: ${summary.started} started, ${summary.verified} verified, ${summary.alreadyActive} already active, ${summary.failed.length} failed, ${summary.skipped} skipped, ${summary.unfinished} unfinished; ${summary.limitHits} limit hits seen`,
  ];
  return {
    elapsedMs,
    clientRequests: summary.requests,
    failures,
    notes,
    summary: {
      status: summary.status,
      started: summary.started,
      verified: summary.verified,
      alreadyActive: summary.alreadyActive,
      skipped: summary.skipped,
      unfinished: summary.unfinished,
      limitHits: summary.limitHits,
      durationMs: summary.durationMs,
    },
  };
}
