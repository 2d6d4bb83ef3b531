// The official JS SDK, @bitrix24/b24jssdk 2.2.0: a B24Hook built from the webhook URL (its Node-side webhook entry
// point) and `actions.v2.batchByChunk` with the SDK's defaults (standard-plan restriction params, halt on error).
// The SDK refuses plain http, so the portal serves https with a self-signed certificate and the SDK's axios
// instance is given an https agent that trusts exactly that certificate.
import https from 'node:https';
import { ApiVersion, B24Hook, ParamsFactory } from '@bitrix24/b24jssdk';
import { START_METHOD } from '../portal.ts';
import type { ContenderJob, ContenderResult } from '../protocol.ts';

function errorCode(error: Error): string {
  const record = error as Error & { code?: unknown; answerError?: { error?: unknown } };
  if (typeof record.answerError?.error === 'string' && record.answerError.error !== '') return record.answerError.error;
  if (typeof record.code === 'string' && record.code !== '') return record.code;
  return error.name || 'ERROR';
}

export async function runSdk(job: ContenderJob): Promise<Omit<ContenderResult, 'rssBeforeBytes' | 'peakRssBytes'>> {
  if (job.caCertificatePem === undefined) throw new Error('The SDK contender needs the portal over https');
  const b24 = B24Hook.fromWebhookUrl(job.webhookUrl, { restrictionParams: ParamsFactory.getDefault() });
  b24.offClientSideWarning();
  const agent = new https.Agent({ ca: job.caCertificatePem, keepAlive: true });
  for (const version of [ApiVersion.v2, ApiVersion.v3])
    b24.getHttpClient(version).ajaxClient.defaults.httpsAgent = agent;

  const calls = job.chatIds.map((chatId): [string, Record<string, unknown>] => [START_METHOD, { CHAT_ID: chatId }]);
  const failures: ContenderResult['failures'] = [];
  const notes: string[] = [];
  const started = performance.now();
  try {
    const result = await b24.actions.v2.batchByChunk.make({ calls });
    for (const error of result.getErrors()) failures.push({ chatId: null, code: errorCode(error) });
    notes.push(`batchByChunk returned ${result.getData()?.length ?? 0} successful rows and ${failures.length} errors`);
  } catch (error) {
    const code = error instanceof Error ? errorCode(error) : String(error);
    failures.push({ chatId: null, code });
    notes.push(`batchByChunk threw ${code}; the remaining chunks were never sent`);
  }
  const elapsedMs = performance.now() - started;
  const stats = b24.getHttpClient(ApiVersion.v2).getStats();
  agent.destroy();
  return { elapsedMs, clientRequests: stats.totalRequests, failures, notes };
}
