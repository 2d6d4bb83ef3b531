import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBitrix24Client } from '../core/bitrix24/client.ts';
import { dataPaths } from '../core/data-folder.ts';
import { ProfileSecrets } from '../core/keychain/profile-secrets.ts';
import { ProfileStore } from '../core/profiles/profile-store.ts';
import { resolvePortal } from '../core/profiles/resolve-portal.ts';
import {
  filesContaining,
  keychain,
  keychainAccountOf,
  listFiles,
  secretCode,
  TestHome,
} from '../core/profiles/test-support.ts';
import { createDemoPortal } from '../demo-portal/demo-portal.ts';
import type { DemoPortal } from '../demo-portal/types.ts';
import { type CliResult, cliEnv, spawnCli } from './testing/run-cli.ts';

let home: TestHome;
const transcript: string[] = [];
const portals: DemoPortal[] = [];
beforeEach(async () => {
  home = await TestHome.create();
  transcript.length = 0;
});
afterEach(async () => {
  await Promise.all(portals.splice(0).map((p) => p.close()));
  await home.cleanup();
});

/** `openlines profiles …` as a user runs it; stdin is piped (never a TTY), so a secret comes from `input`. */
async function openlines(
  args: string[],
  options: { input?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<CliResult> {
  const run = await spawnCli(['profiles', ...args], cliEnv(home.root, options.env), options.input).result;
  transcript.push(run.stdout, run.stderr);
  return run;
}

async function demo(options: Parameters<typeof createDemoPortal>[0] = {}): Promise<DemoPortal> {
  const portal = await createDemoPortal({ chats: 5, ...options });
  portals.push(portal);
  return portal;
}

describe('openlines profiles, after real use', () => {
  it('keeps the webhook secret in the keychain only: not on disk, not on screen', async () => {
    const portal = await demo();
    const code = new URL(portal.webhookUrl).pathname.split('/')[3]!;
    const id = home.id('real');

    const added = await openlines(['add', '--name', `Demo ${id}`, '--id', id], { input: `${portal.webhookUrl}\n` });
    expect(added.code).toBe(0);
    expect(added.stdout).toMatch(/Added profile .* for 127\.0\.0\.1:\d+/);

    const checked = await openlines(['check', id]);
    expect(checked.code).toBe(0);
    expect(checked.stdout).toMatch(/Connected to 127\.0\.0\.1:\d+ as/);
    expect(checked.stdout).toMatch(/Scopes: .*imopenlines/);

    const json = await openlines(['check', '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      ok: true,
      check: { profileId: id, status: 'ok', missingScopes: [] },
    });

    // Use it the way the console does: resolve the default portal and call the portal with it.
    const store = new ProfileStore({ home: home.root, secrets: new ProfileSecrets(keychain) });
    const resolved = await resolvePortal({ store, env: {} });
    const client = createBitrix24Client(resolved.clientOptions);
    const lines = await client.call('imopenlines.config.list.get', {}, { idempotent: true });
    expect(Array.isArray(lines.result)).toBe(true);
    await mkdir(dataPaths(home.root).cacheDir(id), { recursive: true });
    await writeFile(path.join(dataPaths(home.root).cacheDir(id), 'lines.json'), JSON.stringify(lines.result));

    const listed = await openlines(['list', '--json']);
    expect(JSON.parse(listed.stdout).profiles).toEqual([
      expect.objectContaining({ id, secret: 'stored', isDefault: true }),
    ]);

    expect(await keychain.get(await keychainAccountOf(home.root, id))).toContain(code);
    expect(await listFiles(home.root)).toEqual(
      expect.arrayContaining(['profiles.json', path.join('cache', id, 'lines.json')]),
    );
    expect(await filesContaining(home.root, code)).toEqual([]);
    for (const output of transcript) expect(output).not.toContain(code);
  });
});

describe('openlines profiles, offline', () => {
  it('adds and edits a profile for a portal that does not resolve, and asks for the secret on first use', async () => {
    const id = home.id('vpn');
    const added = await openlines([
      'add',
      '--name',
      'Behind VPN',
      '--id',
      id,
      '--portal',
      'https://vpn-only.does-not-resolve.invalid',
      '--user-id',
      '5',
      '--no-secret',
    ]);
    expect(added.code).toBe(0);
    expect(added.stdout).toMatch(/asked for it on first use/);

    const edited = await openlines([
      'edit',
      'Behind VPN',
      '--name',
      'VPN branch',
      '--plan',
      'enterprise',
      '--lines',
      '2,7',
      '--json',
    ]);
    expect(edited.code).toBe(0);
    expect(JSON.parse(edited.stdout).profile).toMatchObject({
      id,
      name: 'VPN branch',
      plan: 'enterprise',
      defaultFilters: { lineIds: [2, 7] },
      secret: 'missing',
    });

    const listed = await openlines(['list']);
    expect(listed.stdout).toMatch(
      new RegExp(
        `\\*\\s+${id}\\s+VPN branch\\s+vpn-only.does-not-resolve.invalid\\s+webhook\\s+enterprise\\s+needs secret`,
      ),
    );

    const check = await openlines(['check', id]);
    expect(check.code).toBe(3);
    expect(check.stderr).toMatch(/no secret in the keychain yet.*--set-secret/);
  });

  it('explains bad input with exit code 2 and never takes a secret from a flag', async () => {
    const http = await openlines([
      'add',
      '--name',
      'Plain',
      '--portal',
      'http://remote.example.com',
      '--user-id',
      '1',
      '--no-secret',
    ]);
    expect(http.code).toBe(2);
    expect(http.stderr).toMatch(/portal uses plain http/);

    const flag = await openlines(['add', '--name', 'Leaky', '--webhook-url=https://x.example.com/rest/1/abcdefgh/']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/never taken from the command line/);
    expect(flag.stderr).not.toContain('abcdefgh');

    const missing = await openlines(['edit', 'nobody', '--name', 'Somebody']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/No profile is called "nobody"/);
    expect(await listFiles(home.root)).toEqual([]);
  });

  it('imports the good entries of a provisioning file and lists each bad one', async () => {
    const good = home.id('good');
    const file = path.join(home.root, 'portals-from-it.json');
    await writeFile(
      file,
      JSON.stringify([
        { id: good, name: 'Good', portal: 'good.example.com', auth: { kind: 'webhook', userId: 1 } },
        { name: 'Insecure', portal: 'http://bad.example.com', auth: { kind: 'webhook', userId: 1 } },
        { name: 'No auth', portal: 'https://na.example.com' },
      ]),
    );
    const run = await openlines(['import', file]);
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(new RegExp(`Imported 1 profile\\(s\\) .*: ${good}`));
    expect(run.stdout).toMatch(new RegExp(`Needing a secret on first use: ${good}`));
    expect(run.stderr).toMatch(/entry 1 \("Insecure"\): portal uses plain http/);
    expect(run.stderr).toMatch(/entry 2 \("No auth"\): auth /);

    const exported = path.join(home.root, 'export.json');
    expect((await openlines(['export', exported])).code).toBe(0);
    expect(JSON.parse(await readFile(exported, 'utf8')).profiles).toEqual([expect.objectContaining({ id: good })]);
  });

  it('removes a profile with its keychain entry and cached data', async () => {
    const id = home.id('rm');
    const code = secretCode();
    const add = await openlines(['add', '--name', 'To remove', '--id', id], {
      input: `https://rm.example.com/rest/2/${code}/`,
    });
    expect(add.code).toBe(0);
    const account = await keychainAccountOf(home.root, id);
    expect(await keychain.get(account)).toContain(code);
    const cache = dataPaths(home.root).cacheDir(id);
    await mkdir(cache, { recursive: true });
    await writeFile(path.join(cache, 'chats.json'), '[]');

    const removed = await openlines(['remove', id]);
    expect(removed.code).toBe(0);
    expect(removed.stdout).toMatch(/secret was removed from the keychain[\s\S]*cached data was removed/);
    expect(await keychain.get(account)).toBeNull();
    await expect(stat(cache)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(JSON.parse((await openlines(['list', '--json'])).stdout).profiles).toEqual([]);
  });
});

describe('openlines profiles without a keychain', () => {
  it('refuses to save, explains the fix, exits 3 and leaves no trace of the secret', async () => {
    const id = home.id('nokc');
    const code = secretCode();
    const run = await openlines(['add', '--name', 'No keychain', '--id', id], {
      input: `https://nk.example.com/rest/2/${code}/`,
      env: { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/openlines-bus', DISPLAY: '' },
    });
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/secret was not saved: the OS keychain is not available/);
    expect(run.stderr).toMatch(/gnome-keyring/);
    expect(run.stderr).toMatch(/OPENLINES_WEBHOOK_URL/);
    expect(run.stdout + run.stderr).not.toContain(code);
    expect(await listFiles(home.root)).toEqual([]);
  });
});
