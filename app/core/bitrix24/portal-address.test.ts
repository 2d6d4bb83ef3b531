// Portal addresses are vetted before any request: https, or plain http only on this computer; the webhook
// code never appears in what the user is told.
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBitrix24Client } from './client.ts';
import { Bitrix24Error } from './errors.ts';
import { isLoopbackHost, parseClientEndpoint, parseWebhookUrl } from './portal-address.ts';
import { answer, STUB_CODE, type StubPortal, startStubPortal } from './testing/stub-portal.ts';

function refusal(run: () => unknown): Bitrix24Error {
  try {
    run();
  } catch (error) {
    if (error instanceof Bitrix24Error) return error;
    throw error;
  }
  throw new Error('expected the address to be refused');
}

describe('webhook addresses', () => {
  it('accepts the forms people paste and keeps one canonical base', () => {
    const canonical = 'https://acme.bitrix24.com/rest/12/abc123xyz/';
    for (const pasted of [
      canonical,
      'https://acme.bitrix24.com/rest/12/abc123xyz',
      'https://acme.bitrix24.com/rest/12/abc123xyz/profile.json',
      'https://acme.bitrix24.com/rest/12/abc123xyz/imopenlines.session.start',
      '  https://acme.bitrix24.com/rest/12/abc123xyz/?x=1#top ',
    ]) {
      const address = parseWebhookUrl(pasted);
      expect(address.baseUrl).toBe(canonical);
      expect(address.label).toBe('acme.bitrix24.com');
      expect(address.userId).toBe(12);
      expect(address.code).toBe('abc123xyz');
    }
    expect(parseWebhookUrl('https://portal.example:8443/b24/rest/1/k3y/').baseUrl).toBe(
      'https://portal.example:8443/b24/rest/1/k3y/',
    );
  });

  it('refuses malformed webhook addresses without echoing the code', () => {
    const cases = [
      'acme.bitrix24.com/rest/1/secretcode9',
      'https://acme.bitrix24.com/api/1/secretcode9/',
      'https://acme.bitrix24.com/rest/x/secretcode9/',
      'ftp://acme.bitrix24.com/rest/1/secretcode9/',
      'https://user:secretcode9@acme.bitrix24.com/rest/1/abc/',
      'https://acme.bitrix24.com/rest/1/secretcode9/a/b/c',
    ];
    for (const text of cases) {
      const error = refusal(() => parseWebhookUrl(text));
      expect(error.code).toBe('INVALID_PORTAL_ADDRESS');
      expect(error.category).toBe('bad-input');
      expect(error.message).not.toContain('secretcode9');
    }
  });

  it('allows plain http only for loopback hosts', () => {
    for (const host of ['localhost', '127.0.0.1', '127.5.6.7', '[::1]']) {
      expect(parseWebhookUrl(`http://${host}:8080/rest/1/abc/`).label).toBe(`${host}:8080`);
    }
    expect(isLoopbackHost('128.0.0.1')).toBe(false);
    expect(isLoopbackHost('localhost.evil.com')).toBe(false);
    for (const host of ['acme.bitrix24.com', '10.0.0.5', '192.168.1.10', '[fe80::1]', '127.0.0.1.nip.io']) {
      const error = refusal(() => parseWebhookUrl(`http://${host}/rest/1/secretcode9/`));
      expect(error.code).toBe('INSECURE_PORTAL_ADDRESS');
      expect(error.message).toContain(host);
      expect(error.message).toMatch(/https/);
      expect(error.message).not.toContain('secretcode9');
    }
  });

  it('normalises an OAuth client endpoint and refuses it over plain http', () => {
    expect(parseClientEndpoint('https://acme.bitrix24.com/rest').baseUrl).toBe('https://acme.bitrix24.com/rest/');
    expect(refusal(() => parseClientEndpoint('http://acme.bitrix24.com/rest/')).code).toBe('INSECURE_PORTAL_ADDRESS');
  });
});

const lanAddress = Object.values(os.networkInterfaces())
  .flat()
  .find((info) => info && info.family === 'IPv4' && !info.internal)?.address;

describe.skipIf(!lanAddress)('a plain-http portal on another host', () => {
  let portal: StubPortal;
  beforeAll(async () => {
    // Listening on every interface, so the request WOULD arrive if the client sent it.
    portal = await startStubPortal((_request, res) => answer(res, 200, { result: true }), '0.0.0.0');
  });
  afterAll(() => portal.close());

  it('is refused before any request, while the same server over loopback answers', async () => {
    const port = new URL(portal.origin).port;
    const remote = `http://${lanAddress}:${port}/rest/1/${STUB_CODE}/`;
    const error = refusal(() => createBitrix24Client({ credentials: { kind: 'webhook', webhookUrl: remote } }));
    expect(error.code).toBe('INSECURE_PORTAL_ADDRESS');
    expect(error.message).toContain(`${lanAddress}:${port}`);
    expect(error.message).not.toContain(STUB_CODE);
    expect(portal.requests).toHaveLength(0);

    const local = createBitrix24Client({ credentials: { kind: 'webhook', webhookUrl: portal.webhookUrl } });
    await expect(local.call('profile')).resolves.toMatchObject({ result: true });
    expect(portal.requests).toHaveLength(1);
  });
});
