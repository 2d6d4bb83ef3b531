import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDemoPortal } from '../../demo-portal/demo-portal.ts';
import type { DemoPortal } from '../../demo-portal/types.ts';
import { ProfileSecrets } from '../keychain/profile-secrets.ts';
import { checkProfile } from './connection-check.ts';
import { ProfileStore } from './profile-store.ts';
import { resolvePortal } from './resolve-portal.ts';
import { keychain, TestHome } from './test-support.ts';

let home: TestHome;
let store: ProfileStore;
const portals: DemoPortal[] = [];
beforeEach(async () => {
  home = await TestHome.create();
  store = new ProfileStore({ home: home.root, secrets: new ProfileSecrets(keychain) });
});
afterEach(async () => {
  await Promise.all(portals.splice(0).map((p) => p.close()));
  await home.cleanup();
});

async function demo(options: Parameters<typeof createDemoPortal>[0] = {}): Promise<DemoPortal> {
  const portal = await createDemoPortal({ chats: 5, ...options });
  portals.push(portal);
  return portal;
}

describe('checking the connection', () => {
  it('reports the user and the granted scopes of a working webhook', async () => {
    const portal = await demo();
    const id = home.id('ok');
    await store.addFromWebhookUrl({ id, name: 'Demo', webhookUrl: portal.webhookUrl });
    const check = await checkProfile(store, id);
    expect(check).toMatchObject({ status: 'ok', reachable: true, missingScopes: [], errorCode: null, userId: 1 });
    expect(check.scopes).toEqual(expect.arrayContaining(['imopenlines', 'im']));
    expect(check.message).toMatch(/^Connected to 127\.0\.0\.1:\d+ as .*user 1/);
    expect(check.planHint).toMatch(/standard plans/);
    expect(portal.counters.calls).toMatchObject({ profile: 1, scope: 1 });
  });

  it('names the missing scopes and where to add them', async () => {
    const portal = await demo({ scopes: ['im', 'user'] });
    const id = home.id('scopes');
    await store.addFromWebhookUrl({ id, name: 'Demo', webhookUrl: portal.webhookUrl, plan: 'enterprise' });
    const check = await checkProfile(store, id);
    expect(check).toMatchObject({ status: 'missing-scopes', reachable: true, missingScopes: ['imopenlines'] });
    expect(check.message).toMatch(/lacks the scope imopenlines/);
    expect(check.planHint).toMatch(/Enterprise/);
  });

  it('tells a refused webhook code apart from an unreachable portal', async () => {
    const portal = await demo();
    const wrong = home.id('wrong');
    await store.add(
      { id: wrong, name: 'Wrong code', portal: portal.origin, auth: { kind: 'webhook', userId: 1 } },
      { kind: 'webhook', code: 'definitelynotthecode' },
    );
    const refused = await checkProfile(store, wrong);
    expect(refused).toMatchObject({ status: 'auth', reachable: true });
    expect(refused.message).toMatch(/refused the credentials/);

    const closed = await demo();
    const gone = home.id('gone');
    await store.addFromWebhookUrl({ id: gone, name: 'Gone', webhookUrl: closed.webhookUrl });
    await closed.close();
    portals.pop();
    const unreachable = await checkProfile(store, gone);
    expect(unreachable).toMatchObject({ status: 'unreachable', reachable: false, user: null });
    expect(unreachable.message).toMatch(/cannot be reached|Cannot reach/);
  });

  it('stores rotated OAuth tokens in the keychain as soon as the portal issues them', async () => {
    const portal = await demo();
    const id = home.id('oauth');
    await store.add(
      {
        id,
        name: 'OAuth demo',
        portal: portal.origin,
        auth: {
          kind: 'oauth',
          clientId: portal.oauth.clientId,
          clientEndpoint: portal.oauth.clientEndpoint,
          tokenUrl: portal.oauth.tokenUrl,
        },
      },
      {
        kind: 'oauth',
        clientSecret: portal.oauth.clientSecret,
        tokens: { accessToken: portal.oauth.accessToken, refreshToken: portal.oauth.refreshToken },
      },
    );
    const firstRefresh = portal.oauth.refreshToken;
    portal.expireAccessToken();
    expect((await checkProfile(store, id)).status).toBe('ok');
    expect(portal.counters.refreshes).toBe(1);
    const stored = await store.secrets.get(await store.get(id));
    expect(stored?.kind === 'oauth' && stored.tokens.refreshToken).toBe(portal.oauth.refreshToken);
    expect(portal.oauth.refreshToken).not.toBe(firstRefresh);
  });
});

describe('resolvePortal', () => {
  it('prefers --profile, then OPENLINES_WEBHOOK_URL, then OPENLINES_PROFILE, then the default', async () => {
    const portal = await demo();
    const first = home.id('first');
    const second = home.id('second');
    await store.addFromWebhookUrl({ id: first, name: 'First', webhookUrl: portal.webhookUrl });
    await store.addFromWebhookUrl({ id: second, name: 'Second', webhookUrl: portal.webhookUrl, plan: 'enterprise' });
    const envUrl = 'https://automation.example.com/rest/8/envcode1234/';
    const env = { OPENLINES_WEBHOOK_URL: envUrl, OPENLINES_PROFILE: 'Second' };

    expect(await resolvePortal({ store, env, profileName: 'first' })).toMatchObject({
      source: 'profile-option',
      profile: { id: first },
    });
    expect(await resolvePortal({ store, env })).toMatchObject({
      source: 'env-webhook',
      profile: null,
      label: 'automation.example.com',
      clientOptions: { credentials: { kind: 'webhook', webhookUrl: envUrl } },
    });
    expect(await resolvePortal({ store, env: { OPENLINES_PROFILE: 'Second' } })).toMatchObject({
      source: 'env-profile',
      clientOptions: { plan: 'enterprise', credentials: { webhookUrl: portal.webhookUrl } },
    });
    expect(await resolvePortal({ store, env: {} })).toMatchObject({
      source: 'default-profile',
      profile: { id: first },
    });
  });

  it('says what to do when there is no portal, or the profile still needs its secret', async () => {
    await expect(resolvePortal({ store, env: {} })).rejects.toMatchObject({
      code: 'NO_PROFILE',
      message: /openlines profiles add/,
    });
    const id = home.id('nosecret');
    await store.add({ id, name: 'Provisioned', portal: 'p.example.com', auth: { kind: 'webhook', userId: 1 } });
    await expect(resolvePortal({ store, env: {} })).rejects.toMatchObject({ code: 'SECRET_MISSING', profileId: id });
    await expect(
      resolvePortal({ store, env: { OPENLINES_WEBHOOK_URL: 'http://p.example.com/rest/1/abcd1234/' } }),
    ).rejects.toThrow(/plain http/);
  });
});
