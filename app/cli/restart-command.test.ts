// The `openlines restart`, `resume` and `runs` commands as scripts see them: a child process against a demo portal
// running in this test process, over real HTTP.
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readJournal } from '../core/runs/journal.ts';
import { RunState } from '../core/runs/run-state.ts';
import { expectRestartedOnce } from '../core/runs/testing/waits.ts';
import { createDemoPortal } from '../demo-portal/demo-portal.ts';
import type { DemoPortal, DemoPortalOptions } from '../demo-portal/types.ts';
import { accessible, JSON_KEYS } from './testing/bulk-fixtures.ts';
import { type CliResult, cliEnv, spawnCli as spawnOpenlines } from './testing/run-cli.ts';

let home: string;
let portal: DemoPortal;
let secret: string;
const outputs: string[] = [];

beforeEach(async () => {
  home = await mkdtemp(path.join(os.tmpdir(), 'openlines-cli-'));
  outputs.length = 0;
});

afterEach(async () => {
  // Nothing any command printed may hold the webhook's secret code.
  for (const text of outputs) expect(text).not.toContain(secret);
  await portal?.close();
  await rm(home, { recursive: true, force: true });
});

async function startPortal(options: DemoPortalOptions = {}): Promise<DemoPortal> {
  portal = await createDemoPortal({ chats: 300, plan: 'enterprise', costSeconds: 0.001, ...options });
  secret = new URL(portal.webhookUrl).pathname.split('/')[3]!;
  return portal;
}

function spawnCli(
  args: string[],
  input?: string,
  requestLimitMs = 2_500,
  webhookUrl = portal.webhookUrl,
): { child: ChildProcess; result: Promise<CliResult> } {
  const env = cliEnv(home, {
    OPENLINES_WEBHOOK_URL: webhookUrl,
    // How long the portal may still run a request: the real 65 s would make the tests wait a minute.
    OPENLINES_BULK_REQUEST_LIMIT_MS: String(requestLimitMs),
  });
  const { child, result } = spawnOpenlines(args, env, input);
  return {
    child,
    result: result.then((done) => {
      outputs.push(done.stdout, done.stderr);
      return done;
    }),
  };
}

function cli(args: string[], input?: string): Promise<CliResult> {
  return spawnCli(args, input).result;
}

async function chatsFile(name: string, text: string): Promise<string> {
  const file = path.join(home, name);
  await writeFile(file, text);
  return file;
}

async function journalFiles(): Promise<string[]> {
  const runsDir = path.join(home, 'runs');
  const files = [path.join(runsDir, 'audit.jsonl')];
  for (const runId of await readdir(runsDir)) {
    if (runId.endsWith('.jsonl') || runId.endsWith('.json')) continue;
    for (const name of await readdir(path.join(runsDir, runId))) files.push(path.join(runsDir, runId, name));
  }
  return files;
}

