// What the user sees when the network or the server misbehaves: an offline portal fails at once, a moved portal
// says where it went, and a request whose fate is unknown is never repeated behind the user's back.

import type { LookupAddress } from 'node:dns';
import http from 'node:http';
import type { AddressInfo, LookupFunction } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createDemoPortal } from '../../demo-portal/demo-portal.ts';
import { createBitrix24Client } from './client.ts';
import { Bitrix24Error } from './errors.ts';
import { HttpTransport } from './http-transport.ts';
import { answer, STUB_CODE, type StubPortal, startStubPortal } from './testing/stub-portal.ts';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()?.();
});

async function stub(handler: Parameters<typeof startStubPortal>[0]): Promise<StubPortal> {
  const portal = await startStubPortal(handler);
  cleanup.push(() => portal.close());
  return portal;
}

function webhookClient(webhookUrl: string, extra: Partial<Parameters<typeof createBitrix24Client>[0]> = {}) {
  return createBitrix24Client({ credentials: { kind: 'webhook', webhookUrl }, ...extra });
}

async function failure(promise: Promise<unknown>): Promise<Bitrix24Error> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(Bitrix24Error);
  return error as Bitrix24Error;
}

describe('network failures', () => {
  it('fails an offline portal (connection refused) at once, with one attempt', async () => {
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const client = webhookClient(`http://127.0.0.1:${port}/rest/1/${STUB_CODE}/`);
    const error = await failure(client.call('profile'));
    expect(error.code).toBe('PORTAL_UNREACHABLE');
    expect(error.category).toBe('unreachable');
    expect(error.message).toContain(`127.0.0.1:${port}`);
    expect(client.limits.snapshot().requestsSent).toBe(1);
  });

  it('reports a portal that moved to another host without following the redirect', async () => {
    const portal = await stub((_request, res) => {
      res.writeHead(302, { location: `https://new-home.bitrix24.com/rest/1/${STUB_CODE}/profile` });
      res.end();
    });
    const error = await failure(webhookClient(portal.webhookUrl).call('profile'));
    expect(error.code).toBe('PORTAL_MOVED');
    expect(error.message).toContain('new-home.bitrix24.com');
    expect(error.message).not.toContain(STUB_CODE);
    expect(portal.requests).toHaveLength(1);
  });

  it('reports a redirect to the same host as the portal being unavailable', async () => {
    const portal = await stub((_request, res) => {
      res.writeHead(302, { location: '/auth/?expired=1' });
      res.end();
    });
    const error = await failure(webhookClient(portal.webhookUrl).call('profile'));
    expect(error.code).toBe('PORTAL_UNREACHABLE');
    expect(error.message).toMatch(/not available/);
  });

  it('does not repeat a write that timed out after it was sent, but repeats a read', async () => {
    const portal = await stub(() => {
      // Never answers.
    });
    const client = webhookClient(portal.webhookUrl, { requestTimeoutMs: 300 });
    const error = await failure(client.call('imopenlines.session.start', { CHAT_ID: 5 }));
    expect(error.code).toBe('REQUEST_TIMEOUT');
    expect(error.category).toBe('ambiguous');
    expect(portal.requests).toHaveLength(1);
    await failure(client.call('imopenlines.dialog.get', { CHAT_ID: 5 }, { idempotent: true }));
    expect(portal.requests).toHaveLength(4);
  });

  it('treats a connection dropped after the request was written as ambiguous', async () => {
    const portal = await stub((_request, res) => {
      res.socket?.destroy();
    });
    const error = await failure(webhookClient(portal.webhookUrl).call('imopenlines.session.start', { CHAT_ID: 5 }));
    expect(error.code).toBe('CONNECTION_RESET');
    expect(error.category).toBe('ambiguous');
    expect(portal.requests).toHaveLength(1);
  });

  it('turns HTML and other non-Bitrix24 answers into INVALID_RESPONSE', async () => {
    const bodies: Array<[number, string]> = [
      [200, '<html><body>Login</body></html>'],
      [502, '<html>Bad gateway</html>'],
      [200, 'not json at all'],
      [200, '[1,2,3]'],
      [200, '{"status":"ok"}'],
    ];
    const portal = await stub((_request, res, index) => {
      const [status, body] = bodies[index] ?? [200, '{}'];
      res.writeHead(status, { 'content-type': 'text/html' });
      res.end(body);
    });
    const client = webhookClient(portal.webhookUrl);
    for (const [status] of bodies) {
      const error = await failure(client.call('profile'));
      expect(error.code).toBe('INVALID_RESPONSE');
      expect(error.status).toBe(status);
      expect(error.category).toBe('ambiguous');
    }
  });

  it('trusts an on-premise portal behind a private CA only when its certificate is given', async () => {
    const portal = await createDemoPortal({ tls: true, chats: 5 });
    cleanup.push(() => portal.close());
    const untrusted = await failure(webhookClient(portal.webhookUrl).call('profile'));
    expect(untrusted.code).toBe('TLS_FAILURE');
    expect(untrusted.message).toMatch(/CA certificate/);
    const trusted = webhookClient(portal.webhookUrl, { caCertificatePem: portal.caCertificatePem ?? '' });
    await expect(trusted.call('profile')).resolves.toHaveProperty('result');
  });
});

