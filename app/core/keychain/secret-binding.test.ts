// Issue #9: a secret belongs to one data folder and one portal. Against the real keychain.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_TLS_CERTIFICATE } from '../../demo-portal/tls/certificate.ts';
import { ProfileStore } from '../profiles/profile-store.ts';
import { resolvePortal } from '../profiles/resolve-portal.ts';
import { keychain, keychainAccountOf, secretCode, TestHome } from '../profiles/test-support.ts';
import { ProfileSecrets, SecretUnreadableError } from './profile-secrets.ts';

let first: TestHome;
let second: TestHome;
beforeEach(async () => {
  first = await TestHome.create();
  second = await TestHome.create();
});
afterEach(async () => {
  await first.cleanup();
  await second.cleanup();
});

const storeIn = (home: TestHome) => new ProfileStore({ home: home.root, secrets: new ProfileSecrets(keychain) });
const webhookCode = async (store: ProfileStore, id: string) => {
  const secret = await store.secrets.get(await store.get(id));
  return secret?.kind === 'webhook' ? secret.code : null;
};

async function editProfilesFile(home: TestHome, change: (profile: Record<string, unknown>) => void): Promise<void> {
  const file = path.join(home.root, 'profiles.json');
  const content = JSON.parse(await readFile(file, 'utf8'));
  for (const profile of content.profiles) change(profile);
  await writeFile(file, JSON.stringify(content));
}

describe('a keychain entry', () => {
  it('belongs to one data folder: two folders with a profile of the same id keep their own secret', async () => {
    const id = first.track(second.id('acme'));
    const codeA = secretCode();
    const codeB = secretCode();
    const a = storeIn(first);
    const b = storeIn(second);
    await a.addFromWebhookUrl({ id, name: 'Acme', webhookUrl: `https://a.example.com/rest/1/${codeA}/` });
    await b.addFromWebhookUrl({ id, name: 'Acme', webhookUrl: `https://b.example.com/rest/1/${codeB}/` });

    expect(await webhookCode(a, id)).toBe(codeA);
    expect(await webhookCode(b, id)).toBe(codeB);
    await b.remove(id);
    expect(await webhookCode(a, id)).toBe(codeA);
  });

  it('is never sent to a portal other than the one it was saved for, even when the profile file is edited by hand', async () => {
    const id = first.id('moved');
    const store = storeIn(first);
    await store.addFromWebhookUrl({ id, name: 'Moved', webhookUrl: `https://old.example.com/rest/1/${secretCode()}/` });
    await editProfilesFile(first, (profile) => {
      profile.portal = 'https://attacker.example.net';
    });

    const fresh = storeIn(first);
    await expect(resolvePortal({ store: fresh, profileName: id, env: {} })).rejects.toThrow(
      /saved for another portal \(https:\/\/old\.example\.com\); enter the secret again/,
    );
    expect((await fresh.list())[0]?.secret).toBe('missing');
  });

  it('is refused with another CA certificate than the one it was saved with', async () => {
    const id = first.id('ca');
    const store = storeIn(first);
    await store.addFromWebhookUrl({
      id,
      name: 'On-prem',
      webhookUrl: `https://intranet.example/rest/1/${secretCode()}/`,
    });
    await editProfilesFile(first, (profile) => {
      profile.caCertificatePem = DEMO_TLS_CERTIFICATE;
    });
    await expect(storeIn(first).secrets.get(await storeIn(first).get(id))).rejects.toBeInstanceOf(
      SecretUnreadableError,
    );
  });

  it('left behind under a profile id is never inherited by a new profile of that id', async () => {
    const id = first.id('reused');
    const stale = secretCode();
    // What a removal while the keychain was locked left behind (or a legacy entry of another data folder).
    await keychain.set(id, JSON.stringify({ v: 1, kind: 'webhook', code: stale }));
    const store = storeIn(first);
    await store.add({ id, name: 'New portal', portal: 'new.example.com', auth: { kind: 'webhook', userId: 1 } });

    expect(await webhookCode(store, id)).toBeNull();
    expect((await store.list())[0]?.secret).toBe('missing');
  });
});

describe('an entry from before keychain accounts', () => {
  it('moves to the profile’s own account, bound to its portal, on first read', async () => {
    const id = first.id('legacy');
    const code = secretCode();
    await keychain.set(id, JSON.stringify({ v: 1, kind: 'webhook', code }));
    await writeFile(
      path.join(first.root, 'profiles.json'),
      JSON.stringify({
        schemaVersion: 1,
        defaultProfileId: id,
        profiles: [{ id, name: 'Legacy', portal: 'https://legacy.example.com', auth: { kind: 'webhook', userId: 4 } }],
        provisioning: [],
      }),
    );

    const store = storeIn(first);
    expect(await webhookCode(store, id)).toBe(code);
    const account = await keychainAccountOf(first.root, id);
    expect(account).toMatch(new RegExp(`^${id}\\.[0-9a-f]{16}$`));
    expect(JSON.parse((await keychain.get(account)) ?? '{}')).toMatchObject({
      v: 2,
      code,
      portal: 'https://legacy.example.com',
    });
    expect(await keychain.get(id)).toBeNull();
    // The next process reads it from the new account.
    expect(await webhookCode(storeIn(first), id)).toBe(code);
  });
});

describe('a provisioning import', () => {
  it('that changes the CA certificate or the portal of a profile drops its secret and says so', async () => {
    const caId = first.id('ca-change');
    const hostId = first.id('host-change');
    const keptId = first.id('kept');
    const store = storeIn(first);
    for (const id of [caId, hostId, keptId]) {
      await store.addFromWebhookUrl({ id, name: id, webhookUrl: `https://${id}.example.com/rest/1/${secretCode()}/` });
    }
    const report = await store.importProvisioningText(
      JSON.stringify([
        {
          id: caId,
          name: caId,
          portal: `https://${caId}.example.com`,
          auth: { kind: 'webhook', userId: 1 },
          caCertificatePem: DEMO_TLS_CERTIFICATE,
        },
        { id: hostId, name: hostId, portal: 'https://elsewhere.example.com', auth: { kind: 'webhook', userId: 1 } },
        { id: keptId, name: keptId, portal: `https://${keptId}.example.com`, auth: { kind: 'webhook', userId: 1 } },
      ]),
      'IT file',
    );

    expect(report).toMatchObject({ updated: [caId, hostId, keptId], rejected: [] });
    expect(report.secretDropped).toEqual([caId, hostId]);
    expect(report.needsSecret).toEqual([caId, hostId]);
    const states = Object.fromEntries((await store.list()).map((l) => [l.profile.id, l.secret]));
    expect(states).toEqual({ [caId]: 'missing', [hostId]: 'missing', [keptId]: 'stored' });
  });
});