describe('openlines restart', () => {
  it('refuses a file with bad lines: exit 2, every bad line listed, nothing sent', async () => {
    const demo = await startPortal();
    const file = await chatsFile(
      'chats.txt',
      ['101', 'abc', '-5', '0', '2.5', '12345678901234', '', '102', '101'].join('\n'),
    );
    const result = await cli(['restart', '--chats', file, '--yes', '--json']);

    expect(result.code).toBe(2);
    expect(demo.counters.requests).toBe(0);
    const output = JSON.parse(result.stdout);
    expect(Object.keys(output)).toEqual(JSON_KEYS);
    expect(output).toMatchObject({ runId: null, total: 2, duplicates: 1, requests: 0 });
    expect(output.invalid).toEqual([
      { line: 2, input: 'abc', reason: 'not a whole number' },
      { line: 3, input: '-5', reason: 'negative number' },
      { line: 4, input: '0', reason: 'zero is not a chat id' },
      { line: 5, input: '2.5', reason: 'decimal number' },
      { line: 6, input: '12345678901234', reason: 'too large (chat ids go up to 2147483647)' },
    ]);
    for (const line of [2, 3, 4, 5, 6]) expect(result.stderr).toContain(`line ${line}:`);
    // The blank line 7 is no mistake: skipped and counted.
    expect(result.stderr).toContain('1 blank line skipped.');
    expect(result.stderr).not.toContain('line 7:');
  });

  it('prints the first 20 bad lines of a binary file and counts the rest; --json keeps them all', async () => {
    const demo = await startPortal();
    const garbage = Array.from({ length: 500 }, (_, index) => `\u0000\u00ff${'x'.repeat(index % 7)}\u0001`);
    const file = await chatsFile('binary.bin', garbage.join('\n'));

    const human = await cli(['restart', '--chats', file, '--yes']);
    expect(human.code).toBe(2);
    expect(human.stderr).toContain('line 20:');
    expect(human.stderr).not.toContain('line 21:');
    expect(human.stderr).toContain('… and 480 more lines (--json lists every one)');
    expect(human.stderr.length).toBeLessThan(4_000);

    const json = await cli(['restart', '--chats', file, '--yes', '--json']);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout).invalid).toHaveLength(500);
    expect(demo.counters.requests).toBe(0);
  });

  it('refuses a CSV without a CHAT_ID column, listing every line', async () => {
    const demo = await startPortal();
    const file = await chatsFile('chats.csv', 'ID,NAME\n101,"Smith, Ann"\n102,Bob\n');
    const result = await cli(['restart', '--chats', file, '--yes']);

    expect(result.code).toBe(2);
    expect(demo.counters.requests).toBe(0);
    expect(result.stdout).toBe('');
    for (const line of [1, 2, 3])
      expect(result.stderr).toMatch(new RegExp(`line ${line}: .* the CSV has no CHAT_ID column`));
  });

  it('prints the preview with --dry-run and sends nothing', async () => {
    const demo = await startPortal();
    const ids = accessible(demo, false).slice(0, 30);
    const result = await cli(['restart', '--chats', '-', '--dry-run', '--mode', 'restart'], ids.join('\n'));

    expect(result.code).toBe(0);
    expect(demo.counters.requests).toBe(0);
    expect(result.stdout).toMatch(/Bulk restart on 127\.0\.0\.1:\d+: 30 chats/);
    expect(result.stdout).toMatch(/requests: about \d+/);
    expect(result.stdout).toMatch(/expected duration: about \d+/);
  });

  it('refuses to start without --yes when there is no terminal to ask on', async () => {
    const demo = await startPortal();
    const file = await chatsFile('chats.txt', accessible(demo, false).slice(0, 3).join('\n'));
    const result = await cli(['restart', '--chats', file]);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--yes/);
    expect(demo.counters.requests).toBe(0);
  });

  it('starts a CSV column of chats and prints one JSON object; exit 1 when some chats failed', async () => {
    const demo = await startPortal();
    const closed = accessible(demo, false).slice(0, 5);
    const open = accessible(demo, true).slice(0, 3);
    const denied = demo.chatIds().find((id) => !demo.chat(id)!.accessible)!;
    const rows = [...closed, ...open, denied].map((id, i) => `"name, ${i}",${id},x`);
    const file = await chatsFile('chats.csv', `NAME,CHAT_ID,NOTE\n${rows.join('\n')}\n`);
    const result = await cli(['restart', '--chats', file, '--yes', '--json', '--plan', 'enterprise']);

    expect(result.code).toBe(1);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const output = JSON.parse(lines[0]!);
    expect(Object.keys(output)).toEqual(JSON_KEYS);
    expect(output).toMatchObject({ mode: 'start', total: 9, started: 5, verified: 5, alreadyActive: 3, invalid: [] });
    expect(output.failed).toEqual([{ chatId: denied, code: 'ACCESS_DENIED', message: expect.any(String) }]);
    expect(output.requests).toBeGreaterThan(0);
    expect(result.stderr).toMatch(/finished/);
    for (const id of closed) expect(demo.counters.sessionStarts.get(id)).toBe(1);
    for (const id of open) expect(demo.counters.sessionStarts.get(id)).toBeUndefined();
    for (const file of await journalFiles()) expect(await readFile(file, 'utf8')).not.toContain(secret);
  });

  it('survives SIGKILL mid-batch: resume reconciles what was in flight, each chat restarted exactly once', async () => {
    // Closing costs 0.1 s: a batch of 20 runs for two seconds on the portal, and keeps running after the kill.
    const demo = await startPortal({
      costSeconds: { 'imopenlines.operator.another.finish': 0.1, 'imopenlines.session.start': 0.05, default: 0.001 },
    });
    const ids = [...accessible(demo, true).slice(0, 60), ...accessible(demo, false).slice(0, 60)];
    const before = new Map(ids.map((id) => [id, demo.chat(id)!.sessionId]));
    const file = await chatsFile('chats.txt', `${ids.join('\n')}\n`);
    // A deadline long enough that the resume below starts while the killed batch may still be running.
    const { child, result } = spawnCli(
      ['restart', '--chats', file, '--mode', 'restart', '--yes', '--plan', 'enterprise'],
      undefined,
      6_000,
    );

    const runDir = await waitForSentWrites();
    child.kill('SIGKILL');
    const killed = await result;
    expect(killed.signal).toBe('SIGKILL');
    const recordsAtKill = (await readJournal(runDir)).records;
    const atKill = RunState.replay(recordsAtKill);
    expect(atKill.counts().sent).toBeGreaterThan(0);

    const runs = JSON.parse((await cli(['runs', '--json'])).stdout).runs;
    expect(runs).toHaveLength(1);
    expect(runs[0].status).toBe('interrupted');

    const resumed = await cli(['resume', '--json']);
    expect(resumed.stderr).toMatch(/finished/);
    expect(resumed.code).toBe(0);
    const output = JSON.parse(resumed.stdout);
    expect(output).toMatchObject({ runId: runs[0].runId, mode: 'restart', total: 120, verified: 120, failed: [] });
    expectRestartedOnce(demo, ids, before);
    // No write for a chat that was in flight left again before the portal could have finished the killed batch.
    const deadlines = new Map<number, number>();
    for (const chat of atKill.chats.values()) if (chat.inFlight) deadlines.set(chat.chatId, chat.inFlight.until);
    const later = (await readJournal(runDir)).records.slice(recordsAtKill.length);
    let resent = 0;
    for (const record of later) {
      if (record.t !== 'sent') continue;
      for (const id of record.c) {
        const until = deadlines.get(id);
        if (until === undefined) continue;
        resent++;
        expect(record.at).toBeGreaterThanOrEqual(until);
      }
    }
    expect(resent).toBeGreaterThan(0);
    for (const file of await journalFiles()) expect(await readFile(file, 'utf8')).not.toContain(secret);
  });

  it('stops on SIGINT with exit 4, and the run is resumable', async () => {
    // 0.1 s per start: the run is still going when the signal arrives, however loaded the machine.
    const demo = await startPortal({ costSeconds: { 'imopenlines.session.start': 0.1, default: 0.001 } });
    const ids = accessible(demo, false).slice(0, 100);
    const file = await chatsFile('chats.txt', ids.join('\n'));
    const { child, result } = spawnCli(['restart', '--chats', file, '--yes', '--json', '--plan', 'enterprise']);
    await waitForSentWrites();
    child.kill('SIGINT');
    const stopped = await result;

    expect(stopped.code).toBe(4);
    const output = JSON.parse(stopped.stdout);
    expect(output.verified).toBeLessThan(100);
    // Said once, under the summary; the last progress line agrees with the summary it precedes.
    expect(stopped.stderr.match(/openlines resume/g)).toHaveLength(1);
    const lines = stopped.stderr.split('\n');
    const summaryAt = lines.findIndex((line) => line.startsWith(`openlines: run ${output.runId} interrupted:`));
    const lastProgress = lines.slice(0, summaryAt).findLast((line) => / done · /.test(line));
    const done = output.started + output.alreadyActive;
    expect(lastProgress).toMatch(
      new RegExp(`^openlines: interrupted · ${done}/100 done · ${output.verified} verified`),
    );

    const resumed = await cli(['resume', output.runId, '--json']);
    expect(resumed.code).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ total: 100, verified: 100, failed: [] });
    for (const id of ids) expect(demo.counters.sessionStarts.get(id)).toBe(1);
  });

  it('stops with exit 3 when the portal refuses the webhook code, and nothing is started', async () => {
    const demo = await startPortal();
    const ids = accessible(demo, false).slice(0, 10);
    const file = await chatsFile('chats.txt', ids.join('\n'));
    const wrongCode = 'wr0ngc0de4tests';
    const wrongUrl = demo.webhookUrl.replace(secret, wrongCode);
    const result = await spawnCli(['restart', '--chats', file, '--yes', '--json'], undefined, 2_500, wrongUrl).result;

    expect(result.code).toBe(3);
    const output = JSON.parse(result.stdout);
    expect(Object.keys(output)).toEqual(JSON_KEYS);
    // Refused before anything was written: no run to list or resume.
    expect(output).toMatchObject({ runId: null, total: 10, started: 0, verified: 0, alreadyActive: 0, failed: [] });
    expect(result.stderr).toMatch(/credentials.*Nothing was sent and no run was made\./s);
    expect(result.stderr).not.toMatch(/openlines resume/);
    await expect(readdir(path.join(home, 'runs'))).rejects.toThrow(/ENOENT/);
    expect(demo.counters.authFailures).toBeGreaterThan(0);
    expect(demo.counters.sessionStarts.size).toBe(0);
    expect(result.stdout + result.stderr).not.toContain(wrongCode);
  });

  it('stops with exit 4 on OVERLOAD_LIMIT, and resume finishes each chat exactly once', async () => {
    const demo = await startPortal();
    const ids = accessible(demo, false).slice(0, 20);
    const file = await chatsFile('chats.txt', ids.join('\n'));
    demo.setFaults({ overload: true });
    const stopped = await cli(['restart', '--chats', file, '--yes', '--json']);

    expect(stopped.code).toBe(4);
    const output = JSON.parse(stopped.stdout);
    expect(Object.keys(output)).toEqual(JSON_KEYS);
    expect(output).toMatchObject({ total: 20, verified: 0, failed: [] });
    expect(stopped.stderr).toMatch(/OVERLOAD_LIMIT|Bitrix24 support/);
    expect(demo.counters.sessionStarts.size).toBe(0);

    demo.setFaults({});
    const resumed = await cli(['resume', output.runId, '--json']);
    expect(resumed.code).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ runId: output.runId, total: 20, verified: 20, failed: [] });
    for (const id of ids) expect(demo.counters.sessionStarts.get(id)).toBe(1);
  });

  it('says when there is nothing to resume', async () => {
    await startPortal();
    const result = await cli(['resume']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/no unfinished bulk run/);
  });
});

