import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_TLS_CERTIFICATE } from '../../demo-portal/tls/certificate.ts';
import { ProfileSecrets } from '../keychain/profile-secrets.ts';
import { ProfileError, ProfileValidationError } from './errors.ts';
import { ProfileStore } from './profile-store.ts';
import {
  filesContaining,
  keychain,
  keychainAccountOf,
  listFiles,
  secretCode,
  TestHome,
  watchConnections,
} from './test-support.ts';

let home: TestHome;
let store: ProfileStore;
beforeEach(async () => {
  home = await TestHome.create();
  store = new ProfileStore({ home: home.root, secrets: new ProfileSecrets(keychain) });
});
afterEach(async () => {
  await home.cleanup();
});

const readJson = async (file: string) => JSON.parse(await readFile(file, 'utf8'));

describe('offline add and edit', () => {
  it('saves a profile for a portal that does not resolve, without opening a single connection', async () => {
    const network = watchConnections();
    const id = home.id('offline');
    const code = secretCode();
    const profile = await store.add(
      {
        id,
        name: 'Branch behind VPN',
        portal: 'branch.does-not-resolve.invalid',
        auth: { kind: 'webhook', userId: 12 },
      },
      { kind: 'webhook', code },
    );
    expect(profile.portal).toBe('https://branch.does-not-resolve.invalid');

    const { profile: renamed } = await store.edit(id, {
      name: 'Branch (VPN)',
      plan: 'enterprise',
      defaultFilters: { lineIds: [3] },
    });
    expect(renamed).toMatchObject({ id, name: 'Branch (VPN)', plan: 'enterprise', defaultFilters: { lineIds: [3] } });

    const listed = await new ProfileStore({ home: home.root, secrets: new ProfileSecrets(keychain) }).list();
    expect(listed).toEqual([
      { profile: expect.objectContaining({ id, name: 'Branch (VPN)' }), isDefault: true, secret: 'stored' },
    ]);
    expect(await keychain.get(await keychainAccountOf(home.root, id))).toContain(code);
    network.stop();
    expect(network.count()).toBe(0);
  });

  it('refuses plain http to a remote portal but allows it for this computer', async () => {
    const draft = { name: 'Plain', portal: 'http://portal.example.com', auth: { kind: 'webhook' as const, userId: 1 } };
    const error = await store.add(draft).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProfileValidationError);
    expect((error as ProfileValidationError).problems).toEqual([
      { field: 'portal', reason: expect.stringMatching(/plain http.*https:\/\/portal\.example\.com/) },
    ]);
    // Told under the field's name as the form shows it, and ended once.
    expect((error as Error).message).toMatch(/^The profile is not valid\. Portal address: uses plain http/);
    expect((error as Error).message).not.toMatch(/\.\.|portal /);
    const local = await store.add({ ...draft, id: home.id('local'), portal: 'http://127.0.0.1:8080/' });
    expect(local.portal).toBe('http://127.0.0.1:8080');
  });

  it('never takes a webhook URL with its code as the portal address', async () => {
    const error = await store
      .add({ name: 'Leaky', portal: 'https://p.example.com/rest/1/abcdefgh/', auth: { kind: 'webhook', userId: 1 } })
      .catch((e: unknown) => e);
    expect((error as ProfileValidationError).problems[0]).toMatchObject({ field: 'portal' });
    expect((error as Error).message).not.toContain('abcdefgh');
  });

  it('refuses a second profile with the same name and keeps ids stable across renames', async () => {
    const a = await store.add({
      id: home.id('a'),
      name: 'North',
      portal: 'n.example.com',
      auth: { kind: 'webhook', userId: 1 },
    });
    await expect(
      store.add({ id: home.id('b'), name: 'north', portal: 'm.example.com', auth: { kind: 'webhook', userId: 1 } }),
    ).rejects.toMatchObject({ code: 'PROFILE_EXISTS' });
    expect((await store.rename('North', 'North EU')).id).toBe(a.id);
  });

  it('drops the stored secret when the profile moves to another portal', async () => {
    const id = home.id('moved');
    await store.add(
      { id, name: 'Moving', portal: 'old.example.com', auth: { kind: 'webhook', userId: 1 } },
      { kind: 'webhook', code: secretCode() },
    );
    const account = await keychainAccountOf(home.root, id);
    const { secretCleared } = await store.edit(id, { portal: 'new.example.com' });
    expect(secretCleared).toBe(true);
    expect(await keychain.get(account)).toBeNull();
    expect((await store.list())[0]?.secret).toBe('missing');
  });

  it('validates an extra CA certificate and refuses a private key', async () => {
    const id = home.id('ca');
    const draft = { id, name: 'On-prem', portal: 'intranet.example', auth: { kind: 'webhook' as const, userId: 1 } };
    const key = '-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----';
    await expect(store.add({ ...draft, caCertificatePem: key })).rejects.toThrow(/private key/);
    await expect(store.add({ ...draft, caCertificatePem: 'not a pem' })).rejects.toThrow(/not a PEM certificate/);
    const profile = await store.add({ ...draft, caCertificatePem: DEMO_TLS_CERTIFICATE });
    expect(profile.caCertificatePem).toContain('BEGIN CERTIFICATE');
  });

  it('chooses the default and moves it on when the default is removed', async () => {
    const a = await store.add({
      id: home.id('a'),
      name: 'A',
      portal: 'a.example.com',
      auth: { kind: 'webhook', userId: 1 },
    });
    const b = await store.add({
      id: home.id('b'),
      name: 'B',
      portal: 'b.example.com',
      auth: { kind: 'webhook', userId: 1 },
    });
    expect((await store.defaultProfile())?.id).toBe(a.id);
    await store.setDefault('B');
    expect((await store.defaultProfile())?.id).toBe(b.id);
    expect((await store.remove(b.id)).defaultProfileId).toBe(a.id);
  });
});

