// `openlines serve` as a user starts it: a child process; its arguments are checked before anything is served.
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rendererBuilt } from '../host/renderer-build.ts';
import { parseServeArgs, servicesOptionsFor } from './serve-command.ts';
import { cliEnv, spawnCli } from './testing/run-cli.ts';

let home: string;
beforeEach(async () => {
  home = await mkdtemp(path.join(os.tmpdir(), 'openlines-serve-'));
});
afterEach(() => rm(home, { recursive: true, force: true }));

function serve(args: string[]) {
  return spawnCli(['serve', ...args], cliEnv(home));
}

describe('openlines serve, arguments', () => {
  it('refuses bad flags with exit 2 and says why, before anything is served', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--port', '70000'], /--port must be an integer from 0 to 65535 \(got "70000"\)\./],
      [['--demo', '--chats', '60000'], /--chats must be an integer from 0 to 50000 \(got "60000"\)\./],
      [['--chats', '5'], /--chats applies only with --demo\./],
      [['--nope'], /Unknown option '--nope'[\s\S]*Usage: openlines serve/],
      [['somewhere'], /Unexpected argument 'somewhere'/],
    ];
    for (const [args, message] of cases) {
      const result = await serve(args).result;
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stdout).toBe('');
    }
    const help = await serve(['--help']).result;
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: openlines serve \[--demo \[--chats N\]\] \[--port N\]/);
  }, 60_000);

  it('picks the demo portal, OPENLINES_WEBHOOK_URL or the profiles', () => {
    const demo = parseServeArgs(['--demo', '--chats', '30', '--port', '0']);
    expect(demo).toEqual({ demo: true, port: 0, chats: 30, verbose: false });
    expect(servicesOptionsFor(demo as Exclude<typeof demo, 'help'>, {})).toMatchObject({
      mode: 'demo',
      demoPortal: { chats: 30 },
      runtime: 'browser',
    });
    const plain = { demo: false, port: 0, chats: undefined, verbose: false };
    expect(servicesOptionsFor({ ...plain, verbose: true }, {})).toMatchObject({ verboseRequests: true });
    const webhookUrl = 'https://example.bitrix24.com/rest/1/abcdefgh/';
    expect(servicesOptionsFor(plain, { OPENLINES_WEBHOOK_URL: ` ${webhookUrl} ` })).toMatchObject({
      mode: 'env',
      envWebhookUrl: webhookUrl,
    });
    expect(servicesOptionsFor(plain, {})).toMatchObject({ mode: 'profiles' });
  });
});

// The live part needs the built renderer (`npm test` builds it before the unit tests; host-hardening.test.ts builds
// it when missing, and two builds at once would write the same folder).
describe.skipIf(!rendererBuilt())('openlines serve --demo, running', () => {
  it('prints exactly one line with the address and token, serves the page, and exits 0 on SIGTERM', async () => {
    const { child, result } = serve(['--demo', '--chats', '20', '--port', '0']);
    const [first] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
    const match = /^Open Lines Console: (http:\/\/127\.0\.0\.1:\d+)\/#token=([\w-]{20,})$/.exec(first);
    expect(match, first).not.toBeNull();
    const page = await fetch(`${match![1]}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<html/i);
    child.kill('SIGTERM');
    const done = await result;
    expect(done.code).toBe(0);
    expect(done.stdout.trim().split('\n')).toEqual([first]);
  }, 90_000);

  it('says the port is in use with exit 2', async () => {
    const taken = createServer();
    taken.listen(0, '127.0.0.1');
    await once(taken, 'listening');
    const { port } = taken.address() as { port: number };
    try {
      const result = await serve(['--demo', '--port', String(port)]).result;
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`openlines: port ${port} is already in use.`);
      expect(result.stdout).toBe('');
    } finally {
      taken.close();
    }
  }, 60_000);
});