describe('openlines runs', () => {
  it('lists a run whose journal is damaged in a middle line, with its id and what to do, and exits 3', async () => {
    const demo = await startPortal();
    const file = await chatsFile('few.txt', accessible(demo, false).slice(0, 3).join('\n'));
    expect((await cli(['restart', '--chats', file, '--mode', 'start', '--yes', '--json'])).code).toBe(0);
    const [runId] = (await readdir(path.join(home, 'runs'))).filter((name) => !name.includes('.'));
    const journal = path.join(home, 'runs', runId!, 'journal.jsonl');
    const lines = (await readFile(journal, 'utf8')).split('\n');
    lines[1] = '{"t":"sent", damaged by hand';
    await writeFile(journal, lines.join('\n'));

    const listed = await cli(['runs']);
    expect(listed.code).toBe(3);
    expect(listed.stdout).not.toMatch(/No bulk runs yet/);
    expect(listed.stderr).toContain(`run ${runId} cannot be shown or resumed`);
    expect(listed.stderr).toMatch(/damaged at line 2/);
    expect(listed.stderr).toMatch(/check its chats on the portal/);
    const json = await cli(['runs', '--json']);
    expect(json.code).toBe(3);
    expect(JSON.parse(json.stdout)).toMatchObject({
      runs: [],
      damaged: [{ runId, problem: expect.stringMatching(/line 2/) }],
    });
  });
});

/** Waits until a run's journal shows writes sent, and returns its folder. */
async function waitForSentWrites(timeoutMs = 30_000): Promise<string> {
  const runsDir = path.join(home, 'runs');
  const start = Date.now();
  for (;;) {
    try {
      for (const runId of await readdir(runsDir)) {
        const file = path.join(runsDir, runId, 'journal.jsonl');
        const text = await readFile(file, 'utf8').catch(() => '');
        if (text.includes('"t":"sent"')) return path.join(runsDir, runId);
      }
    } catch {
      // The runs folder does not exist yet.
    }
    if (Date.now() - start > timeoutMs) throw new Error('no writes were sent');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
