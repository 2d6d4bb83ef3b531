import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { HOST_SOCKET_PATH, type HostMessage } from '../contract/index.ts';
import { type Backend, createBackend } from '../handlers/backend.ts';
import { announcement, type RunningHost, startHost, tokenMatches } from './host.ts';
import { PACKAGE_ROOT } from './renderer-build.ts';

let home: string;
let rendererRoot: string;
let backend: Backend;
let host: RunningHost;

beforeAll(async () => {
  home = await mkdtemp(path.join(os.tmpdir(), 'openlines-host-'));
  rendererRoot = path.join(home, 'renderer');
  await mkdir(path.join(rendererRoot, 'assets'), { recursive: true });
  await writeFile(path.join(rendererRoot, 'index.html'), '<!doctype html><title>Open Lines Console</title>');
  await writeFile(path.join(rendererRoot, 'assets', 'app.js'), 'console.log(1)');
  await writeFile(path.join(home, 'outside.txt'), 'not for the browser');
  backend = createBackend({ runtime: 'browser', version: '0.0.0-test', home, mode: 'demo', demoPortal: { chats: 30 } });
  host = await startHost({ backend, rendererRoot, port: 0 });
});

afterAll(async () => {
  await host.close();
  await backend.close();
  await rm(home, { recursive: true, force: true });
});

function rawGet(pathname: string, hostHeader: string): Promise<{ status: number; headers: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(host.port, '127.0.0.1', () => {
      socket.write(`GET ${pathname} HTTP/1.1\r\nHost: ${hostHeader}\r\nConnection: close\r\n\r\n`);
    });
    let text = '';
    socket.on('data', (chunk) => {
      text += chunk.toString();
    });
    socket.on('end', () => resolve({ status: Number(text.split(' ')[1]), headers: text.split('\r\n\r\n')[0] ?? '' }));
    socket.on('error', reject);
  });
}

type Opened = { ok: true; ws: WebSocket } | { ok: false; status: number };

function openSocket(options: { token?: string | null; origin?: string; host?: string } = {}): Promise<Opened> {
  const token = options.token === undefined ? host.token : options.token;
  const query = token === null ? '' : `?token=${encodeURIComponent(token)}`;
  const headers: Record<string, string> = { Origin: options.origin ?? host.origin };
  if (options.host) headers.Host = options.host;
  const ws = new WebSocket(`ws://127.0.0.1:${host.port}${HOST_SOCKET_PATH}${query}`, { headers });
  return new Promise((resolve) => {
    ws.once('open', () => resolve({ ok: true, ws }));
    ws.once('unexpected-response', (_request, response) => resolve({ ok: false, status: response.statusCode ?? 0 }));
    ws.once('error', () => resolve({ ok: false, status: 0 }));
  });
}

describe('browser host', () => {
  it('listens on 127.0.0.1 only', async () => {
    expect(host.origin).toBe(`http://127.0.0.1:${host.port}`);
    const viaIpv6 = await new Promise<string>((resolve) => {
      const socket = connect({ port: host.port, host: '::1' }, () => {
        socket.destroy();
        resolve('connected');
      });
      socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    });
    expect(viaIpv6).not.toBe('connected');
  });

  it('serves the renderer with the strict CSP', async () => {
    const response = await fetch(`${host.origin}/`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('Open Lines Console');
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    const script = await fetch(`${host.origin}/assets/app.js`);
    expect(script.headers.get('content-type')).toContain('text/javascript');
  });

  it('does not serve files outside the renderer', async () => {
    expect((await rawGet('/../outside.txt', `127.0.0.1:${host.port}`)).status).toBe(404);
    expect((await rawGet('/%2e%2e/outside.txt', `127.0.0.1:${host.port}`)).status).toBe(404);
  });

  it('refuses pages requested under a foreign Host (DNS rebinding)', async () => {
    expect((await rawGet('/', `evil.example:${host.port}`)).status).toBe(421);
    expect((await rawGet('/', `localhost:${host.port}`)).status).toBe(421);
  });

  it('admits a socket with the token, its own Origin and Host, and answers calls with envelopes', async () => {
    const opened = await openSocket();
    if (!opened.ok) throw new Error(`socket refused with ${opened.status}`);
    const messages: HostMessage[] = [];
    const answered = new Promise<void>((resolve) => {
      opened.ws.on('message', (data) => {
        const message = JSON.parse(data.toString()) as HostMessage;
        messages.push(message);
        if (messages.filter((m) => 'id' in m).length === 2) resolve();
      });
    });
    opened.ws.send(JSON.stringify({ id: 1, channel: 'chats.list', input: { profileId: 'demo' } }));
    opened.ws.send(JSON.stringify({ id: 2, channel: 'sessions.start', input: { profileId: 'demo', chatId: -4 } }));
    await answered;
    opened.ws.close();
    const list = messages.find((m) => 'id' in m && m.id === 1);
    expect(list && 'result' in list && list.result.ok).toBe(true);
    const bad = messages.find((m) => 'id' in m && m.id === 2);
    expect(bad && 'result' in bad && !bad.result.ok && bad.result.error.code).toBe('INVALID_INPUT');
    expect(messages.some((m) => 'event' in m && m.event === 'connection.changed')).toBe(true);
  });

  it.each([
    ['a missing token', { token: null }],
    ['a wrong token', { token: 'not-the-token' }],
  ])('refuses a socket with %s', async (_name, options) => {
    expect(await openSocket(options)).toEqual({ ok: false, status: 401 });
  });

  it('refuses a socket from a foreign Origin', async () => {
    expect(await openSocket({ origin: 'https://evil.example' })).toEqual({ ok: false, status: 403 });
    expect(await openSocket({ origin: `http://localhost:${host.port}` })).toEqual({ ok: false, status: 403 });
  });

  it('refuses a socket under a foreign Host', async () => {
    expect(await openSocket({ host: `evil.example:${host.port}` })).toEqual({ ok: false, status: 403 });
  });

  it('compares tokens in constant time and only whole', () => {
    expect(tokenMatches('abc123', 'abc123')).toBe(true);
    expect(tokenMatches('abc123', 'abc12')).toBe(false);
    expect(tokenMatches('abc123', '')).toBe(false);
    expect(tokenMatches('abc123', null)).toBe(false);
  });

  it('makes a new token at each start', async () => {
    const other = await startHost({ backend, rendererRoot, port: 0 });
    await other.close();
    expect(other.token).not.toBe(host.token);
    expect(other.token.length).toBeGreaterThanOrEqual(40);
    expect(announcement(other)).toBe(`Open Lines Console: http://127.0.0.1:${other.port}/#token=${other.token}`);
  });
});

describe('openlines serve', () => {
  it('prints exactly one line with the address and token, and serves the console there', async () => {
    const child = spawn(process.execPath, ['bin/openlines.js', 'serve', '--demo', '--port', '0'], {
      cwd: PACKAGE_ROOT,
      env: { ...process.env, OPENLINES_HOME: home },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    const first = await new Promise<string>((resolve, reject) => {
      const reader = createInterface({ input: child.stdout });
      reader.on('line', (line) => {
        lines.push(line);
        if (lines.length === 1) resolve(line);
      });
      child.once('exit', (code) => reject(new Error(`serve exited with ${code}`)));
    });
    const match = /^Open Lines Console: (http:\/\/127\.0\.0\.1:(\d+))\/#token=([A-Za-z0-9_-]{40,})$/.exec(first);
    expect(match).not.toBeNull();
    const page = await fetch(`${match![1]}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(lines).toEqual([first]);
  });
});