describe('the profiles file', () => {
  it('is rewritten whole: concurrent changes all land and no temporary file is left behind', async () => {
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        store.add({
          id: home.id(`c${i}`),
          name: `Portal ${i}`,
          portal: `p${i}.example.com`,
          auth: { kind: 'webhook', userId: 1 },
        }),
      ),
    );
    const file = await readJson(store.paths.profilesFile);
    expect(file.schemaVersion).toBe(1);
    expect(file.profiles).toHaveLength(8);
    expect(await listFiles(home.root)).toEqual(['profiles.json']);
  });

  it('moves a corrupt file aside with its content, reports it, and starts empty', async () => {
    const garbage = '{"schemaVersion": 1, "profiles": [ {"id": "half-writ';
    await writeFile(store.paths.profilesFile, garbage);
    expect(await store.list()).toEqual([]);
    const [notice] = store.drainNotices();
    expect(notice).toMatchObject({ kind: 'corrupt-file', message: expect.stringContaining('not valid JSON') });
    if (notice?.kind !== 'corrupt-file') throw new Error('expected a corrupt-file notice');
    expect(await readFile(notice.report.movedTo, 'utf8')).toBe(garbage);
    expect(notice.message).toContain(notice.report.movedTo);

    await store.add({
      id: home.id('after'),
      name: 'After',
      portal: 'a.example.com',
      auth: { kind: 'webhook', userId: 1 },
    });
    expect(await readFile(notice.report.movedTo, 'utf8')).toBe(garbage);
  });

  it('moves aside a file that breaks the schema, naming the field but not its content', async () => {
    const bad = {
      schemaVersion: 1,
      defaultProfileId: null,
      profiles: [{ id: 'x', name: 'X', portal: 'http://evil.example', auth: { kind: 'webhook', userId: 1 } }],
    };
    await writeFile(store.paths.profilesFile, JSON.stringify(bad));
    await store.load();
    const [notice] = store.drainNotices();
    expect(notice?.message).toMatch(/profiles\.0\.portal/);
    if (notice?.kind !== 'corrupt-file') throw new Error('expected a corrupt-file notice');
    expect(JSON.parse(await readFile(notice.report.movedTo, 'utf8'))).toEqual(bad);
  });

  it('moves aside a profiles file that cannot be read at all', async () => {
    await mkdir(store.paths.profilesFile);
    expect(await store.list()).toEqual([]);
    expect(store.drainNotices()[0]).toMatchObject({
      kind: 'corrupt-file',
      message: expect.stringMatching(/cannot be read/),
    });
  });

  it('leaves a file from a newer version untouched and says so', async () => {
    const newer = JSON.stringify({ schemaVersion: 99, profiles: [] });
    await writeFile(store.paths.profilesFile, newer);
    await expect(store.list()).rejects.toMatchObject({ code: 'PROFILES_FILE_TOO_NEW' });
    expect(await readFile(store.paths.profilesFile, 'utf8')).toBe(newer);
  });

  it('migrates a version-0 file, keeping the original beside it', async () => {
    const v0 = {
      default: 'Branch EU',
      portals: [
        { name: 'Head office', host: 'head.example.com', userId: 1, plan: 'enterprise', lines: [1, 4] },
        { name: 'Branch EU', host: 'eu.example.com', userId: '7' },
      ],
    };
    await writeFile(store.paths.profilesFile, JSON.stringify(v0));
    const listings = await store.list();
    for (const l of listings) home.track(l.profile.id);
    expect(listings.map((l) => [l.profile, l.isDefault])).toEqual([
      [
        expect.objectContaining({
          id: 'head-office',
          portal: 'https://head.example.com',
          auth: { kind: 'webhook', userId: 1 },
          plan: 'enterprise',
          defaultFilters: { lineIds: [1, 4], statuses: [], operatorIds: [] },
        }),
        false,
      ],
      [
        expect.objectContaining({
          id: 'branch-eu',
          portal: 'https://eu.example.com',
          auth: { kind: 'webhook', userId: 7 },
          plan: 'detect',
        }),
        true,
      ],
    ]);
    const [notice] = store.drainNotices();
    if (notice?.kind !== 'migrated') throw new Error('expected a migrated notice');
    expect(notice.fromVersion).toBe(0);
    expect(JSON.parse(await readFile(notice.backup, 'utf8'))).toEqual(v0);
    expect((await readJson(store.paths.profilesFile)).schemaVersion).toBe(1);
  });
});

