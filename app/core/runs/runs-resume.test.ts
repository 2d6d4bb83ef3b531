// Runs taken up again after they stopped: an interrupt mid-batch, writes the engine sent late, and journals written
// by earlier versions of the console (a kept fixture, and one from before watermarks).
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Bitrix24Error } from '../bitrix24/errors.ts';
import type { Bitrix24Client } from '../bitrix24/types.ts';
import { listUnfinishedRuns, METHODS, resumeRun, startRun } from './index.ts';
import { JOURNAL_FILE, readJournal } from './journal.ts';
import { RunState } from './run-state.ts';
import { accessibleChats, interruptedAfterSent, runTestBed } from './testing/run-test-bed.ts';
import { expectRestartedOnce, until } from './testing/waits.ts';

const bed = runTestBed();
const { setUp, env } = bed;

describe('resuming bulk runs against the demo portal', () => {
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

    const runDir = path.join(bed.home, 'runs', run.runId);
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
    const runsDir = path.join(bed.home, 'runs');
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
    const runDir = path.join(bed.home, 'runs', runId);
    await mkdir(runDir, { recursive: true });
    const lines = [{ ...header, portal: client.portalLabel }, ...rest].map((record) => JSON.stringify(record));
    await writeFile(path.join(runDir, JOURNAL_FILE), `${lines.join('\n')}\n`);

    expect(await listUnfinishedRuns(path.join(bed.home, 'runs'))).toMatchObject([{ runId, status: 'interrupted' }]);
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
    const runDir = path.join(bed.home, 'runs', run.runId);
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
});
