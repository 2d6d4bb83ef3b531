// The `runs.*` channels as the console uses them: through the backend's dispatcher, against a demo portal, with
// `run.progressed` events and the portal's own counters as the judge of what was started.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunChatResult, RunPreview, RunProgress } from '../contract/runs.ts';
import { REQUEST_LIMIT_ENV, startRun } from '../core/runs/index.ts';
import { expectRestartedOnce, steady, until } from '../core/runs/testing/waits.ts';
import { createDemoPortal } from '../demo-portal/demo-portal.ts';
import type { DemoPortal, DemoPortalOptions } from '../demo-portal/types.ts';
import { type Backend, createBackend } from './backend.ts';

let home: string;
let portal: DemoPortal | undefined;
const backends: Backend[] = [];
let savedLimit: string | undefined;

beforeAll(() => {
  // A write the client gave up on may still run on the portal for this long; the real 65 s would stall the tests.
  savedLimit = process.env[REQUEST_LIMIT_ENV];
  process.env[REQUEST_LIMIT_ENV] = '1500';
});

afterAll(() => {
  if (savedLimit === undefined) delete process.env[REQUEST_LIMIT_ENV];
  else process.env[REQUEST_LIMIT_ENV] = savedLimit;
});

beforeEach(async () => {
  home = await mkdtemp(path.join(os.tmpdir(), 'openlines-runs-'));
});

afterEach(async () => {
  for (const backend of backends.splice(0)) await backend.close();
  await portal?.close();
  portal = undefined;
  await rm(home, { recursive: true, force: true });
});

async function startPortal(options: DemoPortalOptions = {}): Promise<DemoPortal> {
  portal = await createDemoPortal({ chats: 600, plan: 'enterprise', costSeconds: 0.001, ...options });
  return portal;
}

/** The console in env mode (OPENLINES_WEBHOOK_URL) on the test's portal and data folder. */
function envBackend(demo: DemoPortal): Backend {
  const backend = createBackend({
    runtime: 'browser',
    version: '0.0.0-test',
    home,
    mode: 'env',
    envWebhookUrl: demo.webhookUrl,
    clientOverrides: { plan: 'enterprise', requestTimeoutMs: 20_000 },
  });
  backends.push(backend);
  return backend;
}

async function call<T>(backend: Backend, channel: string, input: unknown): Promise<T> {
  const answer = await backend.dispatch(channel, input);
  if (!answer.ok) throw new Error(`${channel}: ${answer.error.code} ${answer.error.message}`);
  return answer.data as T;
}

async function refusal(backend: Backend, channel: string, input: unknown) {
  const answer = await backend.dispatch(channel, input);
  if (answer.ok) throw new Error(`${channel} was expected to fail`);
  return answer.error;
}

/** Every `run.progressed` event the backend emits, in order. */
function progressEvents(backend: Backend): RunProgress[] {
  const events: RunProgress[] = [];
  backend.services.subscribe((event, payload) => {
    if (event === 'run.progressed') events.push(payload as RunProgress);
  });
  return events;
}

