// The client's outcome hook: what the console's connection state is built from. Each public call or batch reports
// once how it ended, whatever retries happened inside it.
import { afterEach, describe, expect, it } from 'vitest';
import { createBitrix24Client } from './client.ts';
import { isBitrix24Error } from './errors.ts';
import { answer, type StubPortal, startStubPortal } from './testing/stub-portal.ts';
import type { ClientOutcome } from './types.ts';

let portal: StubPortal | null = null;
afterEach(async () => {
  await portal?.close();
  portal = null;
});

function outcomeCodes(outcomes: ClientOutcome[]): string[] {
  return outcomes.map((outcome) => (outcome.ok ? 'ok' : isBitrix24Error(outcome.error) ? outcome.error.code : 'other'));
}

describe('the client outcome hook', () => {
  it('reports an answer, a portal refusal and a stopped batch once each', async () => {
    portal = await startStubPortal((request, res) => {
      if (request.method === 'profile') return answer(res, 200, { result: { ID: '1' }, time: {} });
      if (request.method === 'batch') return answer(res, 401, { error: 'INVALID_CREDENTIALS', error_description: '' });
      return answer(res, 400, { error: 'ACCESS_DENIED', error_description: 'Access denied' });
    });
    const outcomes: ClientOutcome[] = [];
    const client = createBitrix24Client({
      credentials: { kind: 'webhook', webhookUrl: portal.webhookUrl },
      onOutcome: (outcome) => outcomes.push(outcome),
    });
    await client.call('profile');
    await expect(client.call('imopenlines.config.list.get')).rejects.toMatchObject({ code: 'ACCESS_DENIED' });
    const report = await client.batch([{ key: 'a', method: 'imopenlines.dialog.get', params: { CHAT_ID: 1 } }]);
    expect(report.stoppedBy?.code).toBe('INVALID_CREDENTIALS');
    expect(outcomeCodes(outcomes)).toEqual(['ok', 'ACCESS_DENIED', 'INVALID_CREDENTIALS']);
  });

  it('reports a portal that cannot be reached as unreachable, after the retries inside the call', async () => {
    portal = await startStubPortal((_request, res) => answer(res, 200, { result: true }));
    const { webhookUrl } = portal;
    await portal.close();
    portal = null;
    const outcomes: ClientOutcome[] = [];
    const client = createBitrix24Client({
      credentials: { kind: 'webhook', webhookUrl },
      requestTimeoutMs: 2_000,
      onOutcome: (outcome) => outcomes.push(outcome),
    });
    await expect(client.call('profile', {}, { idempotent: true })).rejects.toMatchObject({ category: 'unreachable' });
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]).toMatchObject({ ok: false, error: { category: 'unreachable' } });
  });
});
