// The console's engine: one client.batch call carrying a session.start command per chat. The engine chunks, paces
// against its client-side bucket and the per-method operating tracker, and re-sends only retryable failures.
import { createBitrix24Client } from '../../app/core/bitrix24/client.ts';
import type { BatchCommand } from '../../app/core/bitrix24/types.ts';
import { START_METHOD } from '../portal.ts';
import type { ContenderJob, ContenderResult } from '../protocol.ts';

export async function runEngine(job: ContenderJob): Promise<Omit<ContenderResult, 'rssBeforeBytes' | 'peakRssBytes'>> {
  const client = createBitrix24Client({
    credentials: { kind: 'webhook', webhookUrl: job.webhookUrl },
    plan: 'standard',
    operatingBudgetSeconds: job.operatingBudgetSeconds,
    ...(job.caCertificatePem === undefined ? {} : { caCertificatePem: job.caCertificatePem }),
  });
  const commands: BatchCommand[] = job.chatIds.map((chatId) => ({
    key: `s${chatId}`,
    method: START_METHOD,
    params: { CHAT_ID: chatId },
  }));
  let settled = 0;
  let lastLog = 0;
  const timeline: string[] = [];
  const at = (): string => ((performance.now() - started) / 1000).toFixed(2).padStart(7);
  const started = performance.now();
  const report = await client.batch(commands, {
    beforeSend: (chunk) => {
      if (!job.trace) return;
      const method = client.limits.snapshot().methods.find((entry) => entry.method === START_METHOD);
      const level = method === undefined ? 'unknown' : `${method.operatingSeconds.toFixed(0)} s`;
      const reset = method?.resetAt == null ? '' : `, reset in ${((method.resetAt - Date.now()) / 1000).toFixed(2)} s`;
      timeline.push(`${at()} send ${chunk.length} commands (level ${level}${reset})`);
    },
    onSettled: (outcomes) => {
      if (job.trace) {
        const bad = outcomes.filter((outcome) => outcome.status !== 'ok').length;
        timeline.push(`${at()} settled ${outcomes.length}${bad > 0 ? ` (${bad} not ok)` : ''}`);
      }
      settled += outcomes.length;
      const now = performance.now();
      if (now - lastLog > 5000) {
        lastLog = now;
        console.error(`  engine: ${settled}/${commands.length} settled after ${((now - started) / 1000).toFixed(1)} s`);
      }
    },
  });
  const elapsedMs = performance.now() - started;
  if (job.trace) console.error(`  engine request timeline (s since the first request):\n${timeline.join('\n')}`);
  const failures: ContenderResult['failures'] = [];
  for (const [key, outcome] of report.outcomes) {
    const chatId = Number(key.slice(1));
    if (outcome.status === 'failed') failures.push({ chatId, code: outcome.error.code });
    else if (outcome.status === 'not-sent') failures.push({ chatId, code: `not-sent:${outcome.reason.code}` });
  }
  const notes: string[] = [];
  if (report.stoppedBy) notes.push(`stopped by ${report.stoppedBy.code}`);
  const hits = client.limits.snapshot().recentHits;
  if (hits.length > 0) notes.push(`limit hits seen by the client: ${hits.length}`);
  return { elapsedMs, clientRequests: report.requests, failures, notes };
}
