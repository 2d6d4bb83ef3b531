// Naive sequential single calls: one imopenlines.session.start per chat, one after another, no client-side limiter;
// a 503 or 429 is retried after a fixed delay until it goes through. The benchmark runs it on a sample and
// extrapolates (at 2 requests/s, 10,000 chats take more than 80 minutes).
import { setTimeout as sleep } from 'node:timers/promises';
import { START_METHOD } from '../portal.ts';
import type { ChatTrace, ContenderJob, ContenderResult } from '../protocol.ts';

const MAX_ATTEMPTS = 1_000;

export async function runNaive(job: ContenderJob): Promise<Omit<ContenderResult, 'rssBeforeBytes' | 'peakRssBytes'>> {
  const retryDelayMs = job.retryDelayMs ?? 1000;
  const url = `${job.webhookUrl}${START_METHOD}`;
  const failures: ContenderResult['failures'] = [];
  const trace: ChatTrace[] = [];
  let requests = 0;
  const started = performance.now();
  for (const chatId of job.chatIds) {
    let spent = 0;
    for (let attempt = 1; ; attempt++) {
      requests++;
      spent++;
      let status = 0;
      let code = '';
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ CHAT_ID: chatId }),
        });
        status = response.status;
        const body = (await response.json()) as { error?: unknown };
        code = typeof body.error === 'string' ? body.error : '';
      } catch (error) {
        code = error instanceof Error ? error.name : 'NETWORK_ERROR';
      }
      if (status === 200 && code === '') break;
      if ((status === 503 || status === 429) && attempt < MAX_ATTEMPTS) {
        await sleep(retryDelayMs);
        continue;
      }
      failures.push({ chatId, code: code || `HTTP_${status}` });
      break;
    }
    trace.push({ chatId, doneAtMs: performance.now() - started, requests: spent });
    if (trace.length % 25 === 0) {
      console.error(
        `  naive: ${trace.length}/${job.chatIds.length} after ${((performance.now() - started) / 1000).toFixed(1)} s`,
      );
    }
  }
  return { elapsedMs: performance.now() - started, clientRequests: requests, failures, notes: [], trace };
}
