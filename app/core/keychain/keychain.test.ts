import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { filesContaining, keychain, listFiles, secretCode, TestHome } from '../profiles/test-support.ts';
import { ProfileSecrets } from './profile-secrets.ts';

let home: TestHome;
beforeEach(async () => {
  home = await TestHome.create();
});
afterEach(() => home.cleanup());

describe('the OS keychain', () => {
  it('stores, returns and deletes an entry under the openlines-console service', async () => {
    const id = home.id('kc');
    expect(await keychain.get(id)).toBeNull();
    await keychain.set(id, 'value-1');
    await keychain.set(id, 'value-2');
    expect(await keychain.get(id)).toBe('value-2');
    expect(await keychain.delete(id)).toBe(true);
    expect(await keychain.delete(id)).toBe(false);
    expect(await keychain.get(id)).toBeNull();
  });

  it('replaces a rotated OAuth token pair at once, keeping the client secret', async () => {
    const id = home.id('oauth');
    const owner = { id, portal: 'https://oauth.example.com', keychainAccount: home.account(id) };
    const secrets = new ProfileSecrets(keychain);
    const clientSecret = secretCode();
    await secrets.save(owner, {
      kind: 'oauth',
      clientSecret,
      tokens: { accessToken: 'old-access', refreshToken: 'old-refresh' },
    });
    await secrets.tokenRotationHandler(owner)({
      accessToken: 'new-access',
      refreshToken: 'new-refresh',
      expiresAt: 1_900_000_000_000,
    });

    // A fresh reader (another process, the next start) sees only the new pair.
    expect(await new ProfileSecrets(keychain).get(owner)).toEqual({
      kind: 'oauth',
      clientSecret,
      tokens: { accessToken: 'new-access', refreshToken: 'new-refresh', expiresAt: 1_900_000_000_000 },
    });
    expect(await keychain.get(owner.keychainAccount)).not.toContain('old-refresh');
  });
});

// Runs in a child whose D-Bus address points nowhere: no Secret Service can answer there.
const CHILD = `
import { ProfileStore } from ${JSON.stringify(pathToFileURL(`${process.cwd()}/app/core/profiles/profile-store.ts`).href)};
const [home, id, webhookUrl] = process.argv.slice(1);
const store = new ProfileStore({ home });
const out = {};
try {
  await store.addFromWebhookUrl({ id, name: 'Needs keychain', webhookUrl });
  out.add = 'saved';
} catch (error) {
  out.add = { name: error.name, code: error.code, message: error.message };
}
await store.add({ id: id + '-offline', name: 'Offline only', portal: 'offline.example.com', auth: { kind: 'webhook', userId: 2 } });
out.list = (await store.list()).map((l) => [l.profile.id, l.secret]);
console.log(JSON.stringify(out));
`;

describe('when no keychain answers', () => {
  it('refuses to save the secret, says how to fix it, and writes it nowhere', async () => {
    const id = home.id('nokc');
    const code = secretCode();
    const child = spawnSync(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', CHILD, home.root, id, `https://p.example.com/rest/5/${code}/`],
      {
        encoding: 'utf8',
        env: { ...process.env, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/openlines-bus', DISPLAY: '' },
        timeout: 60_000,
      },
    );
    expect(child.stderr).not.toContain(code);
    expect(child.status).toBe(0);
    const out = JSON.parse(child.stdout);
    expect(out.add).toMatchObject({ name: 'KeychainUnavailableError', code: 'KEYCHAIN_UNAVAILABLE' });
    expect(out.add.message).toMatch(/not saved/);
    expect(out.add.message).toMatch(/gnome-keyring/);
    expect(out.add.message).toMatch(/KWallet/);
    expect(out.add.message).toMatch(/desktop session/);
    expect(child.stdout).not.toContain(code);
    // Offline work goes on: the profile without a secret was saved, the refused one was not.
    expect(out.list).toEqual([[`${id}-offline`, 'unknown']]);
    expect(await listFiles(home.root)).toEqual(['profiles.json']);
    expect(await filesContaining(home.root, code)).toEqual([]);
    expect(await keychain.get(id)).toBeNull();
  });
});