/** Polls `runs.list` (live progress, not throttled like the events) until the run matches. */
async function listedWhen(backend: Backend, runId: string, test: (run: RunProgress) => boolean): Promise<RunProgress> {
  let found: RunProgress | undefined;
  const start = Date.now();
  for (;;) {
    found = (await call<RunProgress[]>(backend, 'runs.list', {})).find((run) => run.runId === runId);
    if (found && test(found)) return found;
    if (Date.now() - start > 60_000) throw new Error(`run ${runId} never matched: ${JSON.stringify(found)}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Waits for the event that says the run has ended, and returns it. */
async function ended(events: RunProgress[], runId: string): Promise<RunProgress> {
  const done = (e: RunProgress) =>
    e.runId === runId && ['finished', 'cancelled', 'stopped', 'interrupted'].includes(e.status);
  await until(() => events.some(done), 60_000);
  return events.find(done)!;
}

function chatsOf(demo: DemoPortal): { open: number[]; closed: number[]; denied: number[] } {
  const open: number[] = [];
  const closed: number[] = [];
  const denied: number[] = [];
  for (const id of demo.chatIds()) {
    const chat = demo.chat(id)!;
    if (!chat.accessible) denied.push(id);
    else (chat.status >= 60 ? closed : open).push(id);
  }
  return { open, closed, denied };
}

async function startFromIds(backend: Backend, chatIds: number[], mode: 'start' | 'restart' = 'start') {
  const preview = await call<RunPreview>(backend, 'runs.preview', {
    profileId: 'env',
    mode,
    source: { kind: 'ids', chatIds },
    skipInvalid: false,
  });
  return call<RunProgress>(backend, 'runs.start', { previewId: preview.previewId });
}

describe('runs.* handlers against a demo portal', () => {
  it('previews pasted text with bad lines and duplicates, and refuses to start it unless told to skip them', async () => {
    const demo = await startPortal();
    const backend = envBackend(demo);
    const [a, b, c] = chatsOf(demo).closed;
    const text = [a, 'abc', -5, 0, 2.5, '', b, a, c, '99999999999'].join('\n');

    const preview = await call<RunPreview>(backend, 'runs.preview', {
      profileId: 'env',
      mode: 'restart',
      source: { kind: 'text', text, fileName: 'pasted.txt' },
      skipInvalid: false,
    });
    // The blank line 6 is skipped and counted, not a bad line.
    expect(preview).toMatchObject({ mode: 'restart', total: 3, duplicates: 1, blankLines: 1 });
    expect(preview.invalid.map((line) => [line.line, line.input])).toEqual([
      [2, 'abc'],
      [3, '-5'],
      [4, '0'],
      [5, '2.5'],
      [10, '99999999999'],
    ]);
    for (const line of preview.invalid) expect(line.reason).not.toBe('');
    expect(preview.requests).toBeGreaterThan(0);
    expect(preview.expectedSeconds).toBeGreaterThan(0);

    const refused = await refusal(backend, 'runs.start', { previewId: preview.previewId });
    expect(refused).toMatchObject({ code: 'INVALID_CHAT_IDS', category: 'bad-input' });
    expect(refused.message).toMatch(/5 lines/);
    expect(demo.counters.requests).toBe(0);
    expect(await call(backend, 'runs.list', {})).toEqual([]);

    // Pasted ids: duplicates are dropped and counted too.
    const ids = await call<RunPreview>(backend, 'runs.preview', {
      profileId: 'env',
      mode: 'start',
      source: { kind: 'ids', chatIds: [a, b, a, a] },
      skipInvalid: false,
    });
    expect(ids).toMatchObject({ total: 2, duplicates: 2, invalid: [] });
    expect(demo.counters.requests).toBe(0);
  });

  it('runs the valid ids when told to skip bad lines: every chat started once, progress events to the end', async () => {
    const demo = await startPortal();
    const backend = envBackend(demo);
    const events = progressEvents(backend);
    const { open, closed } = chatsOf(demo);
    const chosen = [...closed.slice(0, 25), ...open.slice(0, 10)];
    const text = `CHAT_ID\n${chosen.join('\n')}\nnot-a-chat\n${chosen[0]}\n`;
    const preview = await call<RunPreview>(backend, 'runs.preview', {
      profileId: 'env',
      mode: 'start',
      source: { kind: 'text', text, fileName: 'chats.csv' },
      skipInvalid: true,
    });
    expect(preview).toMatchObject({ total: 35, duplicates: 1, invalid: [{ line: 37, input: 'not-a-chat' }] });

    const started = await call<RunProgress>(backend, 'runs.start', { previewId: preview.previewId });
    expect(started).toMatchObject({ profileId: 'env', mode: 'start', total: 35 });
    expect(['running', 'holding']).toContain(started.status);
    const last = await ended(events, started.runId);

    expect(last).toMatchObject({ status: 'finished', requests: expect.any(Number) });
    expect(last.counts).toMatchObject({ verified: 25, 'already-active': 10, failed: 0, pending: 0, sent: 0 });
    expect(last.resultsFile).toEqual(expect.stringContaining(started.runId));
    expect(events.some((e) => e.runId === started.runId && e.status === 'running')).toBe(true);
    for (const id of closed.slice(0, 25)) expect(demo.counters.sessionStarts.get(id)).toBe(1);
    for (const id of open.slice(0, 10)) expect(demo.counters.sessionStarts.get(id)).toBeUndefined();

    // The same preview cannot start a second run.
    const again = await refusal(backend, 'runs.start', { previewId: preview.previewId });
    expect(again.code).toBe('NOT_FOUND');

    const results = await call<RunChatResult[]>(backend, 'runs.results', { runId: started.runId });
    expect(results).toHaveLength(35);
    for (const result of results) {
      const wasClosed = closed.slice(0, 25).includes(result.chatId);
      expect(result).toMatchObject({
        state: wasClosed ? 'verified' : 'already-active',
        sessionId: demo.chat(result.chatId)!.sessionId,
        code: null,
      });
    }
    const { fileName, csv } = await call<{ fileName: string; csv: string }>(backend, 'runs.exportCsv', {
      runId: started.runId,
    });
    expect(fileName).toBe(`openlines-run-${started.runId}.csv`);
    const rows = csv.trimEnd().split('\r\n');
    expect(rows[0]).toBe('CHAT_ID,STATE,CODE,MESSAGE,SESSION_ID,BASELINE_SESSION_ID');
    expect(rows).toHaveLength(36);
    const row = rows.find((line) => line.startsWith(`${closed[0]},`));
    expect(row).toMatch(new RegExp(`^${closed[0]},verified,,,${demo.chat(closed[0]!)!.sessionId},\\d+$`));

    const secret = new URL(demo.webhookUrl).pathname.split('/')[3]!;
    expect(JSON.stringify(events) + csv + JSON.stringify(results)).not.toContain(secret);
  });

  it('answers a stale or unknown preview and an unknown run with NOT_FOUND, sending nothing', async () => {
    const demo = await startPortal();
    const backend = envBackend(demo);
    expect(await refusal(backend, 'runs.start', { previewId: 'b9f1c6f2-0000-4000-8000-000000000000' })).toMatchObject({
      code: 'NOT_FOUND',
      category: 'not-found',
    });
    // A preview made by a console that has since closed is gone with it.
    const preview = await call<RunPreview>(backend, 'runs.preview', {
      profileId: 'env',
      mode: 'start',
      source: { kind: 'ids', chatIds: chatsOf(demo).closed.slice(0, 3) },
      skipInvalid: false,
    });
    const next = envBackend(demo);
    expect((await refusal(next, 'runs.start', { previewId: preview.previewId })).code).toBe('NOT_FOUND');
    for (const channel of ['runs.results', 'runs.exportCsv', 'runs.resume']) {
      expect((await refusal(next, channel, { runId: '20990101-000000-abcd' })).code).toBe('NOT_FOUND');
    }
    const unknownRetry = await refusal(next, 'runs.preview', {
      profileId: 'env',
      mode: 'start',
      source: { kind: 'ids', chatIds: [1001] },
      skipInvalid: false,
      retryOf: '20990101-000000-abcd',
    });
    expect(unknownRetry.code).toBe('NOT_FOUND');
    expect(demo.counters.requests).toBe(0);
  });

  it('pauses without sending, resumes, and finishes with each chat started once', async () => {
    // 0.15 s per start: the engine's first, small request of starts is still out when the pause comes.
    const demo = await startPortal({ costSeconds: { 'imopenlines.session.start': 0.15, default: 0.001 } });
    const backend = envBackend(demo);
    const events = progressEvents(backend);
    const chatIds = chatsOf(demo).closed.slice(0, 100);
    const started = await startFromIds(backend, chatIds);
    await listedWhen(backend, started.runId, (run) => run.counts.sent > 0);

    const paused = await call<RunProgress>(backend, 'runs.pause', { runId: started.runId });
    expect(paused.status).toBe('paused');
    const requests = await steady(() => demo.counters.requests, 1_000);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(demo.counters.requests).toBe(requests);
    const listed = await listedWhen(backend, started.runId, () => true);
    expect(listed.status).toBe('paused');
    // Work is left: chats not sent yet, or started and waiting for their confirming read.
    expect(listed.counts.verified).toBeLessThan(100);

    const resumed = await call<RunProgress>(backend, 'runs.resume', { runId: started.runId });
    expect(resumed.status).not.toBe('paused');
    const last = await ended(events, started.runId);
    expect(last.status).toBe('finished');
    expect(last.counts).toMatchObject({ verified: 100, failed: 0 });
    for (const id of chatIds) expect(demo.counters.sessionStarts.get(id)).toBe(1);
  });

  it('cancels a run: what was sent is confirmed, the rest is skipped and never started', async () => {
    // 0.15 s per start: the cancel comes while the engine's first, small request is still out.
    const demo = await startPortal({ costSeconds: { 'imopenlines.session.start': 0.15, default: 0.001 } });
    const backend = envBackend(demo);
    const events = progressEvents(backend);
    const chatIds = chatsOf(demo).closed.slice(0, 100);
    const started = await startFromIds(backend, chatIds);
    await listedWhen(backend, started.runId, (run) => run.counts.sent > 0);

    await call<RunProgress>(backend, 'runs.cancel', { runId: started.runId });
    const last = await ended(events, started.runId);

    expect(last.status).toBe('cancelled');
    expect(last.counts.skipped).toBeGreaterThan(0);
    expect(last.counts.pending + last.counts.sent + last.counts.started).toBe(0);
    const results = await call<RunChatResult[]>(backend, 'runs.results', { runId: started.runId });
    for (const result of results) {
      const starts = demo.counters.sessionStarts.get(result.chatId) ?? 0;
      expect({ id: result.chatId, state: result.state, starts }).toEqual({
        id: result.chatId,
        state: result.state === 'skipped' ? 'skipped' : 'verified',
        starts: result.state === 'skipped' ? 0 : 1,
      });
    }
    // A cancelled run is not offered for resume.
    expect((await refusal(backend, 'runs.resume', { runId: started.runId })).code).toBe('RUN_STATE');
  });

  it('previews a retry with only the failed chats a retry may help, in the mode of the run it retries', async () => {
    const demo = await startPortal();
    const backend = envBackend(demo);
    const events = progressEvents(backend);
    const { closed, denied } = chatsOf(demo);
    const groupChat = demo.groupChatIds()[0]!;
    const first = await startFromIds(backend, [...closed.slice(0, 8), denied[0]!, groupChat]);
    const firstEnd = await ended(events, first.runId);
    expect(firstEnd.counts).toMatchObject({ verified: 8, failed: 2 });

    // ACCESS_DENIED and CHAT_TYPE fail again however often they are sent: the retry holds neither, nor a chat
    // that did not fail.
    const retry = (mode: 'start' | 'restart') => ({
      profileId: 'env',
      mode,
      source: { kind: 'ids', chatIds: [denied[0]!, groupChat, closed[0]!] },
      skipInvalid: false,
      retryOf: first.runId,
    });
    const preview = await call<RunPreview>(backend, 'runs.preview', retry('start'));
    expect(preview.total).toBe(0);
    expect((await refusal(backend, 'runs.start', { previewId: preview.previewId })).message).toMatch(/no chats to run/);
    expect((await refusal(backend, 'runs.preview', retry('restart'))).code).toBe('RUN_STATE');
    for (const id of closed.slice(0, 8)) expect(demo.counters.sessionStarts.get(id)).toBe(1);

    const clean = await startFromIds(backend, closed.slice(8, 10));
    await ended(events, clean.runId);
    expect((await refusal(backend, 'runs.preview', { ...retry('start'), retryOf: clean.runId })).code).toBe(
      'RUN_STATE',
    );
  });

  it('makes no run while the portal refuses the credentials, and the same preview starts once it is fixed', async () => {
    const demo = await startPortal();
    const backend = envBackend(demo);
    const events = progressEvents(backend);
    const chatIds = chatsOf(demo).closed.slice(0, 3);
    const preview = await call<RunPreview>(backend, 'runs.preview', {
      profileId: 'env',
      mode: 'start',
      source: { kind: 'ids', chatIds },
      skipInvalid: false,
    });
    const refused = { error: 'INVALID_CREDENTIALS', error_description: 'Invalid request credentials' };
    demo.setFaults({ garbage: { status: 401, body: JSON.stringify(refused) } });
    expect((await refusal(backend, 'runs.start', { previewId: preview.previewId })).code).toBe('INVALID_CREDENTIALS');
    expect(await call<RunProgress[]>(backend, 'runs.list', {})).toEqual([]);
    expect(demo.counters.sessionStarts.size).toBe(0);

    demo.setFaults({});
    const run = await call<RunProgress>(backend, 'runs.start', { previewId: preview.previewId });
    expect((await ended(events, run.runId)).counts.verified).toBe(3);
  });

  it('lists runs newest first, filtered by profile', async () => {
    const demo = await startPortal();
    const backend = envBackend(demo);
    const events = progressEvents(backend);
    const envRun = await startFromIds(backend, chatsOf(demo).closed.slice(0, 3));
    await ended(events, envRun.runId);

    // The built-in demo profile, on its own embedded portal, in the same data folder.
    const demoBackend = createBackend({
      runtime: 'browser',
      version: '0.0.0-test',
      home,
      mode: 'demo',
      demoPortal: { chats: 40, plan: 'enterprise', costSeconds: 0.001 },
    });
    backends.push(demoBackend);
    const demoEvents = progressEvents(demoBackend);
    const embedded = await demoBackend.services.demoPortal();
    const demoPreview = await call<RunPreview>(demoBackend, 'runs.preview', {
      profileId: 'demo',
      mode: 'start',
      source: { kind: 'ids', chatIds: chatsOf(embedded).closed.slice(0, 2) },
      skipInvalid: false,
    });
    const demoRun = await call<RunProgress>(demoBackend, 'runs.start', { previewId: demoPreview.previewId });
    await ended(demoEvents, demoRun.runId);

    // A run the CLI made with OPENLINES_WEBHOOK_URL has no profile: the console in env mode shows it as its own.
    const cliRun = await startRun(
      {
        client: await backend.services.clientFor('env'),
        runsDir: backend.services.paths.runsDir,
        profile: { id: null, name: 'OPENLINES_WEBHOOK_URL' },
      },
      { chatIds: chatsOf(demo).closed.slice(3, 5), mode: 'start' },
    );
    expect((await cliRun.done).status).toBe('finished');

    const all = await call<RunProgress[]>(backend, 'runs.list', {});
    expect(all.map((run) => run.runId)).toEqual([cliRun.runId, demoRun.runId, envRun.runId]);
    const envOnly = await call<RunProgress[]>(backend, 'runs.list', { profileId: 'env' });
    expect(envOnly.map((r) => r.runId)).toEqual([cliRun.runId, envRun.runId]);
    const demoOnly = await call<RunProgress[]>(backend, 'runs.list', { profileId: 'demo' });
    expect(demoOnly.map((r) => [r.runId, r.profileName, r.status])).toEqual([
      [demoRun.runId, 'Demo portal', 'finished'],
    ]);
    expect(await call(backend, 'runs.list', { profileId: 'someone-else' })).toEqual([]);
  });

  it('after the console closes mid-run, the next one lists the run as unfinished and resume restarts each chat once', async () => {
    // 0.1 s per close or start: the run is mid-batch when the console closes, and the portal keeps running it.
    const demo = await startPortal({
      costSeconds: { 'imopenlines.operator.another.finish': 0.1, 'imopenlines.session.start': 0.1, default: 0.001 },
    });
    const first = envBackend(demo);
    const events = progressEvents(first);
    const { open, closed } = chatsOf(demo);
    const chatIds = [...open.slice(0, 50), ...closed.slice(0, 50)];
    const before = new Map(chatIds.map((id) => [id, demo.chat(id)!.sessionId]));
    const started = await startFromIds(first, chatIds, 'restart');
    await listedWhen(first, started.runId, (run) => run.counts.sent > 0);
    await first.close();
    backends.splice(backends.indexOf(first), 1);

    const atClose = events.filter((e) => e.runId === started.runId).at(-1)!;
    expect(atClose.status).toBe('interrupted');
    expect(atClose.counts.verified).toBeLessThan(100);

    const second = envBackend(demo);
    const secondEvents = progressEvents(second);
    const listed = (await call<RunProgress[]>(second, 'runs.list', { profileId: 'env' })).find(
      (run) => run.runId === started.runId,
    );
    expect(listed).toMatchObject({ status: 'interrupted', reason: { code: 'APP_CLOSED' } });

    await call<RunProgress>(second, 'runs.resume', { runId: started.runId });
    const last = await ended(secondEvents, started.runId);
    expect(last.status).toBe('finished');
    expect(last.counts).toMatchObject({ verified: 100, failed: 0 });
    expectRestartedOnce(demo, chatIds, before);
    const results = await call<RunChatResult[]>(second, 'runs.results', { runId: started.runId });
    for (const result of results) expect(result.sessionId).toBe(demo.chat(result.chatId)!.sessionId);
  });
});
