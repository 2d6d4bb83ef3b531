import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDemoPortal } from '../../demo-portal/demo-portal.ts';
import type { DemoPortal, DemoPortalOptions } from '../../demo-portal/types.ts';
import { createBitrix24Client } from '../bitrix24/client.ts';
import { Bitrix24Error } from '../bitrix24/errors.ts';
import type { Bitrix24Client } from '../bitrix24/types.ts';
import {
  exportCsv,
  listAudit,
  listRuns,
  listUnfinishedRuns,
  METHODS,
  previewRun,
  type RunEnvironment,
  type RunHandle,
  readResults,
  resumeRun,
  retryFailed,
  startRun,
} from './index.ts';
import { JOURNAL_FILE, readJournal } from './journal.ts';
import { RunState } from './run-state.ts';
import { expectRestartedOnce, steady, until } from './testing/waits.ts';

let home: string;
let portal: DemoPortal | undefined;

beforeEach(async () => {
  home = await mkdtemp(path.join(os.tmpdir(), 'openlines-bulk-'));
});

afterEach(async () => {
  await portal?.close();
  portal = undefined;
  await rm(home, { recursive: true, force: true });
});

async function setUp(
  options: DemoPortalOptions,
): Promise<{ portal: DemoPortal; client: Bitrix24Client; engineLog: string[] }> {
  portal = await createDemoPortal({ plan: 'enterprise', costSeconds: 0.001, ...options });
  const engineLog: string[] = [];
  const client = createBitrix24Client({
    credentials: { kind: 'webhook', webhookUrl: portal.webhookUrl },
    plan: portal.options.plan,
    requestTimeoutMs: 10_000,
    log: (line) => engineLog.push(line),
  });
  return { portal, client, engineLog };
}

function env(client: Bitrix24Client, extra: Partial<RunEnvironment> = {}): RunEnvironment {
  return {
    client,
    runsDir: path.join(home, 'runs'),
    profile: { id: 'demo', name: 'Demo' },
    requestLimitMs: 300,
    ...extra,
  };
}

/**
 * The client, except that the run is interrupted the moment a chunk of at least `size` writes (reads do not count) is
 * on disk as sent and before its request leaves: what a crash between the journal and the network leaves behind, on every machine alike
 * (an interrupt timed from outside loses the race to a fast request now and then).
 */
function interruptedAfterSent(
  client: Bitrix24Client,
  size: number,
): { client: Bitrix24Client; arm(run: RunHandle): void } {
  let run: RunHandle | undefined;
  let fired = false;
  const wrapped: Bitrix24Client = {
    get portalLabel() {
      return client.portalLabel;
    },
    get limits() {
      return client.limits;
    },
    call: (method, params, options) => client.call(method, params, options),
    batch: (commands, options = {}) => {
      const { beforeSend } = options;
      if (!beforeSend) return client.batch(commands, options);
      return client.batch(commands, {
        ...options,
        beforeSend: async (chunk) => {
          await beforeSend(chunk);
          const writes = chunk.filter(
            (command) => command.method === METHODS.start || command.method === METHODS.finish,
          );
          if (!fired && run && writes.length >= size) {
            fired = true;
            void run.interrupt();
          }
        },
      });
    },
    clearBlock: () => client.clearBlock(),
  };
  return { client: wrapped, arm: (handle) => (run = handle) };
}

