import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createBitrix24Client } from '../bitrix24/client.ts';
import type { Bitrix24Client } from '../bitrix24/types.ts';
import {
  exportCsv,
  listAudit,
  listRuns,
  listUnfinishedRuns,
  METHODS,
  previewRun,
  readResults,
  resumeRun,
  retryPlan,
  startRun,
} from './index.ts';
import { readJournal } from './journal.ts';
import { accessibleChats, runTestBed } from './testing/run-test-bed.ts';
import { expectRestartedOnce, steady, until } from './testing/waits.ts';

const bed = runTestBed();
const { setUp, env } = bed;

describe('bulk runs against the demo portal', () => {
  it('starts every closed chat exactly once and verifies it, with 10 % of requests failing', async () => {
    const { portal: demo, client, engineLog } = await setUp({ chats: 2_300 });
    const { open, closed } = accessibleChats(demo);
    const chatIds = [...open, ...closed].slice(0, 2_000);
    expect(chatIds).toHaveLength(2_000);
    const openBefore = new Set(open);
    demo.setFaults({ errorBeforeRate: 0.025, errorAfterRate: 0.025, resetBeforeRate: 0.025, resetAfterRate: 0.025 });

    const run = await startRun(env(client), { chatIds, mode: 'start' });
    const summary = await run.done;

    demo.setFaults({});
    expect(summary.status).toBe('finished');
    expect(summary.failed).toEqual([]);
    const results = new Map((await readResults(path.join(bed.home, 'runs'), run.runId)).map((r) => [r.chatId, r]));
    for (const id of chatIds) {
      const wasOpen = openBefore.has(id);
      const starts = demo.counters.sessionStarts.get(id) ?? 0;
      const result = results.get(id)!;
      if (wasOpen) {
        expect({ id, starts, state: result.state }).toEqual({ id, starts: 0, state: 'already-active' });
      } else {
        expect({ id, starts, state: result.state, sessionId: result.sessionId }).toEqual({
          id,
          starts: 1,
          state: 'verified',
          sessionId: demo.chat(id)!.sessionId,
        });
      }
    }
    const startedClosed = closed.filter((id) => chatIds.includes(id));
    expect(summary.verified).toBe(startedClosed.length);
    expect(summary.alreadyActive).toBe(chatIds.length - startedClosed.length);
    // The faults really happened: about one request in ten failed one way or another.
    const failures = engineLog.filter((line) =>
      /INTERNAL_SERVER_ERROR|CONNECTION_RESET|closed the connection/.test(line),
    );
    expect(failures.length).toBeGreaterThan(summary.requests * 0.05);
  });

  it('closes and restarts a mix of active and closed chats, each exactly once', async () => {
    const { portal: demo, client } = await setUp({ chats: 300 });
    const { open, closed } = accessibleChats(demo);
    const chatIds = [...open.slice(0, 40), ...closed.slice(0, 40)];
    const before = new Map(chatIds.map((id) => [id, demo.chat(id)!.sessionId]));
    demo.setFaults({ errorAfterRate: 0.05, resetAfterRate: 0.05 });

    const summary = await (await startRun(env(client), { chatIds, mode: 'restart' })).done;

    expect(summary).toMatchObject({ status: 'finished', verified: 80, alreadyActive: 0, failed: [] });
    expectRestartedOnce(demo, chatIds, before);
  });

  it('holds chats whose answer was too large to read as unknown, reads them back, and restarts each once', async () => {
    const { portal: demo } = await setUp({ chats: 300 });
    const engineLog: string[] = [];
    // A small cap and runaway answers of four times it: the method ran, its answer cannot be read.
    const client = createBitrix24Client({
      credentials: { kind: 'webhook', webhookUrl: demo.webhookUrl },
      plan: 'enterprise',
      requestTimeoutMs: 10_000,
      maxResponseBytes: 1024 * 1024,
      log: (line) => engineLog.push(line),
    });
    const { open, closed } = accessibleChats(demo);
    const chatIds = [...open.slice(0, 30), ...closed.slice(0, 30)];
    const before = new Map(chatIds.map((id) => [id, demo.chat(id)!.sessionId]));
    demo.setFaults({ oversizeAfterRate: 0.15, oversizeBytes: 4 * 1024 * 1024 });

    const summary = await (await startRun(env(client), { chatIds, mode: 'restart' })).done;

    demo.setFaults({});
    expect(summary).toMatchObject({ status: 'finished', verified: 60, alreadyActive: 0, failed: [] });
    expectRestartedOnce(demo, chatIds, before);
    expect(engineLog.some((line) => line.includes('RESPONSE_TOO_LARGE'))).toBe(true);
  });

  it('reports chats the portal refuses, keeps going, and retries only the failed ones', async () => {
    const { portal: demo, client } = await setUp({ chats: 300 });
    const { closed } = accessibleChats(demo);
    const denied = demo.chatIds().filter((id) => !demo.chat(id)!.accessible);
    const groupChat = demo.groupChatIds()[0]!;
    const chatIds = [...closed.slice(0, 10), denied[0]!, groupChat, 999_999];
    const first = await (await startRun(env(client), { chatIds, mode: 'start' })).done;

    expect(first.status).toBe('finished');
    expect(first.verified).toBe(10);
    expect(first.failed.map((f) => f.chatId).sort()).toEqual([denied[0], groupChat, 999_999].sort());
    // With the watermark nothing is read first: each chat fails on its start, with the portal's own reason.
    expect(Object.fromEntries(first.failed.map((f) => [f.chatId, f.code]))).toEqual({
      [denied[0]!]: 'ACCESS_DENIED',
      [groupChat]: 'CHAT_TYPE',
      999999: 'CHAT_ID',
    });

    // Each of these the portal refused for the chat itself: a retry would fail the same way, so none is offered.
    const plan = await retryPlan(path.join(bed.home, 'runs'), first.runId);
    expect(plan).toMatchObject({ mode: 'start', chatIds: [], hopeless: 3 });
    // A retry the supervisor makes anyway is linked to the run it retries.
    const retry = await startRun(env(client), { chatIds: [groupChat], mode: 'start', retryOf: first.runId });
    const second = await retry.done;
    expect(second.total).toBe(1);
    expect(second.failed).toHaveLength(1);
    const runs = await listRuns(path.join(bed.home, 'runs'));
    expect(runs.find((r) => r.runId === retry.runId)?.retryOf).toBe(first.runId);

    const { csv, fileName } = await exportCsv(path.join(bed.home, 'runs'), first.runId);
    expect(fileName).toContain(first.runId);
    expect(csv.split('\r\n')[0]).toBe('CHAT_ID,STATE,CODE,MESSAGE,SESSION_ID,BASELINE_SESSION_ID');
    expect(csv).toContain(`${denied[0]},failed,ACCESS_DENIED,`);
    const audit = await listAudit(path.join(bed.home, 'runs'));
    expect(audit.map((entry) => entry.runId)).toEqual([retry.runId, first.runId]);
    expect(audit[1]).toMatchObject({ profileId: 'demo', mode: 'start', outcome: 'finished', total: 13 });
  });

  it('holds across the operating window when the budget runs out, and finishes by itself', async () => {
    // 0.5 s per start against a 10 s budget: 40 starts need two windows of 600 s, scaled to 1.2 s each.
    const { portal: demo, client } = await setUp({
      chats: 300,
      costSeconds: { 'imopenlines.session.start': 0.5, default: 0.001 },
      operatingLimitSeconds: 10,
      timeScale: 500,
    });
    const { closed } = accessibleChats(demo);
    const chatIds = closed.slice(0, 40);
    const run = await startRun(env(client), { chatIds, mode: 'start' });
    const statuses = new Set<string>();
    const reasons: string[] = [];
    run.subscribe((progress) => {
      statuses.add(progress.status);
      if (progress.status === 'holding' && progress.reason) reasons.push(progress.reason.code);
    });
    const summary = await run.done;

    expect(summary).toMatchObject({ status: 'finished', verified: 40, failed: [] });
    expect(demo.counters.operatingLimitHits + summary.limitHits).toBeGreaterThan(0);
    expect(statuses).toContain('holding');
    expect(reasons).toContain('OPERATION_TIME_LIMIT');
    for (const id of chatIds) expect(demo.counters.sessionStarts.get(id)).toBe(1);
  });

  it('stops on OVERLOAD_LIMIT with the reason, and finishes when resumed', async () => {
    const { portal: demo, client } = await setUp({ chats: 300 });
    const { closed } = accessibleChats(demo);
    const chatIds = closed.slice(0, 60);
    demo.setFaults({ overload: true });
    const stopped = await (await startRun(env(client), { chatIds, mode: 'start' })).done;
    expect(stopped.status).toBe('stopped');
    expect(stopped.reason?.code).toBe('OVERLOAD_LIMIT');
    expect(stopped.reason?.message).toMatch(/Bitrix24 support/);
    expect((await listUnfinishedRuns(path.join(bed.home, 'runs'))).map((r) => r.runId)).toEqual([stopped.runId]);

    demo.setFaults({});
    const resumed = await (await resumeRun(env(client), stopped.runId)).done;
    expect(resumed).toMatchObject({ status: 'finished', verified: 60, failed: [] });
    for (const id of chatIds) expect(demo.counters.sessionStarts.get(id)).toBe(1);
    expect(await listUnfinishedRuns(path.join(bed.home, 'runs'))).toEqual([]);
  });

  it('pauses without sending and resumes; cancel marks what is left skipped', async () => {
    const { portal: demo, client } = await setUp({ chats: 600, costSeconds: 0.005 });
    const { closed, open } = accessibleChats(demo);
    const chatIds = [...closed, ...open].slice(0, 400);
    const run = await startRun(env(client, { windowSize: 50 }), { chatIds, mode: 'start' });
    // Starts are confirmed together by Session.list passes: progress shows them started first.
    const done = () => run.progress().counts.started + run.progress().counts.verified;
    await until(() => done() > 0);
    run.pause();
    // From here on no request may leave: the run counts each one just before it goes.
    const sentAtPause = run.progress().requests;
    await until(() => run.progress().status === 'paused');
    // What was already on its way lands; then the portal hears nothing more while the run is paused.
    const requests = await steady(() => demo.counters.requests, 1_000);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(demo.counters.requests).toBe(requests);
    expect(run.progress().requests).toBe(sentAtPause);
    run.resume();
    await until(() => done() > 100);
    const summary = await run.cancel();
    expect(summary.status).toBe('cancelled');
    expect(summary.skipped).toBeGreaterThan(0);
    const results = await readResults(path.join(bed.home, 'runs'), run.runId);
    for (const result of results) {
      const starts = demo.counters.sessionStarts.get(result.chatId) ?? 0;
      if (result.state === 'skipped') expect(starts).toBe(0);
      expect(['verified', 'already-active', 'skipped']).toContain(result.state);
    }
  });

  it('previews requests and a duration bound by the operating budget, sending nothing', async () => {
    const { portal: demo, client } = await setUp({ chats: 10 });
    const preview = await previewRun(
      { client, costs: { 'imopenlines.session.start': 0.8, 'imopenlines.dialog.get': 0.05 } },
      { chatIds: Array.from({ length: 10_000 }, (_, i) => i + 1), mode: 'start' },
    );
    expect(demo.counters.requests).toBe(0);
    expect(preview.total).toBe(10_000);
    expect(preview.boundBy).toBe('imopenlines.session.start');
    // 8,000 s of starts against 480 s per 600 s: about 9,400 s once the first 480 s are spent.
    expect(preview.expectedSeconds).toBeGreaterThan(9_000);
    expect(preview.expectedSeconds).toBeLessThan(10_500);
    expect(preview.requests).toBe(400 + 400);
  });

  it('reads the portal’s highest session id once and no chat before its start; an open chat is reported already active', async () => {
    const { portal: demo, client } = await setUp({ chats: 400 });
    const { open, closed } = accessibleChats(demo);
    const chatIds = [...open.slice(0, 30), ...closed.slice(0, 70)];
    const run = await startRun(env(client), { chatIds, mode: 'start' });
    const summary = await run.done;

    expect(summary).toMatchObject({ status: 'finished', verified: 70, alreadyActive: 30, failed: [] });
    // The watermark, then one pass over the sessions created since the run began confirms the 70 new ones; the 30
    // the list does not show (a start on an open session only joins it) are read one by one. No fault: nothing
    // needed reconciling.
    expect(demo.counters.calls[METHODS.sessionList]).toBe(2);
    expect(demo.counters.calls[METHODS.read]).toBe(open.slice(0, 30).length);
    for (const id of open.slice(0, 30)) expect(demo.counters.sessionStarts.get(id)).toBeUndefined();
    for (const id of closed.slice(0, 70)) expect(demo.counters.sessionStarts.get(id)).toBe(1);
    const results = await readResults(path.join(bed.home, 'runs'), run.runId);
    expect(
      results
        .filter((r) => r.state === 'already-active')
        .map((r) => r.chatId)
        .sort(),
    ).toEqual(open.slice(0, 30).sort());
    // The next preview on this portal counts one read per chat.
    const preview = await previewRun({ client, runsDir: path.join(bed.home, 'runs') }, { chatIds, mode: 'start' });
    expect(preview.sessionCheck).toBe('watermark');
    expect(demo.counters.calls[METHODS.sessionList]).toBe(2);
  });

  for (const sessionList of ['absent', 'tariff'] as const) {
    it(`reads each chat before its start where Session.list is ${sessionList}, and is just as exact`, async () => {
      const { portal: demo, client } = await setUp({ chats: 400, sessionList });
      const { open, closed } = accessibleChats(demo);
      const chatIds = [...open.slice(0, 30), ...closed.slice(0, 70)];
      demo.setFaults({ errorAfterRate: 0.05, resetAfterRate: 0.05 });
      const run = await startRun(env(client), { chatIds, mode: 'start' });
      const summary = await run.done;
      demo.setFaults({});

      expect(summary).toMatchObject({ status: 'finished', verified: 70, alreadyActive: 30, failed: [] });
      // A read before and a read after each chat, at least.
      expect(demo.counters.calls[METHODS.read]).toBeGreaterThanOrEqual(2 * chatIds.length);
      for (const id of open.slice(0, 30)) expect(demo.counters.sessionStarts.get(id)).toBeUndefined();
      for (const id of closed.slice(0, 70)) expect(demo.counters.sessionStarts.get(id)).toBe(1);
      const marks = (await readJournal(path.join(bed.home, 'runs', run.runId))).records.filter((r) => r.t === 'mark');
      expect(marks).toMatchObject([
        { w: null, why: sessionList === 'absent' ? 'ERROR_METHOD_NOT_FOUND' : 'TARIFF_RESTRICTION' },
      ]);
      const preview = await previewRun({ client, runsDir: path.join(bed.home, 'runs') }, { chatIds, mode: 'start' });
      expect(preview.sessionCheck).toBe('per-chat');
    });
  }

  it('reports a chat whose session only looks new to a low watermark as unconfirmed, never as started', async () => {
    const { portal: demo, client } = await setUp({ chats: 300 });
    const { open, closed } = accessibleChats(demo);
    const chatIds = [...open.slice(0, 10), ...closed.slice(0, 10)];
    // Session.list shows this user only some lines: the highest id it reports is below every session of the chats.
    const lowWatermark: Bitrix24Client = {
      get portalLabel() {
        return client.portalLabel;
      },
      get limits() {
        return client.limits;
      },
      call: (method, params, options) =>
        method === METHODS.sessionList
          ? Promise.resolve({ result: { sessions: [{ id: 1 }], hasNextPage: false } } as never)
          : client.call(method, params, options),
      batch: (commands, options) => client.batch(commands, options),
      clearBlock: () => client.clearBlock(),
    };
    const summary = await (await startRun(env(lowWatermark), { chatIds, mode: 'start' })).done;

    expect(summary).toMatchObject({ status: 'finished', verified: 10, alreadyActive: 0 });
    expect(summary.failed.map((chat) => chat.chatId).sort()).toEqual(open.slice(0, 10).sort());
    for (const chat of summary.failed) {
      expect(chat.code).toBe('UNCONFIRMED');
      expect(chat.message).toMatch(/may have been open already/);
    }
    for (const id of closed.slice(0, 10)) expect(demo.counters.sessionStarts.get(id)).toBe(1);
    for (const id of open.slice(0, 10)) expect(demo.counters.sessionStarts.get(id)).toBeUndefined();
  });

  it('reads back at once a write the portal answered with a 500 (it is done with it), not after the request limit', async () => {
    const { portal: demo, client, engineLog } = await setUp({ chats: 300 });
    const chatIds = accessibleChats(demo).closed.slice(0, 30);
    demo.setFaults({ errorAfterRate: 0.5, seed: 3 });
    // A minute before the portal may be done with a request it did not answer: waiting for it would show.
    const run = await startRun(env(client, { requestLimitMs: 60_000 }), { chatIds, mode: 'start' });
    const summary = await run.done;
    demo.setFaults({});

    expect(summary).toMatchObject({ status: 'finished', verified: 30, failed: [] });
    expect(engineLog.some((line) => / batch 500 INTERNAL_SERVER_ERROR/.test(line))).toBe(true);
    const { records } = await readJournal(path.join(bed.home, 'runs', run.runId));
    for (const id of chatIds) {
      const until = records.flatMap((r) => (r.t === 'sent' && r.c.includes(id) ? [r.until] : [])).at(-1);
      const verifiedAt = records.flatMap((r) =>
        r.t === 'chat' && r.c.some((c) => c.id === id && c.s === 'verified') ? [r.at] : [],
      )[0];
      expect({ id, early: verifiedAt !== undefined && until !== undefined && verifiedAt < until }).toEqual({
        id,
        early: true,
      });
      expect(demo.counters.sessionStarts.get(id)).toBe(1);
    }
  });

  it('keeps no secret in the journal, results or audit files', async () => {
    const { portal: demo, client } = await setUp({ chats: 100 });
    const { closed } = accessibleChats(demo);
    const run = await startRun(env(client), { chatIds: closed.slice(0, 5), mode: 'restart' });
    await run.done;
    const code = new URL(demo.webhookUrl).pathname.split('/')[3]!;
    const runsDir = path.join(bed.home, 'runs');
    const files = [
      path.join(runsDir, 'audit.jsonl'),
      ...(await readdir(path.join(runsDir, run.runId))).map((name) => path.join(runsDir, run.runId, name)),
    ];
    expect(files.length).toBeGreaterThanOrEqual(3);
    for (const file of files) expect(await readFile(file, 'utf8')).not.toContain(code);
  });
});
