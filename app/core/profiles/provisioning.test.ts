import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProfileSecrets } from '../keychain/profile-secrets.ts';
import { ProfileStore } from './profile-store.ts';
import { filesContaining, keychain, secretCode, TestHome } from './test-support.ts';

let home: TestHome;
let store: ProfileStore;
beforeEach(async () => {
  home = await TestHome.create();
  store = new ProfileStore({ home: home.root, secrets: new ProfileSecrets(keychain) });
});
afterEach(() => home.cleanup());

/** IT's file: two good entries and one of each typical mistake. */
function provisioningFile(ids: { head: string; branch: string }, leaked: string) {
  return [
    {
      id: ids.head,
      name: 'Head office',
      portal: 'https://head.example.com',
      auth: { kind: 'webhook', userId: 1 },
      plan: 'enterprise',
    },
    { name: 'Plain http', portal: 'http://intranet.example.com', auth: { kind: 'webhook', userId: 2 } },
    {
      name: 'With secret',
      portal: 'https://s.example.com',
      auth: { kind: 'oauth', clientId: 'local.1', clientSecret: leaked },
    },
    { portal: 'https://noname.example.com', auth: { kind: 'webhook', userId: 3 } },
    'just a string',
    {
      name: 'Bad status',
      portal: 'https://f.example.com',
      auth: { kind: 'webhook', userId: 4 },
      defaultFilters: { statuses: ['open'] },
    },
    {
      id: ids.branch,
      name: 'Branch',
      portal: 'branch.example.com',
      auth: { kind: 'oauth', clientId: 'local.2' },
      defaultFilters: { lineIds: [5], statuses: ['new'] },
      default: true,
    },
    { name: 'head office', portal: 'https://dup.example.com', auth: { kind: 'webhook', userId: 5 } },
    { name: 'Pasted webhook', portal: `https://w.example.com/rest/9/${leaked}/`, auth: { kind: 'webhook', userId: 9 } },
  ];
}

describe('importing a provisioning file', () => {
  it('imports the good entries and explains each bad one by index, field and reason', async () => {
    const ids = { head: home.id('head'), branch: home.id('branch') };
    const leaked = secretCode();
    const file = path.join(home.root, 'from-it.json');
    await writeFile(file, JSON.stringify({ profiles: provisioningFile(ids, leaked) }));

    const report = await store.importProvisioningFile(file);

    expect(report.imported).toEqual([ids.head, ids.branch]);
    expect(report.needsSecret).toEqual([ids.head, ids.branch]);
    expect(report.rejected).toEqual([
      { index: 1, entry: 'Plain http', field: 'portal', reason: expect.stringMatching(/plain http/) },
      {
        index: 2,
        entry: 'With secret',
        field: 'auth.clientSecret',
        reason: expect.stringMatching(/never carry secrets/),
      },
      { index: 3, field: 'name', reason: expect.any(String) },
      { index: 4, field: '(entry)', reason: 'is not a profile object' },
      {
        index: 5,
        entry: 'Bad status',
        field: 'defaultFilters.statuses.0',
        reason: expect.stringMatching(/new, answered/),
      },
      { index: 7, entry: 'head office', field: 'name', reason: 'is used by entry 0 too' },
      { index: 8, entry: 'Pasted webhook', field: 'portal', reason: expect.stringMatching(/secret code/) },
    ]);
    // A secret someone put in the file is refused and repeated nowhere: not in the report, not on disk.
    expect(JSON.stringify(report)).not.toContain(leaked);
    expect(await filesContaining(home.root, leaked)).toEqual([file]);

    const listings = await store.list();
    expect(listings.map((l) => [l.profile.id, l.isDefault, l.secret])).toEqual([
      [ids.head, false, 'missing'],
      [ids.branch, true, 'missing'],
    ]);
    expect(listings[1]?.profile).toMatchObject({
      portal: 'https://branch.example.com',
      defaultFilters: { lineIds: [5], statuses: ['new'], operatorIds: [] },
      provisionedAt: expect.any(String),
    });
  });

  it('refuses a file that is not a list of profiles as a whole', async () => {
    const file = path.join(home.root, 'portals.txt');
    await writeFile(file, '{"portals": "nope"}');
    await expect(store.importProvisioningFile(file)).rejects.toMatchObject({
      code: 'PROVISIONING_FILE_INVALID',
      message: expect.stringMatching(/list of profiles/),
    });
  });

  it('imports portals.json from the data folder on first start, once', async () => {
    const ids = { head: home.id('head'), branch: home.id('branch') };
    await writeFile(store.paths.provisioningFile, JSON.stringify(provisioningFile(ids, secretCode())));

    expect((await store.list()).map((l) => l.profile.id)).toEqual([ids.head, ids.branch]);
    const [notice] = store.drainNotices();
    expect(notice).toMatchObject({
      kind: 'provisioned',
      message: expect.stringMatching(/Imported 2 profile.*rejected 7 entries/),
    });

    await store.remove(ids.head);
    const again = new ProfileStore({ home: home.root, secrets: new ProfileSecrets(keychain) });
    expect((await again.list()).map((l) => l.profile.id)).toEqual([ids.branch]);
    expect(again.drainNotices()).toEqual([]);
    const saved = JSON.parse(await readFile(store.paths.profilesFile, 'utf8'));
    expect(saved.provisioning).toEqual([
      expect.objectContaining({ source: store.paths.provisioningFile, imported: [ids.head, ids.branch], rejected: 7 }),
    ]);
  });

  it('round-trips through export without a secret, keeping the stored secret of a re-imported profile', async () => {
    const id = home.id('rt');
    const code = secretCode();
    await store.addFromWebhookUrl({
      id,
      name: 'Round trip',
      webhookUrl: `https://rt.example.com/rest/4/${code}/`,
      plan: 'standard',
    });
    const exported = path.join(home.root, 'out', 'portals.json');
    await store.exportProfiles(exported);
    expect(await filesContaining(home.root, code)).toEqual([]);

    const report = await store.importProvisioningFile(exported);
    expect(report).toMatchObject({ imported: [], updated: [id], rejected: [], needsSecret: [] });

    const other = await TestHome.create();
    try {
      const fresh = new ProfileStore({ home: other.root, secrets: new ProfileSecrets(keychain) });
      const { imported } = await fresh.importProvisioningFile(exported);
      expect(imported).toEqual([id]);
      expect(await fresh.get(id)).toMatchObject({
        portal: 'https://rt.example.com',
        auth: { kind: 'webhook', userId: 4 },
        plan: 'standard',
      });
    } finally {
      await other.cleanup();
    }
  });
});
