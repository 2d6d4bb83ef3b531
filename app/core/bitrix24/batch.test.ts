// Batch against a scripted portal: one outcome per command, only commands that provably did not run are sent
// again, unknown fates are settled by reading state, and chunks shrink to keep requests short.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { createBitrix24Client } from './client.ts';
import type { Bitrix24Error } from './errors.ts';
import { answer, batchAnswer, batchCommands, type StubPortal, startStubPortal } from './testing/stub-portal.ts';
import type { BatchCommand, CommandOutcome } from './types.ts';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()?.();
});

async function stub(handler: Parameters<typeof startStubPortal>[0]): Promise<StubPortal> {
  const portal = await startStubPortal(handler);
  cleanup.push(() => portal.close());
  return portal;
}

const starts = (ids: number[]): BatchCommand[] =>
  ids.map((id) => ({ key: `s${id}`, method: 'imopenlines.session.start', params: { CHAT_ID: id } }));

function sentKeys(portal: StubPortal): string[][] {
  return portal.requests.filter((r) => r.method === 'batch').map((r) => Object.keys(batchCommands(r)));
}

function client(portal: StubPortal) {
  return createBitrix24Client({ credentials: { kind: 'webhook', webhookUrl: portal.webhookUrl } });
}

describe('batch', () => {
  it('reads PHP-shaped answers: [] sections, null or missing result_time entries, string ids', async () => {
    const portal = await stub((_request, res) =>
      answer(res, 200, {
        result: {
          result: { s1: true, s2: { chatId: '1763' } },
          result_error: [],
          result_total: [],
          result_next: [],
          result_time: { s1: null },
        },
        time: { start: '1.5', finish: 1.6, duration: '0.1' },
      }),
    );
    const report = await client(portal).batch(starts([1, 2]));
    expect(report.outcomes.get('s1')).toEqual({ key: 's1', status: 'ok', result: true });
    expect(report.outcomes.get('s2')).toMatchObject({ status: 'ok', result: { chatId: '1763' } });
    expect(report.requests).toBe(1);
    expect(portal.requests[0]?.body).toMatchObject({
      halt: 0,
      cmd: { s1: 'imopenlines.session.start?CHAT_ID=1', s2: 'imopenlines.session.start?CHAT_ID=2' },
    });
  });

  it('sends again only the commands that did not run, and fails the rest with their own reason', async () => {
    const portal = await stub((request, res, index) => {
      const keys = Object.keys(batchCommands(request));
      if (index === 0) {
        answer(
          res,
          200,
          batchAnswer({
            result: { s1: true },
            result_error: {
              s2: { error: 'OPERATION_TIME_LIMIT', error_description: 'blocked' },
              s4: { error: 'CHAT_ID', error_description: 'bad chat' },
              s5: { error: 'ERROR_BATCH_LENGTH_EXCEEDED' },
              s6: { error: 'QUERY_LIMIT_EXCEEDED' },
            },
          }),
        );
        return;
      }
      answer(res, 200, batchAnswer({ result: Object.fromEntries(keys.map((key) => [key, true])) }));
    });
    const report = await client(portal).batch(starts([1, 2, 3, 4, 5, 6]));
    const sent = sentKeys(portal);
    expect(sent[0]).toEqual(['s1', 's2', 's3', 's4', 's5']);
    const resent = sent.slice(1).flat();
    // s6 waited in the first chunk's queue; s3 was in neither section, so it never ran.
    expect(resent.sort()).toEqual(['s2', 's3', 's5', 's6']);
    expect(report.outcomes.get('s1')?.status).toBe('ok');
    expect(report.outcomes.get('s4')).toMatchObject({
      status: 'failed',
      error: { code: 'CHAT_ID', category: 'bad-input' },
    });
    for (const key of ['s2', 's3', 's5', 's6']) expect(report.outcomes.get(key)?.status).toBe('ok');
    expect(report.requests).toBe(sent.length);
  });

  it('sends a command the portal refuses inside batch on its own', async () => {
    const portal = await stub((request, res) => {
      if (request.method !== 'batch') {
        answer(res, 200, { result: 'single' });
        return;
      }
      answer(
        res,
        200,
        batchAnswer({ result: { a: true }, result_error: { b: { error: 'ERROR_BATCH_METHOD_NOT_ALLOWED' } } }),
      );
    });
    const report = await client(portal).batch([
      { key: 'a', method: 'profile', params: {} },
      { key: 'b', method: 'disk.file.upload', params: { id: 3 } },
    ]);
    expect(report.outcomes.get('b')).toMatchObject({ status: 'ok', result: 'single' });
    expect(portal.requests.map((r) => r.method)).toEqual(['batch', 'disk.file.upload']);
    expect(portal.requests[1]?.body).toEqual({ id: 3 });
  });

  it('fails commands of a request with an unknown fate instead of guessing, unless state says what happened', async () => {
    const portal = await stub((request, res, index) => {
      if (index < 2) {
        answer(res, 500, { error: 'INTERNAL_SERVER_ERROR' });
        return;
      }
      const keys = Object.keys(batchCommands(request));
      answer(res, 200, batchAnswer({ result: Object.fromEntries(keys.map((k) => [k, true])) }));
    });
    const c = client(portal);
    const plain = await c.batch(starts([1, 2]));
    for (const outcome of plain.outcomes.values()) {
      expect(outcome).toMatchObject({
        status: 'failed',
        error: { code: 'INTERNAL_SERVER_ERROR', category: 'ambiguous' },
      });
    }
    const asked: string[][] = [];
    const reconciled = await c.batch(starts([7, 8]), {
      reconcile: async (commands) => {
        asked.push(commands.map((command) => command.key));
        return new Map(
          commands.map((command) => [
            command.key,
            command.key === 's7' ? { status: 'ok' as const, result: 'ran' } : { status: 'not-run' as const },
          ]),
        );
      },
    });
    expect(asked).toEqual([['s7', 's8']]);
    expect(reconciled.outcomes.get('s7')).toMatchObject({ status: 'ok', result: 'ran' });
    expect(reconciled.outcomes.get('s8')).toMatchObject({ status: 'ok', result: true });
    // Only the command that had not run was sent again.
    expect(sentKeys(portal)).toEqual([['s1', 's2'], ['s7', 's8'], ['s8']]);
  });

  it('adapts the chunk size from result_time so a request stays inside the target time', async () => {
    const portal = await stub(async (request, res) => {
      const keys = Object.keys(batchCommands(request));
      await sleep(keys.length * 20);
      const time = { start: 1, finish: 1.02, duration: 0.02, processing: 0.02 };
      answer(
        res,
        200,
        batchAnswer({
          result: Object.fromEntries(keys.map((k) => [k, true])),
          result_time: Object.fromEntries(keys.map((k) => [k, time])),
        }),
      );
    });
    const report = await client(portal).batch(starts(Array.from({ length: 60 }, (_, i) => i + 1)), {
      targetRequestSeconds: 0.2,
    });
    const sizes = sentKeys(portal).map((keys) => keys.length);
    expect(sizes[0]).toBeLessThanOrEqual(5);
    expect(Math.max(...sizes.slice(1))).toBeLessThanOrEqual(10);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(60);
    expect([...report.outcomes.values()].every((o) => o.status === 'ok')).toBe(true);
  });

  it('starts a later batch of the same methods at full chunks: the calibration request is paid once', async () => {
    const portal = await stub((request, res) => {
      const keys = Object.keys(batchCommands(request));
      answer(res, 200, batchAnswer({ result: Object.fromEntries(keys.map((k) => [k, true])) }));
    });
    const engine = client(portal);
    await engine.batch(starts(Array.from({ length: 55 }, (_, i) => i + 1)));
    const first = sentKeys(portal).map((keys) => keys.length);
    await engine.batch(starts(Array.from({ length: 100 }, (_, i) => i + 100)));
    const second = sentKeys(portal)
      .slice(first.length)
      .map((keys) => keys.length);
    expect(first).toEqual([5, 50]);
    expect(second).toEqual([50, 50]);
  });

  it('awaits beforeSend before each request and reports every command once through onSettled', async () => {
    const events: string[] = [];
    const portal = await stub((request, res) => {
      const keys = Object.keys(batchCommands(request));
      events.push(`portal:${keys.join(',')}`);
      answer(res, 200, batchAnswer({ result: Object.fromEntries(keys.map((k) => [k, true])) }));
    });
    const settled: CommandOutcome[] = [];
    await client(portal).batch(starts([1, 2, 3, 4, 5, 6, 7]), {
      maxChunkSize: 3,
      beforeSend: async (commands) => {
        await sleep(10);
        events.push(`journal:${commands.map((c) => c.key).join(',')}`);
      },
      onSettled: (outcomes) => {
        settled.push(...outcomes);
      },
    });
    const portalEvents = events.filter((e) => e.startsWith('portal:'));
    for (const event of portalEvents) {
      const journal = events.indexOf(event.replace('portal:', 'journal:'));
      expect(journal).toBeGreaterThanOrEqual(0);
      expect(journal).toBeLessThan(events.indexOf(event));
    }
    expect(settled.map((o) => o.key).sort()).toEqual(['s1', 's2', 's3', 's4', 's5', 's6', 's7']);
  });

  it('stops on a portal-wide block and leaves the unsent commands not-sent', async () => {
    const portal = await stub((_request, res) => answer(res, 503, { error: 'OVERLOAD_LIMIT' }));
    const c = client(portal);
    const report = await c.batch(starts(Array.from({ length: 30 }, (_, i) => i + 1)));
    expect(report.stoppedBy?.code).toBe('OVERLOAD_LIMIT');
    expect(portal.requests).toHaveLength(1);
    const statuses = [...report.outcomes.values()].map((o) => o.status);
    expect(statuses.filter((s) => s === 'failed')).toHaveLength(5);
    expect(statuses.filter((s) => s === 'not-sent')).toHaveLength(25);
    const again = await c.batch(starts([99]));
    expect(again.outcomes.get('s99')).toMatchObject({ status: 'not-sent', reason: { code: 'OVERLOAD_LIMIT' } });
    expect(portal.requests).toHaveLength(1);
  });

  it('stops when aborted, sending nothing more', async () => {
    const controller = new AbortController();
    const portal = await stub(async (request, res) => {
      const keys = Object.keys(batchCommands(request));
      controller.abort();
      answer(res, 200, batchAnswer({ result: Object.fromEntries(keys.map((k) => [k, true])) }));
    });
    const report = await client(portal).batch(starts(Array.from({ length: 20 }, (_, i) => i + 1)), {
      signal: controller.signal,
    });
    expect((report.stoppedBy as Bitrix24Error).code).toBe('ABORTED');
    expect(portal.requests).toHaveLength(1);
    expect([...report.outcomes.values()].filter((o) => o.status === 'ok')).toHaveLength(5);
    expect([...report.outcomes.values()].filter((o) => o.status === 'not-sent')).toHaveLength(15);
  });

  it('refuses numeric or repeated keys before sending anything', async () => {
    const portal = await stub((_request, res) => answer(res, 200, batchAnswer({})));
    const c = client(portal);
    await expect(c.batch([{ key: '0', method: 'profile', params: {} }])).rejects.toThrow(/name/);
    await expect(
      c.batch([
        { key: 'a', method: 'profile', params: {} },
        { key: 'a', method: 'profile', params: {} },
      ]),
    ).rejects.toThrow(/twice/);
    expect(portal.requests).toHaveLength(0);
  });
});