describe('removal', () => {
  it('removes the keychain entry and the cached data of the profile, and nothing of the others', async () => {
    const gone = home.id('gone');
    const kept = home.id('kept');
    for (const id of [gone, kept]) {
      await store.add(
        { id, name: id, portal: `${id}.example.com`, auth: { kind: 'webhook', userId: 1 } },
        { kind: 'webhook', code: secretCode() },
      );
      await mkdir(store.paths.cacheDir(id), { recursive: true });
      await writeFile(path.join(store.paths.cacheDir(id), 'queries.json'), '{}');
    }
    const goneAccount = await keychainAccountOf(home.root, gone);
    const report = await store.remove(gone);
    expect(report).toMatchObject({ secretRemoved: true, cacheRemoved: true });
    expect(await keychain.get(goneAccount)).toBeNull();
    expect(await readdir(store.paths.cacheRoot)).toEqual([kept]);
    expect(await keychain.get(await keychainAccountOf(home.root, kept))).not.toBeNull();
    await expect(store.get(gone)).rejects.toBeInstanceOf(ProfileError);
  });
});

describe('secrets stay out of the data folder', () => {
  it('writes neither the webhook code nor the OAuth secrets to any file', async () => {
    const code = secretCode();
    const clientSecret = secretCode();
    const accessToken = secretCode();
    const refreshToken = secretCode();
    const hook = home.track(`${'hook'}-${code.slice(-6)}`);
    await store.addFromWebhookUrl({ id: hook, name: 'Hook', webhookUrl: `https://hook.example.com/rest/3/${code}/` });
    const oauth = home.id('oauth');
    await store.add(
      { id: oauth, name: 'App', portal: 'app.example.com', auth: { kind: 'oauth', clientId: 'local.123' } },
      { kind: 'oauth', clientSecret, tokens: { accessToken, refreshToken } },
    );
    await store.exportProfiles(path.join(home.root, 'export.json'));
    for (const secret of [code, clientSecret, accessToken, refreshToken]) {
      expect(await filesContaining(home.root, secret)).toEqual([]);
    }
    expect(await keychain.get(await keychainAccountOf(home.root, hook))).toContain(code);
    expect(await keychain.get(await keychainAccountOf(home.root, oauth))).toContain(refreshToken);
  });
});