describe('requests on the wire', () => {
  it('posts JSON to <webhook>/<method>', async () => {
    const portal = await stub((_request, res) => answer(res, 200, { result: { ID: '1' } }));
    await webhookClient(portal.webhookUrl).call('imopenlines.dialog.get', { CHAT_ID: 42, OPTIONS: { A: 'Y' } });
    expect(portal.requests[0]).toMatchObject({
      httpMethod: 'POST',
      path: `/rest/1/${STUB_CODE}/imopenlines.dialog.get`,
      body: { CHAT_ID: 42, OPTIONS: { A: 'Y' } },
    });
  });
});

describe('plain http', () => {
  // The system resolver stands in: `*.localhost` names can resolve through DNS to anywhere.
  const resolver =
    (address: string, family: number): LookupFunction =>
    (_hostname, options, callback) => {
      if (options.all) (callback as (error: null, all: LookupAddress[]) => void)(null, [{ address, family }]);
      else callback(null, address, family);
    };

  it('connects to a localhost name only when it resolves to this computer, checked when connecting', async () => {
    const server = http.createServer((_req, res) => res.end('{"result":true}'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => new Promise((resolve) => server.close(() => resolve())));
    const port = (server.address() as AddressInfo).port;
    const request = (transport: HttpTransport) =>
      transport.request({
        url: new URL(`http://portal.localhost:${port}/rest/1/code/profile`),
        method: 'GET',
        timeoutMs: 5_000,
      });

    const local = new HttpTransport({ secrets: () => [], lookup: resolver('127.0.0.1', 4) });
    cleanup.push(async () => local.close());
    expect((await request(local)).body).toBe('{"result":true}');

    const elsewhere = new HttpTransport({ secrets: () => [], lookup: resolver('192.0.2.10', 4) });
    cleanup.push(async () => elsewhere.close());
    const error = await failure(request(elsewhere));
    expect(error.code).toBe('INSECURE_PORTAL_ADDRESS');
    expect(error.message).toMatch(
      /portal\.localhost:\d+: portal\.localhost resolves to 192\.0\.2\.10, not to this computer/,
    );
  });
});

describe('an answer larger than any Bitrix24 answer', () => {
  it('is cut off at the cap with a clear error, however the portal sends it, and the connection is dropped', async () => {
    let written = 0;
    let closed = false;
    const endless = await stub(async (_request, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.on('close', () => {
        closed = true;
      });
      const chunk = Buffer.alloc(64 * 1024, ' ');
      while (!res.destroyed && written < 512 * 1024 * 1024) {
        written += chunk.length;
        if (!res.write(chunk)) await new Promise((resolve) => setTimeout(resolve, 1));
      }
    });
    const client = webhookClient(endless.webhookUrl, { maxResponseBytes: 1024 * 1024 });
    const error = await failure(client.call('imopenlines.dialog.get', { CHAT_ID: 1 }));
    expect(error.code).toBe('RESPONSE_TOO_LARGE');
    expect(error.category).toBe('ambiguous');
    expect(error.message).toMatch(/larger than 1 MiB; it was dropped .* may have taken effect/);
    await expect.poll(() => closed).toBe(true);
    expect(written).toBeLessThan(64 * 1024 * 1024);

    // One that announces its size is refused before a byte of it is read.
    const announced = await stub((_request, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(2 * 1024 * 1024 * 1024) });
      res.write('{"result":');
    });
    const second = webhookClient(announced.webhookUrl, { maxResponseBytes: 1024 * 1024 });
    expect((await failure(second.call('profile'))).code).toBe('RESPONSE_TOO_LARGE');
  });
});