/** Accessible open-line chats, split by whether their session was open before the run. */
function accessibleChats(demo: DemoPortal): { open: number[]; closed: number[] } {
  const open: number[] = [];
  const closed: number[] = [];
  for (const id of demo.chatIds()) {
    const chat = demo.chat(id)!;
    if (!chat.accessible) continue;
    (chat.status >= 60 ? closed : open).push(id);
  }
  return { open, closed };
}

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
    const results = new Map((await readResults(path.join(home, 'runs'), run.runId)).map((r) => [r.chatId, r]));
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

    const retry = await retryFailed(env(client), first.runId);
    const second = await retry.done;
    expect(second.total).toBe(3);
    expect(second.failed).toHaveLength(3);
    const runs = await listRuns(path.join(home, 'runs'));
    expect(runs.find((r) => r.runId === retry.runId)?.retryOf).toBe(first.runId);

    const { csv, fileName } = await exportCsv(path.join(home, 'runs'), first.runId);
    expect(fileName).toContain(first.runId);
    expect(csv.split('\r\n')[0]).toBe('CHAT_ID,STATE,CODE,MESSAGE,SESSION_ID,BASELINE_SESSION_ID');
    expect(csv).toContain(`${denied[0]},failed,ACCESS_DENIED,`);
    const audit = await listAudit(path.join(home, 'runs'));
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

  it('after an interrupt mid-batch, resume reads back what was in flight only after its deadline: each chat restarted once', async () => {
    // 0.1 s per close or start: a chunk of 20 keeps running on the portal for 2 s after the client let go of it.
    const { portal: demo, client } = await setUp({
      chats: 300,
      costSeconds: { 'imopenlines.operator.another.finish': 0.1, 'imopenlines.session.start': 0.1, default: 0.001 },
    });
    const chatIds = accessibleChats(demo).open.slice(0, 40);
    const before = new Map(chatIds.map((id) => [id, demo.chat(id)!.sessionId]));
    const environment = env(client, { requestLimitMs: 2_000, maxChunkSize: 20 });
    // Past the engine's small calibration request: a full chunk is on its way.
    const interrupting = interruptedAfterSent(client, 10);
    const run = await startRun({ ...environment, client: interrupting.client }, { chatIds, mode: 'restart' });
    interrupting.arm(run);
    expect((await run.done).status).toBe('interrupted');

    const runDir = path.join(home, 'runs', run.runId);
    const recordsAtStop = (await readJournal(runDir)).records;
    const atStop = RunState.replay(recordsAtStop);
    const inFlight = [...atStop.chats.values()].filter((chat) => chat.state === 'sent');
    expect(inFlight.length).toBeGreaterThan(0);

    const summary = await (await resumeRun(environment, run.runId)).done;

    expect(summary).toMatchObject({ status: 'finished', verified: 40, failed: [] });
    expectRestartedOnce(demo, chatIds, before);
    // Nothing was sent again for a chat in flight before the portal could have finished the first request.
    let resent = 0;
    for (const record of (await readJournal(runDir)).records.slice(recordsAtStop.length)) {
      if (record.t !== 'sent') continue;
      for (const id of record.c) {
        const chat = atStop.chats.get(id);
        if (chat?.state !== 'sent' || !chat.inFlight) continue;
        resent++;
        expect(record.at).toBeGreaterThanOrEqual(chat.inFlight.until);
      }
    }
    expect(resent).toBeGreaterThan(0);
  });

  it('keeps the deadline of writes the engine sends late (after a limit back-off) ahead of what the portal may run', async () => {
    const { portal: demo, client } = await setUp({
      chats: 300,
      costSeconds: { 'imopenlines.operator.another.finish': 0.2, default: 0.001 },
    });
    const chatIds = accessibleChats(demo).open.slice(0, 10);
    const limitMs = 1_000;
    let leftAt = 0;
    // The first request of closes leaves three request limits after it was announced, as a request the engine sends
    // again after QUERY_LIMIT_EXCEEDED back-offs or an operating-time hold does.
    const late: Bitrix24Client = {
      get portalLabel() {
        return client.portalLabel;
      },
      get limits() {
        return client.limits;
      },
      call: (method, params, options) => client.call(method, params, options),
      clearBlock: () => client.clearBlock(),
      batch: (commands, options = {}) =>
        client.batch(commands, {
          ...options,
          beforeSend: async (chunk) => {
            await options.beforeSend?.(chunk);
            if (leftAt === 0 && chunk.some((command) => command.method === METHODS.finish)) {
              await new Promise((resolve) => setTimeout(resolve, 3 * limitMs));
              leftAt = Date.now();
            }
          },
        }),
    };
    const runsDir = path.join(home, 'runs');
    const run = await startRun(env(late, { requestLimitMs: limitMs }), { chatIds, mode: 'restart' });
    // The late request reached the portal and is running there: what a SIGKILL now would leave is on disk.
    await until(() => leftAt > 0 && (demo.counters.calls[METHODS.finish] ?? 0) > 0, 30_000, 2);
    const atKill = RunState.replay((await readJournal(path.join(runsDir, run.runId))).records);
    const inFlight = [...atKill.chats.values()].filter((chat) => chat.state === 'sent');
    expect(inFlight.length).toBeGreaterThan(0);
    // A resume from here waits until the portal can no longer be running that request.
    for (const chat of inFlight) expect(chat.inFlight!.until).toBeGreaterThanOrEqual(leftAt + limitMs);

    const summary = await run.done;
    expect(summary).toMatchObject({ status: 'finished', verified: 10, failed: [] });
    for (const id of chatIds) {
      expect({ id, starts: demo.counters.sessionStarts.get(id), open: demo.chat(id)!.status < 60 }).toEqual({
        id,
        starts: 1,
        open: true,
      });
    }
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
    expect((await listUnfinishedRuns(path.join(home, 'runs'))).map((r) => r.runId)).toEqual([stopped.runId]);

    demo.setFaults({});
    const resumed = await (await resumeRun(env(client), stopped.runId)).done;
    expect(resumed).toMatchObject({ status: 'finished', verified: 60, failed: [] });
    for (const id of chatIds) expect(demo.counters.sessionStarts.get(id)).toBe(1);
    expect(await listUnfinishedRuns(path.join(home, 'runs'))).toEqual([]);
  });

  it('pauses without sending and resumes; cancel marks what is left skipped', async () => {
    const { portal: demo, client } = await setUp({ chats: 600, costSeconds: 0.005 });
    const { closed, open } = accessibleChats(demo);
    const chatIds = [...closed, ...open].slice(0, 400);
    const run = await startRun(env(client, { windowSize: 50 }), { chatIds, mode: 'start' });
    await until(() => run.progress().counts.verified > 0);
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
    await until(() => run.progress().counts.verified > 100);
    const summary = await run.cancel();
    expect(summary.status).toBe('cancelled');
    expect(summary.skipped).toBeGreaterThan(0);
    const results = await readResults(path.join(home, 'runs'), run.runId);
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
    expect(demo.counters.calls[METHODS.sessionList]).toBe(1);
    // One confirmation per chat and nothing before: no fault, so nothing needed reconciling.
    expect(demo.counters.calls[METHODS.read]).toBe(chatIds.length);
    for (const id of open.slice(0, 30)) expect(demo.counters.sessionStarts.get(id)).toBeUndefined();
    for (const id of closed.slice(0, 70)) expect(demo.counters.sessionStarts.get(id)).toBe(1);
    const results = await readResults(path.join(home, 'runs'), run.runId);
    expect(
      results
        .filter((r) => r.state === 'already-active')
        .map((r) => r.chatId)
        .sort(),
    ).toEqual(open.slice(0, 30).sort());
    // The next preview on this portal counts one read per chat.
    const preview = await previewRun({ client, runsDir: path.join(home, 'runs') }, { chatIds, mode: 'start' });
    expect(preview.sessionCheck).toBe('watermark');
    expect(demo.counters.calls[METHODS.sessionList]).toBe(1);
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
      const marks = (await readJournal(path.join(home, 'runs', run.runId))).records.filter((r) => r.t === 'mark');
      expect(marks).toMatchObject([
        { w: null, why: sessionList === 'absent' ? 'ERROR_METHOD_NOT_FOUND' : 'TARIFF_RESTRICTION' },
      ]);
      const preview = await previewRun({ client, runsDir: path.join(home, 'runs') }, { chatIds, mode: 'start' });
      expect(preview.sessionCheck).toBe('per-chat');
    });
  }

  it('resumes a run journalled by the console before the runs code was split (a kept fixture): each chat restarted once', async () => {
    // fixtures/journal-v1-interrupted: written by the console as it was before this structure (commit e786aac),
    // restart mode, 30 chats of a 120-chat demo portal (seed 1): 5 closed, 25 sent with an unknown fate, interrupted.
    const { portal: demo, client } = await setUp({ chats: 120 });
    const fixture = await readFile(
      path.join(import.meta.dirname, 'fixtures/journal-v1-interrupted/journal.jsonl'),
      'utf8',
    );
    const [header, ...rest] = fixture
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    const { runId, chatIds } = header as { runId: string; chatIds: number[] };
    const before = new Map(chatIds.map((id) => [id, demo.chat(id)!.sessionId]));
    // What the old process did reach the portal: the finishes it journalled as done (the sent ones never arrived).
    const closedBefore = rest.filter((r) => r.t === 'ok' && r.step === 'finish').flatMap((r) => r.c as number[]);
    expect(closedBefore).toHaveLength(5);
    for (const id of closedBefore) await client.call(METHODS.finish, { CHAT_ID: id });
    const runDir = path.join(home, 'runs', runId);
    await mkdir(runDir, { recursive: true });
    const lines = [{ ...header, portal: client.portalLabel }, ...rest].map((record) => JSON.stringify(record));
    await writeFile(path.join(runDir, JOURNAL_FILE), `${lines.join('\n')}\n`);

    expect(await listUnfinishedRuns(path.join(home, 'runs'))).toMatchObject([{ runId, status: 'interrupted' }]);
    const summary = await (await resumeRun(env(client, { requestLimitMs: 2_000 }), runId)).done;

    expect(summary).toMatchObject({ status: 'finished', total: 30, verified: 30, failed: [] });
    expectRestartedOnce(demo, chatIds, before);
  });

  it('resumes a run journalled before watermarks, reading each chat as that run did: each chat restarted once', async () => {
    const { portal: demo, client } = await setUp({
      chats: 300,
      costSeconds: { 'imopenlines.operator.another.finish': 0.1, 'imopenlines.session.start': 0.1, default: 0.001 },
    });
    const chatIds = accessibleChats(demo).open.slice(0, 40);
    const before = new Map(chatIds.map((id) => [id, demo.chat(id)!.sessionId]));
    // The first execution runs as the console did before watermarks: a baseline read of every chat.
    const older: Bitrix24Client = {
      get portalLabel() {
        return client.portalLabel;
      },
      get limits() {
        return client.limits;
      },
      call: (method, params, options) =>
        method === METHODS.sessionList
          ? Promise.reject(new Bitrix24Error({ code: 'ERROR_METHOD_NOT_FOUND', status: 404, method }))
          : client.call(method, params, options),
      batch: (commands, options) => client.batch(commands, options),
      clearBlock: () => client.clearBlock(),
    };
    const interrupting = interruptedAfterSent(older, 10);
    const environment = env(interrupting.client, { requestLimitMs: 2_000, maxChunkSize: 20 });
    const run = await startRun(environment, { chatIds, mode: 'restart' });
    interrupting.arm(run);
    expect((await run.done).status).toBe('interrupted');
    // Rewrite the journal as the older console left it: no watermark record at all.
    const runDir = path.join(home, 'runs', run.runId);
    const file = path.join(runDir, JOURNAL_FILE);
    const lines = (await readFile(file, 'utf8'))
      .split('\n')
      .filter((line) => line !== '' && !line.includes('"t":"mark"'));
    await writeFile(file, `${lines.join('\n')}\n`);
    const atStop = RunState.replay((await readJournal(runDir)).records);
    expect(atStop.watermark).toBeUndefined();
    expect([...atStop.chats.values()].some((chat) => chat.state === 'sent')).toBe(true);
    const listsBefore = demo.counters.calls[METHODS.sessionList] ?? 0;

    // Resumed by today's console on a portal that has Session.list: its writes began without a watermark.
    const summary = await (await resumeRun(env(client, { requestLimitMs: 2_000, maxChunkSize: 20 }), run.runId)).done;

    expect(summary).toMatchObject({ status: 'finished', verified: 40, failed: [] });
    expect(demo.counters.calls[METHODS.sessionList] ?? 0).toBe(listsBefore);
    expectRestartedOnce(demo, chatIds, before);
    const marks = (await readJournal(runDir)).records.filter((r) => r.t === 'mark');
    expect(marks).toMatchObject([{ w: null, why: 'OLD_JOURNAL' }]);
  });

  it('keeps no secret in the journal, results or audit files', async () => {
    const { portal: demo, client } = await setUp({ chats: 100 });
    const { closed } = accessibleChats(demo);
    const run = await startRun(env(client), { chatIds: closed.slice(0, 5), mode: 'restart' });
    await run.done;
    const code = new URL(demo.webhookUrl).pathname.split('/')[3]!;
    const runsDir = path.join(home, 'runs');
    const files = [
      path.join(runsDir, 'audit.jsonl'),
      ...(await readdir(path.join(runsDir, run.runId))).map((name) => path.join(runsDir, run.runId, name)),
    ];
    expect(files.length).toBeGreaterThanOrEqual(3);
    for (const file of files) expect(await readFile(file, 'utf8')).not.toContain(code);
  });
});
